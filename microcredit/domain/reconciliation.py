"""Reconciliation of bank ledgers (数据大清理大核查, DOMAIN §10): every check, each problem found once.

`reconcile` takes the ledger rows of a bank (or of every bank of an area) and what the system
knows — the registry, the blacklist, the policy caps on each disbursement date, the loans the
system services, the register of public employees — and returns the findings, at most one per
check and subject (a loan, a household, an account). The checks, by name (the report's ``check``):

not_in_registry     borrower's ID number is not in the registry (建档立卡)
not_eligible        the household's status is not eligible in the era, 五保户, borrower's age at
                    disbursement outside the era's range, or the household blacklisted
id_check_digit      the borrower's or the head's ID number has a wrong check digit (GB 11643)
duplicate_contract  one loan reported twice: the same borrower, amount and disbursement date
                    under two contract numbers (of one bank or two)
amount_over_cap     amount above the era's cap on the disbursement date (DOMAIN §4)
term_over_cap       term above the era's cap
rate_over_cap       rate above the cap rate for the term on the disbursement date (DOMAIN §11)
two_policy_loans    a household with more than one loan outstanding (ledgers and the system)
pooled_to_one_account  户贷企用: `POOLED_MIN_BORROWERS` or more borrowers' money to one account or
                    one entity, or a loan whose usage mode is 户贷企用
subsidy_on_overdue_period  subsidy to date above what the loan could earn before it fell overdue
                    (amount × rate × days from disbursement to the first overdue day / 360)
risk_fund_flag      纳入风险补偿 wrong (a loan outside the policy marked covered, or a policy loan
                    marked not covered) or missing, when the ledger has the column
balance_mismatch    amount − repaid ≠ balance, or the ledger's balance ≠ the balance of the loan
                    of the same bank and number the system services
official_borrower   borrower or head of household in the register of public employees
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from microcredit.domain.identity import age_on, id_number_error
from microcredit.domain.money import fen_to_yuan

__all__ = ["CHECKS", "Caps", "Finding", "LedgerFacts", "Person", "POOLED_MIN_BORROWERS", "reconcile"]

CHECKS = {
    "not_in_registry": "借款人不在建档立卡系统中", "not_eligible": "借款人不符合贷款对象条件",
    "id_check_digit": "身份证号校验位错误", "duplicate_contract": "同一笔贷款重复报送",
    "amount_over_cap": "贷款金额超过政策上限", "term_over_cap": "贷款期限超过政策上限",
    "rate_over_cap": "执行利率高于政策利率上限", "two_policy_loans": "一户同时有两笔以上在贷小额信贷",
    "pooled_to_one_account": "疑似户贷企用（资金集中流向同一账户或主体）",
    "subsidy_on_overdue_period": "逾期期间仍享受贴息", "risk_fund_flag": "风险补偿标识错误或缺失",
    "balance_mismatch": "余额不符", "official_borrower": "公职人员违规获得小额信贷",
}
"""The checks of DOMAIN §10, by name, with the title of the problem case each finding opens."""
POOLED_MIN_BORROWERS = 5
"""Borrowers whose money goes to one account or entity before it is reported (DOMAIN §4, 户贷企用)."""
MAX_EVIDENCE_ROWS, MAX_DETAIL = 200, 1000  # what a problem case holds (domain.problems)


class LedgerFacts(NamedTuple):
    """One ledger row as the checks need it (amounts in fen). A tuple: a province has 400,000 of them."""

    bank: str
    contract_number: str
    borrower_id: str
    amount: int
    disbursed_on: dt.date
    balance: int
    head_id: str = ""
    borrower_name: str = ""
    term_months: int | None = None
    annual_rate: Decimal | None = None
    repaid_amount: int | None = None
    account_number: str = ""
    payee: str = ""
    usage_mode: str = ""
    overdue_since: dt.date | None = None
    unpaid_interest_since: dt.date | None = None
    subsidy_to_date: int | None = None
    risk_fund: bool | None = None
    risk_fund_known: bool = False  # the ledger has the 纳入风险补偿 column
    region_code: str = ""
    bank_name: str = ""  # as a person reads it (``bank`` is the code, for systems)


class Person(NamedTuple):
    """A registered person and the household's facts (DOMAIN §2)."""

    household: str  # the household's key (its id)
    status: str
    is_wubao: bool
    birth_date: dt.date
    blacklisted: bool = False
    region_code: str = ""


@dataclass(frozen=True)
class Caps:
    """The era's terms on a disbursement date (DOMAIN §4, §11)."""

    era_name: str
    max_amount: int
    max_term_months: int
    cap_rate: Decimal | None
    eligible_statuses: tuple[str, ...]
    min_age: int = 18
    max_age: int = 65


@dataclass
class Finding:
    """One problem: ``subject`` identifies it across runs (with ``check``: the problem case's key)."""

    check: str
    bank: str
    contract_number: str
    detail: str
    subject: str
    region_code: str = ""
    evidence: list[dict] = field(default_factory=list)
    borrower_id: str = ""

    def as_dict(self) -> dict:
        return {"check": self.check, "bank": self.bank, "contract_number": self.contract_number,
                "detail": self.detail}


