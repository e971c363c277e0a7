"""Policy checks of a loan application (DOMAIN §4, §3, §7, §8, §11).

Every rule is a plain function returning a list of :class:`PolicyFailure` (rule, field,
Chinese message); :func:`check_application` runs them all and returns every failure at once
(beancount style), so the village clerk sees everything to fix before submitting.
The caller passes the policy era in force on the application date, the facts it found
(rating, blacklist, loans outstanding, circuit breakers, risk-fund quota) and the cap rate.

Some rules hold at every step that commits money, not only when the application is entered:
the circuit breakers (§8), the risk-fund quota (§7) and "at most one policy loan outstanding"
(§4) can change between the application and the money. :func:`check_commitment` re-runs
exactly those (``AT_BANK_DECISION``, ``AT_DISBURSEMENT``) on facts the caller re-reads under the
application's row lock. :func:`check_disbursement` holds the contract's own rules at
disbursement (approved amount, era term, cap rate, public notice). :func:`eligibility_failures`
is the borrower rule alone, as the bank's ID check asks it (DOMAIN §2, §4).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Callable, Iterable, NamedTuple, Sequence

from microcredit.domain.errors import FieldError
from microcredit.domain.identity import age_on
from microcredit.domain.money import fen_to_yuan

__all__ = [
    "PolicyTerms", "ApplicantFacts", "ApplicationRequest", "Suspensions", "FundQuota",
    "PolicyFailure", "PROHIBITED_PURPOSE_WORDS", "PROHIBITED_MODES", "MODES_NEEDING_PARTNER",
    "RULES", "check_application", "Breaker", "Commitment", "AT_BANK_DECISION", "AT_DISBURSEMENT",
    "check_commitment", "eligibility_failures", "quota_limit", "quota_failures", "Disbursement",
    "check_disbursement",
]

PROHIBITED_PURPOSE_WORDS = (
    "建房", "盖房", "买房", "婚", "理财", "家电", "家具", "消费", "政府平台", "融资平台",
    "房地产", "基础设施", "矿", "学校", "医院", "赌",
)
"""Prohibited uses (DOMAIN §4: houses, weddings, wealth management, household goods, pooling)."""
PROHIBITED_MODES = {"enterprise": "户贷企用", "legacy_pooled": "分贷统还"}
"""Usage modes not allowed for new loans [P 24号]."""
MODES_NEEDING_PARTNER = ("partnership", "coop_managed", "coop_joint")
"""Modes that need a partner entity and a link agreement (DOMAIN §4)."""


class PolicyTerms(NamedTuple):
    """The policy era's terms in force on the application date (DOMAIN §4)."""

    code: str
    name: str
    max_amount: int  # fen
    max_term_months: int
    eligible_statuses: tuple[str, ...]
    min_age: int = 18
    max_age: int = 65


class ApplicantFacts(NamedTuple):
    """What the system knows about the household and borrower."""

    status: str
    is_wubao: bool
    borrower_birth: date
    grade: str = ""  # "" = not rated / not granted
    credit_limit: int = 0  # fen
    rating_valid_until: date | None = None
    blacklisted: bool = False
    outstanding_policy_loans: int = 0
    borrower_in_household: bool = True
    open_applications: int = 0  # the household's other applications still in the workflow


class ApplicationRequest(NamedTuple):
    """What is asked for."""

    applied_on: date
    amount: int  # fen
    term_months: int
    usage_mode: str = "self"
    purpose: str = ""
    partner_name: str = ""
    has_link_agreement: bool = False
    annual_rate: Decimal | None = None


class Breaker(NamedTuple):
    """A circuit breaker in force (DOMAIN §8): why it tripped and since when."""

    reason: str
    since: date | None = None


class Suspensions(NamedTuple):
    """Circuit breakers in force (DOMAIN §8): a flag, the suspension's reason or a :class:`Breaker`
    (truthy = in force)."""

    village: bool | str | Breaker = False
    township: bool | str | Breaker = False
    bank: bool | str | Breaker = False


class FundQuota(NamedTuple):
    """The bank's risk-fund lending quota (DOMAIN §7): balance × leverage vs. outstanding."""

    fund_balance: int
    leverage: int
    bank_outstanding: int

    @property
    def limit(self) -> int:
        return self.fund_balance * self.leverage


