"""The loan list's filters and sort keys, read from a query string (the page, its export and the API
read the same names through ``core.params``; a bad value is a DomainError naming it, never a 500)."""

from __future__ import annotations

from microcredit.apps.core.params import choice_param, digits_param, int_param, month_param, text_param
from microcredit.apps.loans.models import LoanStatus
from microcredit.domain.classification import CLASS_LABELS
from microcredit.domain.monitoring import LIGHT_LABELS

DPD_BANDS = {"0": ("未逾期", 0, 0), "1+": ("逾期（全部）", 1, None), "1-30": ("1–30 天", 1, 30),
             "31-90": ("31–90 天", 31, 90), "91-180": ("91–180 天", 91, 180), "181-360": ("181–360 天", 181, 360),
             "361+": ("360 天以上", 361, None)}
"""Days-past-due bands of the filter: key → (label, first day, last day or None)."""
CLASS_CHOICES = {**CLASS_LABELS, "npl": "不良（次级、可疑、损失）"}
SORTS = {"balance": "principal_outstanding", "dpd": "days_past_due", "maturity": "maturity_date"}
"""Whitelisted sort keys → field; ``-key`` sorts descending."""
SORT_CHOICES = {**SORTS, **{f"-{k}": v for k, v in SORTS.items()}}
PAGE_SIZE = 50


def loan_filters(params) -> dict:
    """The filters of ``loans.selectors.loan_list`` from a query string (or a mapping); absent → not set."""
    found = {
        "q": text_param(params, "q"),
        "region": digits_param(params, "region", lengths=tuple(range(2, 16))),
        "township": digits_param(params, "township", lengths=(9, 12)),  # prefix or code, as households
        "village": digits_param(params, "village", lengths=(12,)),
        "bank": int_param(params, "bank"),
        "classification": choice_param(params, "classification", CLASS_CHOICES),
        "light": choice_param(params, "light", LIGHT_LABELS),
        "dpd": choice_param(params, "dpd", DPD_BANDS),
        "maturity": month_param(params, "maturity"),
        "era": text_param(params, "era", max_length=16),
        "status": choice_param(params, "status", LoanStatus.values),
        "sort": choice_param(params, "sort", SORT_CHOICES),
    }
    return {k: v for k, v in found.items() if v}
