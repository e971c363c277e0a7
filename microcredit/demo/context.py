"""What the demo steps share: the seeded random generator and what earlier steps created."""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator, TextIO

from microcredit.apps.households.models import Household
from microcredit.demo.scales import Scale

# Ages and birth dates are computed against this fixed day, so the same seed gives the same
# registry whatever day the generator runs (ADR 0001); the business date is separate.
DEMO_ANCHOR = dt.date(2026, 11, 20)


@dataclass(frozen=True)
class HouseholdRef:
    """A compact handle on a created household (for later steps: ratings, loans …)."""

    id: int
    village_code: str
    status: str
    is_wubao: bool
    head_member_id: int | None
    head_birth: dt.date
    able_members: int
    income_per_head: int


@dataclass
class DemoContext:
    """Passed to every step. Steps read what earlier steps left here and add their own.

    Attributes:
        seed: the ``--seed``.
        rng: the only source of randomness (``random.Random(seed)``); never use ``random.*``.
        scale: the preset.
        business_date: the date the demo's history runs up to (``clock.business_date()``).
        province, cities, counties, townships, villages: ``Region`` rows created.
        village_groups: village code → number of groups (村民小组, 3–8).
        banks, branches: ``Bank`` / ``Branch`` rows created.
        households: ``HouseholdRef`` per household (empty for streamed scales: use
            ``iter_household_ids``).
        users: username → ``User``.
        counts: what was created, for the summary audit row and the report.
        extra: free room for later steps (key by your step's name).
        progress: where progress lines go (stderr).
    """

    seed: int
    rng: random.Random
    scale: Scale
    business_date: dt.date
    anchor: dt.date = DEMO_ANCHOR
    province: Any = None
    cities: list = field(default_factory=list)
    counties: list = field(default_factory=list)
    townships: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    village_groups: dict[str, int] = field(default_factory=dict)
    banks: list = field(default_factory=list)
    branches: list = field(default_factory=list)
    households: list[HouseholdRef] = field(default_factory=list)
    users: dict = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    progress: TextIO = sys.stderr

    @property
    def county(self):
        """The demo county (青山县), the first county."""
        return self.counties[0]

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def log(self, text: str) -> None:
        print(text, file=self.progress, flush=True)

    def iter_household_ids(self, chunk: int = 2000) -> Iterator[list[int]]:
        """Household ids in ascending chunks, read from the database (bounded memory)."""
        last = 0
        while True:
            ids = list(Household.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                return
            yield ids
            last = ids[-1]
