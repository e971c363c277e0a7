"""The demo steps, in the order they run.

A step is ``fn(ctx: DemoContext) -> None``; it finds on ``ctx`` what earlier steps created
(regions, banks, households, users, loans) and the business date. The order is data: a new
step is one line here, at the place it must run.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from microcredit.demo.banks import create_banks
from microcredit.demo.collection import create_collection
from microcredit.demo.context import DemoContext
from microcredit.demo.decisions import create_decisions
from microcredit.demo.households import create_households
from microcredit.demo.ledgers import create_ledgers
from microcredit.demo.origination import create_loans
from microcredit.demo.origination_ratings import create_ratings
from microcredit.demo.portal import create_portal
from microcredit.demo.postloan import create_postloan
from microcredit.demo.problems import create_problems
from microcredit.demo.projects import create_projects
from microcredit.demo.regions import create_regions
from microcredit.demo.reminders import create_reminders
from microcredit.demo.servicing import create_servicing
from microcredit.demo.targets import create_targets
from microcredit.demo.users import create_users


class Step(NamedTuple):
    name: str
    fn: Callable[[DemoContext], None]


STEPS: tuple[Step, ...] = (
    Step("regions", create_regions),
    Step("banks", create_banks),
    Step("households", create_households),
    Step("users", create_users),
    Step("ratings", create_ratings),
    Step("loans", create_loans),
    Step("servicing", create_servicing),
    Step("postloan", create_postloan),
    Step("collection", create_collection),
    Step("reminders", create_reminders),
    Step("decisions", create_decisions),
    Step("problems", create_problems),
    Step("projects", create_projects),
    Step("targets", create_targets),
    Step("ledgers", create_ledgers),
    Step("portal", create_portal),
)

BUILTIN_STEPS = ("regions", "banks", "households", "users")
"""The registry part alone (tests of the registry generator run just these)."""