def quota_limit(accounts: Iterable[tuple[int, int]]) -> int:
    """What a bank may have outstanding (fen): Σ max(balance, 0) × leverage over its fund accounts
    ``(balance, leverage)`` in the county (DOMAIN §7: lend ≤ 10× the fund)."""
    return sum(max(balance, 0) * leverage for balance, leverage in accounts)


class PolicyFailure(NamedTuple):
    """One failing rule: its name, the field, and the Chinese message."""

    rule: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"【{self.rule}】{self.message}"


class Context(NamedTuple):
    terms: PolicyTerms
    applicant: ApplicantFacts
    request: ApplicationRequest
    cap_rate: Decimal | None
    suspensions: Suspensions
    quota: FundQuota | None

    # The three facts the commitment rules read, named like Commitment's fields.
    @property
    def amount(self) -> int:
        return self.request.amount

    @property
    def outstanding_policy_loans(self) -> int:
        return self.applicant.outstanding_policy_loans


class Commitment(NamedTuple):
    """A step that commits money (bank decision, disbursement) with the facts re-read under the lock."""

    amount: int  # fen: the approved amount, or the contract amount at disbursement
    outstanding_policy_loans: int = 0  # the household's 在贷 policy loans (the new one not counted)
    suspensions: Suspensions = Suspensions()
    quota: FundQuota | None = None


def eligibility_failures(status: str, is_wubao: bool, eligible_statuses: Sequence[str],
                         era_name: str = "") -> list[PolicyFailure]:
    """Borrowers by era (``eligible_statuses``); 五保户 excluded (DOMAIN §2, §4)."""
    out = []
    if status not in eligible_statuses:
        out.append(PolicyFailure("贷款对象", "status", f"该户身份不属于{era_name}的贷款对象"))
    if is_wubao:
        out.append(PolicyFailure("贷款对象", "status", "五保户不纳入贷款对象"))
    return out


def rule_borrower(c: Context) -> list[PolicyFailure]:
    """The borrower is a member of the household (DOMAIN §4: loans are to households)."""
    return [] if c.applicant.borrower_in_household else [PolicyFailure("借款人", "borrower", "借款人必须是本户家庭成员")]


def rule_status(c: Context) -> list[PolicyFailure]:
    """Borrowers by era; 五保户 excluded (DOMAIN §2, §4)."""
    return eligibility_failures(c.applicant.status, c.applicant.is_wubao, c.terms.eligible_statuses, c.terms.name)


def rule_age(c: Context) -> list[PolicyFailure]:
    """Borrower aged min–max inclusive on the application date (DOMAIN §4)."""
    age = age_on(c.applicant.borrower_birth, c.request.applied_on)
    if not c.terms.min_age <= age <= c.terms.max_age:
        return [PolicyFailure("年龄", "borrower",
                              f"借款人年龄 {age} 岁，不在 {c.terms.min_age}–{c.terms.max_age} 岁之间")]
    return []


def rule_blacklist(c: Context) -> list[PolicyFailure]:
    """No blacklisted household or family member (DOMAIN §3, §8)."""
    if c.applicant.blacklisted:
        return [PolicyFailure("黑名单", "household", "该户或其家庭成员在失信黑名单内，不得贷款")]
    return []


def rule_rating(c: Context) -> list[PolicyFailure]:
    """Rated, granted, rating valid; amount within the credit line (DOMAIN §3)."""
    if not c.applicant.grade:
        return [PolicyFailure("评级授信", "household", "该户未评级或评级未达授信等级")]
    out = []
    valid = c.applicant.rating_valid_until
    if valid is not None and valid < c.request.applied_on:
        out.append(PolicyFailure("评级授信", "household", f"评级已于 {valid.isoformat()} 到期，须重新评级"))
    if c.request.amount > c.applicant.credit_limit:
        out.append(PolicyFailure("授信额度", "amount", f"申请金额超过授信额度 {fen_to_yuan(c.applicant.credit_limit)} 元"
                                 f"（等级 {c.applicant.grade}）"))
    return out


