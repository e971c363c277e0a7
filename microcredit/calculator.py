"""The loan calculator: JSON in, JSON out (DOMAIN §5–§7; docs/calculator.md).

``run(command, payload)`` is a pure function; ``main(argv)`` is the command line::

    echo '{"principal":"50000","annual_rate":"4.35","disbursed_on":"2018-03-15",
           "term_months":36,"method":"interest_quarterly"}' | python -m microcredit.calculator schedule

Commands: ``schedule``, ``statement``, ``share-loss``. Amounts are strings in yuan with two
decimals, dates ISO 8601, rates percent per year. Bad input: one Chinese line on stderr
naming the field, exit status 2.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from microcredit.domain.dates import parse_iso_date
from microcredit.domain.errors import DomainError
from microcredit.domain.loss_sharing import SHARING_PRESETS, share_loss
from microcredit.domain.money import fen_to_yuan, yuan_to_fen
from microcredit.domain.rates import cap_rate
from microcredit.domain.schedules import LoanTerms, build_schedule, validate_terms
from microcredit.domain.servicing import Payment, loan_state
from microcredit.domain.subsidy import SubsidyTerms, subsidy_by_period, validate_subsidy_terms

__all__ = ["COMMANDS", "run", "main"]

COMMANDS = ("schedule", "statement", "share-loss")


def _field(obj: Any, key: str, path: str) -> Any:
    if not isinstance(obj, dict):
        raise DomainError(path or "输入", "必须是 JSON 对象")
    if key not in obj or obj[key] is None:
        raise DomainError(_join(path, key), "缺少字段")
    return obj[key]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _amount(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise DomainError(field, "金额必须是字符串或数字（元，最多两位小数）")
    try:
        return yuan_to_fen(value)
    except ValueError as exc:
        raise DomainError(field, str(exc)) from None


def _decimal(value: Any, field: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise DomainError(field, f"{what}必须是十进制数")
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise DomainError(field, f"{what}格式不正确：{value}") from None
    if not result.is_finite():
        raise DomainError(field, f"{what}必须是有限数")
    return result


def _ratio(value: Any, field: str) -> Decimal:
    if isinstance(value, str) and value.strip().endswith("%"):
        return _decimal(value.strip()[:-1], field, "比例") / 100
    return _decimal(value, field, "比例")


def _integer(value: Any, field: str, what: str) -> int:
    if isinstance(value, bool):
        raise DomainError(field, f"{what}必须是整数")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if not isinstance(value, int):
        raise DomainError(field, f"{what}必须是整数")
    return value


def _date(value: Any, field: str) -> date:
    return parse_iso_date(value, field)


def _terms(obj: Any, path: str) -> LoanTerms:
    terms = LoanTerms(
        principal=_amount(_field(obj, "principal", path), _join(path, "principal")),
        annual_rate=_decimal(_field(obj, "annual_rate", path), _join(path, "annual_rate"),
                             "年利率"),
        disbursed_on=_date(_field(obj, "disbursed_on", path), _join(path, "disbursed_on")),
        term_months=_integer(_field(obj, "term_months", path), _join(path, "term_months"),
                             "期限（月）"),
        method=_field(obj, "method", path),
    )
    if not isinstance(terms.method, str):
        raise DomainError(_join(path, "method"), "还款方式必须是字符串")
    errors = validate_terms(terms)
    if errors:
        raise DomainError(_join(path, errors[0].field), errors[0].message)
    return terms


def _schedule(payload: dict) -> dict:
    terms = _terms(payload, "")
    schedule = build_schedule(terms)
    return {
        "maturity_date": schedule.maturity_date.isoformat(),
        "installments": [
            {"due_date": i.due_date.isoformat(), "principal": fen_to_yuan(i.principal),
             "interest": fen_to_yuan(i.interest)}
            for i in schedule.installments
        ],
    }


def _payments(raw: Any, terms: LoanTerms) -> list[Payment]:
    if not isinstance(raw, list):
        raise DomainError("payments", "必须是数组")
    out: list[Payment] = []
    for k, item in enumerate(raw):
        path = f"payments[{k}]"
        day = _date(_field(item, "date", path), f"{path}.date")
        if day < terms.disbursed_on:
            raise DomainError(f"{path}.date", f"还款日期 {day.isoformat()} 早于放款日 "
                                              f"{terms.disbursed_on.isoformat()}")
        amount = _amount(_field(item, "amount", path), f"{path}.amount")
        if amount <= 0:
            raise DomainError(f"{path}.amount", "还款金额必须大于 0")
        kind = item.get("kind") or "regular"
        if kind not in ("regular", "settlement"):
            raise DomainError(f"{path}.kind", f"未知的还款类型：{kind}（可选：regular、settlement）")
        out.append(Payment(day, amount, kind))
    return out


def _subsidy_terms(payload: dict, terms: LoanTerms) -> SubsidyTerms:
    raw = payload.get("subsidy")
    if raw is None:
        try:
            cap = cap_rate(terms.disbursed_on, terms.term_months)
        except DomainError as exc:
            raise DomainError("subsidy", f"未给出贴息参数且无法确定利率上限：{exc.message}") from None
        return SubsidyTerms(cap, Decimal(1))
    st = SubsidyTerms(
        cap_rate=_decimal(_field(raw, "cap_rate", "subsidy"), "subsidy.cap_rate", "贴息利率上限"),
        ratio=_ratio(_field(raw, "ratio", "subsidy"), "subsidy.ratio"),
        max_years=_integer(raw.get("max_years", 3), "subsidy.max_years", "贴息年限"),
        grace_days=_integer(raw.get("grace_days", 0), "subsidy.grace_days", "宽限天数"),
    )
    errors = validate_subsidy_terms(st)
    if errors:
        raise DomainError(f"subsidy.{errors[0].field}", errors[0].message)
    return st


def _statement(payload: dict) -> dict:
    terms = _terms(_field(payload, "loan", ""), "loan")
    payments = _payments(payload.get("payments", []), terms)
    as_of = _date(_field(payload, "as_of", ""), "as_of")
    if as_of < terms.disbursed_on:
        raise DomainError("as_of", f"as_of {as_of.isoformat()} 早于放款日")
    markup = _decimal(payload.get("penalty_markup", "0.5"), "penalty_markup", "罚息上浮比例")
    if markup < 0:
        raise DomainError("penalty_markup", "罚息上浮比例不能为负数")
    st = _subsidy_terms(payload, terms)
    schedule = build_schedule(terms)
    state = loan_state(schedule, terms, payments, as_of, penalty_markup=markup)
    periods = subsidy_by_period(schedule, terms, state, st)
    return {
        "maturity_date": state.maturity_date.isoformat(),
        "days_past_due": state.days_past_due,
        "classification": state.classification,
        "principal_outstanding": fen_to_yuan(state.principal_outstanding),
        "overdue_principal": fen_to_yuan(state.overdue_principal),
        "overdue_interest": fen_to_yuan(state.overdue_interest),
        "penalty_owed": fen_to_yuan(state.penalty_owed),
        "advance": fen_to_yuan(state.advance),
        "installments": [
            {"due_date": i.due_date.isoformat(), "principal_paid": fen_to_yuan(i.principal_paid),
             "interest_paid": fen_to_yuan(i.interest_paid),
             "penalty_paid": fen_to_yuan(i.penalty_paid),
             "paid_off_on": i.paid_off_on.isoformat() if i.paid_off_on else None}
            for i in state.installments
        ],
        "subsidy": [
            {"period_start": p.period_start.isoformat(), "due_date": p.due_date.isoformat(),
             "eligible": p.eligible, "amount": fen_to_yuan(p.amount)}
            for p in periods
        ],
    }


def _share_loss(payload: dict) -> dict:
    loss = _amount(_field(payload, "loss", ""), "loss")
    if loss < 0:
        raise DomainError("loss", "损失金额不能为负数")
    if "parties" not in payload and "preset" in payload:
        preset = payload["preset"]
        if preset not in SHARING_PRESETS:
            raise DomainError("preset", f"未知的分担方案：{preset}（可选：{'、'.join(SHARING_PRESETS)}）")
        parties = list(SHARING_PRESETS[preset])
    else:
        raw = _field(payload, "parties", "")
        if not isinstance(raw, list):
            raise DomainError("parties", "必须是数组")
        parties = []
        for k, item in enumerate(raw):
            name = _field(item, "name", f"parties[{k}]")
            if not isinstance(name, str):
                raise DomainError(f"parties[{k}].name", "名称必须是字符串")
            parties.append((name, _ratio(_field(item, "ratio", f"parties[{k}]"),
                                         f"parties[{k}].ratio")))
    shares = share_loss(loss, parties)
    return {"shares": [{"name": n, "amount": fen_to_yuan(a)} for n, a in shares]}


def run(command: str, payload: dict) -> dict:
    """Run one calculator command on a parsed JSON payload (DOMAIN §5–§7).

    Raises:
        DomainError: bad input, naming the field (Chinese).
    """
    if not isinstance(payload, dict):
        raise DomainError("输入", "必须是 JSON 对象")
    if command == "schedule":
        return _schedule(payload)
    if command == "statement":
        return _statement(payload)
    if command == "share-loss":
        return _share_loss(payload)
    raise DomainError("命令", f"未知命令：{command}（可选：{'、'.join(COMMANDS)}）")


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def main(argv: list[str]) -> int:
    """Command line: ``<command>`` with JSON on stdin, JSON on stdout (docs/calculator.md).

    Returns 0 on success, 2 on bad input (one Chinese line on stderr naming the field).
    """
    try:
        if len(argv) != 1:
            raise DomainError("命令", f"需要且只需要一个命令（{'、'.join(COMMANDS)}）")
        if argv[0] not in COMMANDS:
            raise DomainError("命令", f"未知命令：{argv[0]}（可选：{'、'.join(COMMANDS)}）")
        text = sys.stdin.read()
        try:
            payload = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except (json.JSONDecodeError, ValueError) as exc:
            where = (f"（第 {exc.lineno} 行第 {exc.colno} 列）"
                     if isinstance(exc, json.JSONDecodeError) else "")
            raise DomainError("输入", f"不是有效的 JSON{where}") from None
        result = run(argv[0], payload)
    except DomainError as exc:
        message = " ".join(str(exc.message).split())
        print(f"错误：字段 {exc.field}：{message}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
