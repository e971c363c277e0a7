"""`/api/v1/registry/`: identity verification for partner banks' systems (ARCHITECTURE §5)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.households.verification import registry_verify

router = Router(tags=["建档立卡核验"])


class VerifyIn(Schema):
    id_number: str


class VerifyOut(Schema):
    registered: bool
    eligible: bool
    status: str | None
    status_label: str | None
    grade: str | None
    credit_limit: str | None


@router.post("/verify", response=VerifyOut, summary="核验身份证号是否为符合条件的建档立卡农户成员")
def verify(request, payload: VerifyIn):
    if not request.user.has_perm("core.verify_identity"):
        raise HttpError(403, "无核验权限")
    if len(payload.id_number.strip()) != 18:
        raise HttpError(422, "身份证号必须是18位")
    return registry_verify(actor=request.user, id_number=payload.id_number)