def rule_amount(c: Context) -> list[PolicyFailure]:
    """Amount positive and within the era's cap per household (DOMAIN §4)."""
    if c.request.amount <= 0:
        return [PolicyFailure("贷款金额", "amount", "申请金额必须大于 0")]
    if c.request.amount > c.terms.max_amount:
        return [PolicyFailure("贷款金额", "amount",
                              f"申请金额超过{c.terms.name}户均上限 {fen_to_yuan(c.terms.max_amount)} 元")]
    return []


def rule_term(c: Context) -> list[PolicyFailure]:
    """Term 1..max months (DOMAIN §4)."""
    if not 1 <= c.request.term_months <= c.terms.max_term_months:
        return [PolicyFailure("贷款期限", "term_months",
                              f"期限必须在 1–{c.terms.max_term_months} 个月之间")]
    return []


def rule_rate(c: Context) -> list[PolicyFailure]:
    """Rate, when given, not above the cap rate (DOMAIN §11)."""
    rate = c.request.annual_rate
    if rate is not None and c.cap_rate is not None and rate > c.cap_rate:
        return [PolicyFailure("利率上限", "annual_rate", f"执行利率 {rate}% 高于政策利率上限 {c.cap_rate}%")]
    return []


def rule_outstanding(c: Context | Commitment) -> list[PolicyFailure]:
    """At most one policy loan outstanding; repeat loans after repayment (DOMAIN §4)."""
    if c.outstanding_policy_loans > 0:
        return [PolicyFailure("在贷余额", "household", "该户已有未结清的小额信贷，须结清后再贷")]
    return []


def rule_purpose(c: Context) -> list[PolicyFailure]:
    """Prohibited uses and modes; partner and link agreement where needed (DOMAIN §4)."""
    out = []
    words = [w for w in PROHIBITED_PURPOSE_WORDS if w in c.request.purpose]
    if words:
        out.append(PolicyFailure("贷款用途", "purpose", f"用途含禁止用途（{'、'.join(words)}）"))
    if not c.request.purpose.strip():
        out.append(PolicyFailure("贷款用途", "purpose", "须填写贷款用途"))
    mode = c.request.usage_mode
    if mode in PROHIBITED_MODES:
        out.append(PolicyFailure("使用方式", "usage_mode", f"新发放贷款禁止“{PROHIBITED_MODES[mode]}”方式"))
    if mode in MODES_NEEDING_PARTNER:
        if not c.request.partner_name.strip():
            out.append(PolicyFailure("使用方式", "partner_name", "该使用方式须填写合作主体"))
        if not c.request.has_link_agreement:
            out.append(PolicyFailure("使用方式", "link_agreement", "该使用方式须上传带贫（利益联结）协议"))
    return out


def _breaker_text(flag: bool | str | Breaker) -> str:
    if isinstance(flag, Breaker):
        since = f"自 {flag.since.isoformat()} 起" if flag.since else ""
        return f"（{since}{'：' if since and flag.reason else ''}{flag.reason}）" if since or flag.reason else ""
    return f"（{flag}）" if isinstance(flag, str) else ""


def rule_suspensions(c: Context | Commitment) -> list[PolicyFailure]:
    """Circuit breakers: suspended village / township / bank (DOMAIN §8)."""
    out = []
    for flag, label in ((c.suspensions.village, "所在村"), (c.suspensions.township, "所在乡镇"),
                        (c.suspensions.bank, "贷款银行")):
        if flag:
            out.append(PolicyFailure("熔断", "region" if label != "贷款银行" else "bank",
                                     f"{label}已触发风险熔断，暂停新增贷款{_breaker_text(flag)}"))
    return out


def quota_failures(quota: FundQuota | None, amount: int) -> list[PolicyFailure]:
    """Bank's outstanding + amount ≤ fund × leverage, when a fund exists (DOMAIN §7)."""
    if quota is None or quota.bank_outstanding + amount <= quota.limit:
        return []
    return [PolicyFailure("风险补偿金", "bank",
                          f"超出风险补偿金放大额度：额度 {fen_to_yuan(quota.limit)} 元，"
                          f"已贷 {fen_to_yuan(quota.bank_outstanding)} 元，本笔 {fen_to_yuan(amount)} 元")]


def rule_fund_quota(c: Context | Commitment) -> list[PolicyFailure]:
    """Bank's outstanding + amount ≤ fund × leverage, when a fund exists (DOMAIN §7)."""
    return quota_failures(c.quota, c.amount)


