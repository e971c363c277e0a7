"""`/api/v1/regions/`: the region tree and list, scoped to the caller."""

from __future__ import annotations

from ninja import Router

from microcredit.apps.regions.selectors import region_list, region_tree

router = Router(tags=["行政区划"])


@router.get("/tree", summary="区划树（县 → 乡镇 → 行政村，含农户数）")
def tree(request):
    return {"results": [node.as_dict() for node in region_tree(user=request.user)]}


@router.get("/", summary="区划列表（可按级别筛选）")
def list_regions(request, level: str | None = None):
    results = region_list(user=request.user, level=level)
    return {"count": len(results), "results": results}
