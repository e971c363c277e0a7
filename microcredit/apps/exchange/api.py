from ninja import Router

router = Router(tags=["银行台账"])
