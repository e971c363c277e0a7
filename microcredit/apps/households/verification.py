"""Identity verification for partner banks (ARCHITECTURE §5): yes/no + grade/limit, audited.

A bank officer learns whether an ID number belongs to a registered member of an eligible
household in the officer's scope — never the registry itself.
"""

from __future__ import annotations

from django.db import transaction

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_id_number
from microcredit.apps.households.eligibility import household_is_eligible
from microcredit.apps.households.models import HouseholdStatus
from microcredit.apps.households.selectors import member_by_id_number
from microcredit.domain.money import fen_to_yuan


def _rating_for(member):
    """(grade, credit limit in fen) from the rating app, when it is installed and has one."""
    try:
        from microcredit.apps.rating.selectors import rating_for_member
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("microcredit.apps.rating"):
            raise
        return None
    except ImportError:
        return None
    return rating_for_member(member)


@transaction.atomic
def registry_verify(*, actor, id_number: str) -> dict:
    """Verify an ID number; returns the API's answer and records "registry.verify"."""
    id_number = id_number.strip().upper()
    member = member_by_id_number(user=actor, id_number=id_number)
    answer = {"registered": False, "eligible": False, "status": None, "status_label": None,
              "grade": None, "credit_limit": None}
    household = member.household if member else None
    if household is not None:
        answer.update(registered=True, eligible=household_is_eligible(household, business_date()),
                      status=household.status, status_label=str(HouseholdStatus(household.status).label))
        rating = _rating_for(member)
        if rating:
            grade, limit_fen = rating
            answer.update(grade=grade, credit_limit=fen_to_yuan(limit_fen) if limit_fen is not None else None)
    record_audit(
        actor=actor, action="registry.verify", object_type="households.member",
        object_id=str(member.pk) if member else "", object_repr=f"身份核验 {mask_id_number(id_number)}",
        after={k: answer[k] for k in ("registered", "eligible", "status", "grade")},
        region_code=household.region_code if household else "",
        household_id=household.pk if household else None,
    )
    return answer
