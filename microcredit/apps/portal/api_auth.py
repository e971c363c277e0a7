from ninja import Router

router = Router(tags=["农户服务"])
