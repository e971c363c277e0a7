"""The caller's scope, applied by every selector (ARCHITECTURE §5).

`Scope.of(user)` reads the user once; `scope.filter_regions(qs, "region_code")` narrows any
queryset that carries a region code to the user's prefixes, `scope.filter_bank(qs, "bank")`
to the user's bank. A scope that is unrestricted (admin, superuser, `SYSTEM`) leaves the queryset alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
import operator

from django.db.models import Q, QuerySet

from microcredit.apps.core.workflow import is_admin
from microcredit.domain.regions import in_scope


class _System:
    """The actor of batch work (the close, jobs, commands): every region, every bank."""

    is_authenticated = False


SYSTEM = _System()  # pass as ``user=`` to a selector for an unscoped read by the system


@dataclass(frozen=True)
class Scope:
    region_prefixes: tuple[str, ...]
    bank_id: int | None
    unrestricted: bool = False

    @classmethod
    def of(cls, user) -> "Scope":
        if user is SYSTEM:
            return cls((), None, unrestricted=True)
        if user is None or not user.is_authenticated:
            return cls((), None)
        if is_admin(user):
            return cls((), user.bank_id, unrestricted=True)
        return cls(tuple(user.scope_regions or ()), user.bank_id)

    def region_q(self, field: str) -> Q:
        if self.unrestricted:
            return Q()
        if not self.region_prefixes:
            return Q(pk__in=[])
        return reduce(operator.or_, (Q(**{f"{field}__startswith": p}) for p in self.region_prefixes))

    def filter_regions(self, qs: QuerySet, field: str = "region_code") -> QuerySet:
        return qs.filter(self.region_q(field))

    def filter_bank(self, qs: QuerySet, field: str = "bank") -> QuerySet:
        """Bank users see only their bank's rows; others are not narrowed by bank."""
        if self.bank_id is None or self.unrestricted:
            return qs
        return qs.filter(**{f"{field}_id": self.bank_id})

    def covers(self, region_code: str) -> bool:
        return self.unrestricted or in_scope(region_code, self.region_prefixes)
