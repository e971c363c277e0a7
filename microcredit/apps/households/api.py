"""`/api/v1/registry/`: identity verification for partner banks' systems (ARCHITECTURE §5)."""

from __future__ import annotations

from django.http import JsonResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.households.verification import VerifyThrottled, check_verify_rate, registry_verify

router = Router(tags=["建档立卡核验"])


class VerifyIn(Schema):
    id_number: str


class VerifyOut(Schema):
    """Exactly what §5 promises: registered, eligible, grade, limit (yuan) — nothing else."""

    registered: bool
    eligible: bool
    grade: str | None
    credit_limit: str | None


class ThrottledOut(Schema):
    detail: str


@router.post("/verify", response={200: VerifyOut, 422: dict, 429: ThrottledOut},
             summary="核验身份证号是否为符合条件的建档立卡农户成员（限流：每人、每地址每分钟次数有限）")
def verify(request, payload: VerifyIn):
    if not request.user.has_perm("core.verify_identity"):
        raise HttpError(403, "无核验权限")
    try:
        check_verify_rate(request, payload.id_number)
        return registry_verify(actor=request.user, id_number=payload.id_number)
    except VerifyThrottled as exc:
        response = JsonResponse({"detail": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
