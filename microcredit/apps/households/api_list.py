"""`GET /api/v1/households`: the household list, scoped and masked per role."""

from __future__ import annotations

from django.core.paginator import Paginator
from ninja import Router
from ninja.errors import HttpError

from microcredit.apps.core.masking import mask_id_number, mask_phone
from microcredit.apps.households.models import HouseholdStatus
from microcredit.apps.households.selectors import household_list
from microcredit.domain.money import fen_to_yuan

router = Router(tags=["建档立卡档案"])
MAX_PAGE_SIZE = 200


def _row(h, see: bool) -> dict:
    return {
        "id": h.pk, "number": h.number, "village_code": h.village_id, "village": h.village.name,
        "township": h.village.parent.name if h.village.parent_id else None,
        "head_name": h.head_name,
        "head_id_number": h.head_id_number if see else mask_id_number(h.head_id_number),
        "phone": h.phone if see else mask_phone(h.phone),
        "status": h.status, "status_label": str(HouseholdStatus(h.status).label),
        "is_wubao": h.is_wubao, "is_dibao": h.is_dibao,
        "year_registered": h.year_registered, "year_exited": h.year_exited,
        "income_per_head": fen_to_yuan(h.income_per_head), "member_count": h.member_count,
    }


@router.get("", summary="农户列表（按管辖范围，按角色脱敏）")
def list_households(request, page: int = 1, page_size: int = 50, village: str | None = None,
                    township: str | None = None, status: str | None = None, q: str | None = None):
    if not request.user.has_perm("core.view_registry"):
        raise HttpError(403, "无查看档案权限")
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    filters = {"village": village, "township": township, "status": status, "q": q}
    paginator = Paginator(household_list(user=request.user, **filters), page_size)
    current = paginator.get_page(page)
    see = request.user.has_perm("core.see_identity")
    return {"count": paginator.count, "page": current.number, "page_size": page_size,
            "results": [_row(h, see) for h in current.object_list]}