def rule_open_application(c: Context) -> list[PolicyFailure]:
    """One application in the workflow at a time per household (DOMAIN §4: one policy loan)."""
    return [PolicyFailure("在途申请", "household", "该户已有审批中的贷款申请")] if c.applicant.open_applications else []


RULES: tuple[Callable[[Context], list[PolicyFailure]], ...] = (
    rule_borrower, rule_status, rule_age, rule_blacklist, rule_rating, rule_amount, rule_term, rule_rate,
    rule_outstanding, rule_purpose, rule_suspensions, rule_fund_quota, rule_open_application,
)


def check_application(
    terms: PolicyTerms,
    applicant: ApplicantFacts,
    request: ApplicationRequest,
    *,
    cap_rate: Decimal | None = None,
    suspensions: Suspensions = Suspensions(),
    quota: FundQuota | None = None,
) -> list[PolicyFailure]:
    """Every failing policy rule of an application (empty when it may be submitted), DOMAIN §4.

    Args:
        terms: the policy era in force on ``request.applied_on``.
        applicant: household/borrower facts.
        request: amount, term, usage, purpose.
        cap_rate: the cap rate (DOMAIN §11) for checking ``request.annual_rate``.
        suspensions: circuit breakers in force.
        quota: the bank's risk-fund quota, None when the bank has no fund.

    Returns:
        The failures in rule order.
    """
    ctx = Context(terms, applicant, request, cap_rate, suspensions, quota)
    failures: list[PolicyFailure] = []
    for rule in RULES:
        failures.extend(rule(ctx))
    return failures


AT_BANK_DECISION: tuple[Callable[[Commitment], list[PolicyFailure]], ...] = (
    rule_outstanding, rule_suspensions, rule_fund_quota,
)
"""Re-checked when the bank decides (银行审定): what may have changed since the application."""
AT_DISBURSEMENT: tuple[Callable[[Commitment], list[PolicyFailure]], ...] = (
    rule_outstanding, rule_suspensions, rule_fund_quota,
)
"""Re-checked when the money goes out (签约放款)."""


def check_commitment(rules: tuple[Callable[[Commitment], list[PolicyFailure]], ...],
                     commitment: Commitment) -> list[PolicyFailure]:
    """Every failing rule of a step that commits money (DOMAIN §4, §7, §8), all at once.

    Args:
        rules: ``AT_BANK_DECISION`` or ``AT_DISBURSEMENT``.
        commitment: the amount and the facts re-read under the application's row lock.
    """
    failures: list[PolicyFailure] = []
    for rule in rules:
        failures.extend(rule(commitment))
    return failures


class Disbursement(NamedTuple):
    """The contract as signed at disbursement (签约放款)."""

    applied_on: date
    approved_amount: int  # fen
    amount: int  # fen
    term_months: int
    annual_rate: Decimal
    disbursed_on: date
    notice_ends_on: date | None = None  # end of the borrower list's public notice, if any


def check_disbursement(terms: PolicyTerms | None, d: Disbursement, cap_rate: Decimal | None) -> list[FieldError]:
    """The contract's rules at disbursement (DOMAIN §4, §11, §12), all at once: an era in force
    on the application date, amount ≤ the approved amount, term ≤ the era's maximum, rate ≤ the
    cap rate (``cap_rate`` None when it could not be set: no era or a bad term), and not before
    the public notice ends.
    """
    out = []
    if terms is None:
        out.append(FieldError("term_months", f"{d.applied_on.isoformat()} 没有生效的政策期，无法确定期限和利率上限"))
    if d.amount > d.approved_amount:
        out.append(FieldError("amount", f"放款金额不能超过审定金额 {fen_to_yuan(d.approved_amount)} 元"))
    if terms is not None and d.term_months > terms.max_term_months:
        out.append(FieldError("term_months", f"期限不能超过 {terms.max_term_months} 个月（{terms.name}）"))
    if cap_rate is not None and d.annual_rate > cap_rate:
        out.append(FieldError("annual_rate", f"执行利率 {d.annual_rate}% 高于政策利率上限 {cap_rate}%"))
    if d.notice_ends_on and d.disbursed_on < d.notice_ends_on:
        out.append(FieldError("disbursed_on", f"借款人名单公示至 {d.notice_ends_on.isoformat()}，公示期满后方可放款"))
    return out