def _evidence(row: LedgerFacts) -> dict:
    return {"银行": row.bank_name or row.bank, "合同编号": row.contract_number, "借款人": row.borrower_name,
            "贷款金额": fen_to_yuan(row.amount), "放款日期": row.disbursed_on.isoformat(),
            "贷款余额": fen_to_yuan(row.balance)}


class _Findings:
    """Findings keyed by (check, subject): a subject is reported once per check."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], Finding] = {}

    def add(self, check: str, row: LedgerFacts, detail: str, *, subject: str | None = None,
            rows: Iterable[LedgerFacts] = (), region_code: str = "") -> None:
        subject = subject or f"{row.bank}:{row.contract_number}"
        if (check, subject) in self.found:
            return
        evidence = [_evidence(r) for r in (list(rows) or [row])[:MAX_EVIDENCE_ROWS]]
        detail = detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 1] + "…"
        self.found[(check, subject)] = Finding(check, row.bank, row.contract_number, detail, subject,
                                               region_code or row.region_code, evidence, row.borrower_id)


def _subsidy_ceiling(row: LedgerFacts) -> int | None:
    """The most subsidy the loan could earn before its first overdue day: the whole interest at its
    rate (subsidy ratio ≤ 1) from disbursement to that day, actual/360 (DOMAIN §5.1, §6)."""
    first = min((d for d in (row.overdue_since, row.unpaid_interest_since) if d), default=None)
    if first is None or row.annual_rate is None:
        return None
    days = max((first - row.disbursed_on).days, 0)
    return int(Decimal(row.amount) * row.annual_rate / 100 * days / 360)


def _per_row(out: _Findings, row: LedgerFacts, person: Person | None, caps: Caps | None,
             officials: Mapping[str, str], system_balance: int | None) -> None:
    if person is None:
        out.add("not_in_registry", row, f"借款人身份证号 {row.borrower_id} 在建档立卡系统中查无此人")
    elif caps is not None:
        reasons = []
        if person.status not in caps.eligible_statuses:
            reasons.append(f"户类型不属于{caps.era_name}的贷款对象")
        if person.is_wubao:
            reasons.append("五保户不纳入贷款对象")
        age = age_on(person.birth_date, row.disbursed_on)
        if not caps.min_age <= age <= caps.max_age:
            reasons.append(f"放款时借款人 {age} 岁，不在 {caps.min_age}–{caps.max_age} 岁之间")
        if person.blacklisted:
            reasons.append("该户在失信黑名单内")
        if reasons:
            out.add("not_eligible", row, "；".join(reasons))
    for who, number in (("借款人", row.borrower_id), ("户主", row.head_id)):
        # A registered person's number was checked when it entered the registry (DOMAIN §2).
        if number and (person is None or number != row.borrower_id) and id_number_error(number):
            out.add("id_check_digit", row, f"{who}身份证号 {number} 校验位错误", subject=f"{row.bank}:{row.contract_number}:{who}")
    if caps is not None:
        if row.amount > caps.max_amount:
            out.add("amount_over_cap", row, f"贷款金额 {fen_to_yuan(row.amount)} 元超过{caps.era_name}上限 "
                                            f"{fen_to_yuan(caps.max_amount)} 元")
        if row.term_months is not None and row.term_months > caps.max_term_months:
            out.add("term_over_cap", row, f"贷款期限 {row.term_months} 个月超过上限 {caps.max_term_months} 个月")
        if row.annual_rate is not None and caps.cap_rate is not None and row.annual_rate > caps.cap_rate:
            out.add("rate_over_cap", row, f"执行年利率 {row.annual_rate.normalize()}% 高于放款日利率上限 "
                                          f"{caps.cap_rate.normalize()}%")
    if row.usage_mode == "enterprise":
        out.add("pooled_to_one_account", row, "使用方式为户贷企用（已禁止）")
    ceiling = _subsidy_ceiling(row)
    if ceiling is not None and (row.subsidy_to_date or 0) > ceiling + 100:
        out.add("subsidy_on_overdue_period", row, f"累计贴息 {fen_to_yuan(row.subsidy_to_date or 0)} 元，超过逾期前"
                                                  f"最多可贴 {fen_to_yuan(ceiling)} 元")
    _risk_fund(out, row, person, caps)
    _balance(out, row, system_balance)
    for who, number in (("借款人", row.borrower_id), ("户主", row.head_id)):
        if number and number in officials:
            out.add("official_borrower", row, f"{who}为公职人员（{officials[number]}）")
            break


def _policy_loan(row: LedgerFacts, person: Person | None, caps: Caps | None) -> bool:
    return (person is not None and caps is not None and person.status in caps.eligible_statuses
            and not person.is_wubao and row.amount <= caps.max_amount)


def _risk_fund(out: _Findings, row: LedgerFacts, person: Person | None, caps: Caps | None) -> None:
    if not row.risk_fund_known:
        return
    if row.risk_fund is None:
        out.add("risk_fund_flag", row, "未填写是否纳入风险补偿")
    elif row.risk_fund and not _policy_loan(row, person, caps):
        out.add("risk_fund_flag", row, "不符合政策的贷款标为纳入风险补偿")
    elif not row.risk_fund and _policy_loan(row, person, caps):
        out.add("risk_fund_flag", row, "符合政策的贷款未纳入风险补偿")


def _balance(out: _Findings, row: LedgerFacts, system_balance: int | None) -> None:
    if row.repaid_amount is not None and row.amount - row.repaid_amount != row.balance:
        out.add("balance_mismatch", row, f"贷款金额 {fen_to_yuan(row.amount)} − 累计还款 {fen_to_yuan(row.repaid_amount)}"
                                         f" ≠ 余额 {fen_to_yuan(row.balance)} 元")
    elif system_balance is not None and system_balance != row.balance:
        out.add("balance_mismatch", row, f"台账余额 {fen_to_yuan(row.balance)} 元，系统中该笔贷款余额 "
                                         f"{fen_to_yuan(system_balance)} 元")


def _groups(out: _Findings, rows: list[LedgerFacts], people: Mapping[str, Person],
            system_loans_of: Mapping[str, list[str]]) -> None:
    same_loan: dict[tuple, list[LedgerFacts]] = defaultdict(list)
    outstanding: dict[str, list[LedgerFacts]] = defaultdict(list)
    accounts: dict[tuple[str, str], list[LedgerFacts]] = defaultdict(list)
    for row in rows:
        same_loan[(row.borrower_id, row.amount, row.disbursed_on)].append(row)
        if row.balance > 0:
            person = people.get(row.borrower_id)
            outstanding[person.household if person else (row.head_id or row.borrower_id)].append(row)
        if row.account_number:
            accounts[("账户", row.account_number)].append(row)
        if row.payee:
            accounts[("主体", row.payee)].append(row)
    for key, group in same_loan.items():
        if len({(r.bank, r.contract_number) for r in group}) > 1:
            numbers = "、".join(f"{r.bank_name or r.bank} {r.contract_number}" for r in group)
            out.add("duplicate_contract", group[0], f"同一借款人、金额、放款日期的贷款报送了 {len(group)} 次：{numbers}",
                    subject=f"{key[0]}:{key[1]}:{key[2].isoformat()}", rows=group)
    for household, group in outstanding.items():
        system = [n for n in system_loans_of.get(household, ()) if n not in {r.contract_number for r in group}]
        if len(group) + len(system) > 1:
            listed = "、".join([f"{r.bank_name or r.bank} {r.contract_number}" for r in group]
                               + [f"系统内 {n}" for n in system])
            out.add("two_policy_loans", group[0], f"该户有 {len(group) + len(system)} 笔在贷：{listed}",
                    subject=f"户:{household}", rows=group)
    for (kind, name), group in accounts.items():
        borrowers = {r.borrower_id for r in group}
        if len(borrowers) >= POOLED_MIN_BORROWERS:
            total = fen_to_yuan(sum(r.amount for r in group))
            out.add("pooled_to_one_account", group[0], f"{len(borrowers)} 户借款人的贷款（合计 {total} 元）流向同一{kind}“{name}”",
                    subject=f"{kind}:{name}", rows=group)


def reconcile(rows: Iterable[LedgerFacts], *, people: Mapping[str, Person], caps_on: Callable[[dt.date, int | None], Caps | None],
              officials: Mapping[str, str] | None = None, system_balances: Mapping[tuple[str, str], int] | None = None,
              system_loans_of: Mapping[str, list[str]] | None = None) -> list[Finding]:
    """Every finding of every check over ``rows`` (DOMAIN §10), each (check, subject) once.

    Args:
        rows: the ledger rows to check together (a bank's, or every bank's of an area).
        people: registered people by ID number.
        caps_on: the era's caps for a disbursement date and term (None before the first era).
        officials: public employees' ID numbers → their unit.
        system_balances: (bank code, loan number) → the balance of the loan the system services.
        system_loans_of: household key → numbers of the household's loans outstanding in the system.

    Returns:
        The findings, in check order then by bank and contract number.
    """
    rows = sorted(rows, key=lambda r: (r.bank, r.contract_number))  # a group's first row: not the file's order
    officials, system_balances = officials or {}, system_balances or {}
    out = _Findings()
    caps_cache: dict[tuple, Caps | None] = {}
    for row in rows:
        slot = (row.disbursed_on, row.term_months)
        if slot not in caps_cache:
            caps_cache[slot] = caps_on(row.disbursed_on, row.term_months)
        _per_row(out, row, people.get(row.borrower_id), caps_cache[slot], officials,
                 system_balances.get((row.bank, row.contract_number)))
    _groups(out, rows, people, system_loans_of or {})
    order = {name: i for i, name in enumerate(CHECKS)}
    return sorted(out.found.values(), key=lambda f: (order[f.check], f.bank, f.contract_number, f.subject))
