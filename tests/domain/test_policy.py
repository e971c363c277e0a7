"""Policy checks (DOMAIN §4): every rule has a passing and a failing case; all failures at once."""

from datetime import date
from decimal import Decimal

import pytest

from microcredit.domain.policy import (
    ApplicantFacts, ApplicationRequest, FundQuota, PolicyTerms, Suspensions, check_application,
)

ERA = PolicyTerms("tuopin2021", "脱贫人口小额信贷", 5_000_000, 36, ("poor", "exited", "edge", "monitored"))
OK_APPLICANT = ApplicantFacts(status="exited", is_wubao=False, borrower_birth=date(1980, 5, 1), grade="AAA",
                              credit_limit=4_000_000, rating_valid_until=date(2027, 1, 1))
OK_REQUEST = ApplicationRequest(applied_on=date(2024, 3, 1), amount=3_000_000, term_months=36,
                                usage_mode="self", purpose="养殖滩羊20只", annual_rate=Decimal("3.95"))


def check(applicant=OK_APPLICANT, request=OK_REQUEST, **kw):
    kw.setdefault("cap_rate", Decimal("3.95"))
    return [(f.rule, f.field) for f in check_application(ERA, applicant, request, **kw)]


def test_clean_application_passes():
    assert check() == []


# (rule, field, applicant changes, request changes, extra kwargs)
FAILING = [
    ("贷款对象", "status", {"status": "general"}, {}, {}),
    ("贷款对象", "status", {"is_wubao": True}, {}, {}),
    ("年龄", "borrower", {"borrower_birth": date(1958, 3, 1)}, {}, {}),  # 66 on 2024-03-01
    ("年龄", "borrower", {"borrower_birth": date(2006, 3, 2)}, {}, {}),  # 17
    ("黑名单", "household", {"blacklisted": True}, {}, {}),
    ("评级授信", "household", {"grade": ""}, {}, {}),
    ("评级授信", "household", {"rating_valid_until": date(2024, 2, 29)}, {}, {}),
    ("授信额度", "amount", {"credit_limit": 2_000_000}, {}, {}),
    ("贷款金额", "amount", {"credit_limit": 9_000_000}, {"amount": 5_000_100}, {}),
    ("贷款金额", "amount", {}, {"amount": 0}, {}),
    ("贷款期限", "term_months", {}, {"term_months": 37}, {}),
    ("利率上限", "annual_rate", {}, {"annual_rate": Decimal("4.00")}, {}),
    ("在贷余额", "household", {"outstanding_policy_loans": 1}, {}, {}),
    ("贷款用途", "purpose", {}, {"purpose": "给儿子办婚礼"}, {}),
    ("贷款用途", "purpose", {}, {"purpose": "  "}, {}),
    ("使用方式", "usage_mode", {}, {"usage_mode": "legacy_pooled"}, {}),
    ("使用方式", "partner_name", {}, {"usage_mode": "partnership", "has_link_agreement": True}, {}),
    ("使用方式", "link_agreement", {}, {"usage_mode": "coop_managed", "partner_name": "某合作社"}, {}),
    ("熔断", "region", {}, {}, {"suspensions": Suspensions(village=True)}),
    ("熔断", "region", {}, {}, {"suspensions": Suspensions(township=True)}),
    ("熔断", "bank", {}, {}, {"suspensions": Suspensions(bank=True)}),
    ("风险补偿金", "bank", {}, {}, {"quota": FundQuota(1_000_000, 10, 8_000_000)}),
]


@pytest.mark.parametrize("rule, field, a, r, kw", FAILING)
def test_each_rule_fails_alone(rule, field, a, r, kw):
    assert check(OK_APPLICANT._replace(**a), OK_REQUEST._replace(**r), **kw) == [(rule, field)]


PASSING_EDGES = [
    ({"borrower_birth": date(1958, 3, 2)}, {}, {}),  # 65 inclusive
    ({"borrower_birth": date(2006, 3, 1)}, {}, {}),  # 18 inclusive
    ({"credit_limit": 3_000_000}, {}, {}),  # exactly the line
    ({"rating_valid_until": date(2024, 3, 1)}, {}, {}),  # valid on the day
    ({"credit_limit": 9_000_000}, {"amount": 5_000_000}, {}),  # era cap inclusive
    ({}, {"term_months": 36}, {}),
    ({}, {"annual_rate": Decimal("3.95")}, {}),  # at cap
    ({}, {"annual_rate": None}, {}),  # bank sets the rate later
    ({}, {"usage_mode": "partnership", "partner_name": "张三等3户", "has_link_agreement": True}, {}),
    ({}, {}, {"quota": FundQuota(1_000_000, 10, 7_000_000)}),  # exactly the quota
    ({}, {}, {"suspensions": Suspensions()}),
]


@pytest.mark.parametrize("a, r, kw", PASSING_EDGES)
def test_each_rule_passes_at_its_edge(a, r, kw):
    assert check(OK_APPLICANT._replace(**a), OK_REQUEST._replace(**r), **kw) == []


def test_every_failure_is_reported_at_once_in_chinese():
    applicant = OK_APPLICANT._replace(status="general", blacklisted=True, outstanding_policy_loans=1)
    request = OK_REQUEST._replace(term_months=48, purpose="建房")
    failures = check_application(ERA, applicant, request, cap_rate=Decimal("3.95"),
                                 suspensions=Suspensions(bank=True))
    rules = [f.rule for f in failures]
    assert rules == ["贷款对象", "黑名单", "贷款期限", "在贷余额", "贷款用途", "熔断"]
    assert all(str(f).startswith("【") for f in failures)
    assert "建房" in failures[4].message
