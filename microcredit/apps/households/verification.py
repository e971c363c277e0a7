"""Identity verification for partner banks (ARCHITECTURE §5): yes/no + grade/limit, audited.

A bank officer learns whether an ID number belongs to a registered member of an eligible
household in the officer's scope, and its grade and credit limit — never the registry itself
(no name, no poverty status). Calls are throttled per officer and per client IP
(settings MICROCREDIT_VERIFY_RATE_USER / _IP) so the registry cannot be enumerated by guessing
ID numbers; every call and every refusal is audited with the ID number masked.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import transaction
from ninja.throttling import SimpleRateThrottle

from microcredit.apps.accounts.lockout import client_ip
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_id_number
from microcredit.apps.core.panels import member_rating
from microcredit.apps.households.eligibility import household_is_eligible
from microcredit.apps.households.selectors import member_by_id_number
from microcredit.domain.errors import DomainError
from microcredit.domain.identity import id_number_error
from microcredit.domain.money import fen_to_yuan

FIELD = "身份证号"
# The whole answer (ARCHITECTURE §5): nothing else about the household leaves the registry.
ANSWER_FIELDS = ("registered", "eligible", "grade", "credit_limit")


class VerifyThrottled(DomainError):
    """Too many verifications; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(FIELD, f"核验过于频繁，请{retry_after}秒后再试")
        self.retry_after = retry_after


class _VerifyThrottle(SimpleRateThrottle):
    """ninja's sliding-window throttle, keyed by what `ident` returns (None → not counted)."""

    cache_format = "verify_%(scope)s_%(ident)s"

    def __init__(self, scope: str, rate: str, ident) -> None:
        self.scope, self._ident = scope, ident
        super().__init__(rate)

    def get_cache_key(self, request):
        ident = self._ident(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


def _throttles() -> list[_VerifyThrottle]:
    return [
        _VerifyThrottle("user", settings.MICROCREDIT_VERIFY_RATE_USER,
                        lambda request: request.user.pk if request.user.is_authenticated else None),
        _VerifyThrottle("ip", settings.MICROCREDIT_VERIFY_RATE_IP, client_ip),
    ]


def check_verify_rate(request, id_number: str) -> None:
    """Count this verification; past the rate raise VerifyThrottled (the refusal is audited).

    Both throttles are consulted on every call, so a call refused for the IP still counts
    against the officer and the other way round.
    """
    waits = [throttle.wait() for throttle in _throttles() if not throttle.allow_request(request)]
    if not waits:
        return
    retry_after = max(1, math.ceil(max((w for w in waits if w is not None), default=60)))
    record_audit(
        actor=request.user, action="registry.verify_refused", object_type="households.member",
        object_repr=f"身份核验被限流 {mask_id_number(id_number.strip().upper())}",
        note=f"IP {client_ip(request)}，{retry_after}秒后可再试",
    )
    raise VerifyThrottled(retry_after)


@transaction.atomic
def registry_verify(*, actor, id_number: str) -> dict:
    """Verify an ID number; returns the answer (ANSWER_FIELDS) and records "registry.verify".

    A number that is not a valid ID number (length, date, GB 11643 check digit) is refused with
    the rule it breaks — DomainError — rather than answered "not registered".
    """
    id_number = id_number.strip().upper()
    error = id_number_error(id_number)
    if error:
        raise DomainError(FIELD, error)
    member = member_by_id_number(user=actor, id_number=id_number)
    answer = dict.fromkeys(ANSWER_FIELDS)
    answer.update(registered=False, eligible=False)
    household = member.household if member else None
    if household is not None:
        answer.update(registered=True, eligible=household_is_eligible(household, business_date()))
        rating = member_rating(member)
        if rating:
            grade, limit_fen = rating
            answer.update(grade=grade, credit_limit=fen_to_yuan(limit_fen) if limit_fen is not None else None)
    record_audit(
        actor=actor, action="registry.verify", object_type="households.member",
        object_id=str(member.pk) if member else "", object_repr=f"身份核验 {mask_id_number(id_number)}",
        after={k: answer[k] for k in ("registered", "eligible", "grade")},
        region_code=household.region_code if household else "",
        household_id=household.pk if household else None,
    )
    return answer
