"""年度放贷目标 (issue #12 item 8): the table of a county's targets for a year, read by the page and the API
(the writes are ``services.targets_set``)."""

from __future__ import annotations

from dataclasses import dataclass

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.monitoring import selectors
from microcredit.apps.monitoring.services import TargetError
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain import bounds


class NoCounty(Exception):
    """The county asked for is not one the user may set targets for (the page and the API answer 404)."""


@dataclass
class TargetRow:
    key: str  # the region code (county 6 digits, township 9) or the bank's id
    name: str
    amount: int | None  # fen; None: not set
    bank_code: str = ""


def parse_year(text: str | None, default: int) -> int:
    """The ``year`` parameter: 4 digits within the bounds, else a Chinese ``TargetError``."""
    text = (text or "").strip()
    if not text:
        return default
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise TargetError([("year", "年度应为4位数字")])
    year = int(text)
    if not bounds.MIN_YEAR <= year <= bounds.MAX_YEAR:
        raise TargetError([("year", f"年度必须在 {bounds.MIN_YEAR} 到 {bounds.MAX_YEAR} 之间")])
    return year


def county_of(user, text: str | None) -> tuple[str, str]:
    """(code, name) of the county asked for (default: the user's first), refused when outside the scope."""
    counties = selectors.target_counties(user=user)
    text = (text or "").strip()
    if text:
        found = [c for c in counties if c[0] == text[:6] and len(text) == 6]
        if not found:
            raise NoCounty()
        return found[0]
    if not counties:
        raise NoCounty()
    return counties[0]


def table(*, year: int, county_code: str, county_name: str) -> tuple[TargetRow, list[TargetRow], list[TargetRow]]:
    """(the county's row, its townships', the banks') with the year's targets."""
    townships = [(r.code[:9], r.name) for r in regions_in_scope(user=SYSTEM, level="township")
                 .filter(code__startswith=county_code).order_by("code")]
    regional = selectors.target_map(year=year, region_codes=[county_code, *(c for c, _n in townships)])
    by_bank = selectors.bank_target_map(year=year, region_code=county_code)
    banks = [TargetRow(str(b.pk), b.short_name or b.name, by_bank.get(b.pk), b.code)
             for b in bank_list().prefetch_related(None).order_by("code")]
    return (TargetRow(county_code, county_name, regional.get(county_code)),
            [TargetRow(c, n, regional.get(c)) for c, n in townships], banks)


def county_choices(user) -> list[tuple[str, str]]:
    """The counties the user may pick on the page."""
    return selectors.target_counties(user=user)
