"""Reconciliation of bank ledgers (issue #13 §3, DOMAIN §10): each of the thirteen problems planted in
one otherwise clean ledger is found exactly once, a clean row yields nothing, each finding is one
problem case (source reconciliation, deduplicated by key), a second run brings the cases up to date
instead of opening others, and a case closed by 整改销号 that is found again opens a new case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.exchange.services import (
    ledger_import,
    officials_import,
    reconcile_run,
)
from microcredit.apps.problems.models import Case
from microcredit.apps.problems.services import case_transition
from microcredit.apps.rating.models import BlacklistEntry
from microcredit.domain.identity import make_id_number
from microcredit.domain.reconciliation import CHECKS
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
HEADER = ["合同编号", "借款人姓名", "借款人身份证号", "户主身份证号", "贷款金额(元)", "贷款期限(月)", "放款日期",
          "执行年利率(%)", "累计还款(元)", "贷款余额(元)", "逾期起始日期", "累计贴息(元)", "放款账户", "纳入风险补偿",
          "贷款银行"]
DAY = dt.date(2026, 3, 15)
STRANGER = make_id_number("411224", dt.date(1985, 1, 1), 7, True)  # valid, not in the registry
POOL = "6217000099990001"


def born(year: int, seq: int) -> str:
    return make_id_number("411224", dt.date(year, 6, 1), seq, True)


def wrong_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:17] + last


@pytest.fixture
def world(business_day):
    w = County()  # region tree, bank NSH, its officer, a county user (tests/batch/portfolio.py)
    make_bank("YCB", "邮储银行")
    village = w.tree.villages[0]
    w.village_user = make_user("village_station", [village.prefix])
    w.county2 = make_user("county_office", [w.tree.county.prefix])
    seq = iter(range(1, 400))

    def person(key: str, year: int = 1985, **fields):
        number = born(year, next(seq))
        w.hh[key] = make_household(village, head_id_number=number, head_name=f"户主{key}", members=fields.pop("members", 0),
                                   **fields)
        return number

    w.hh = {}
    ids = {key: person(key) for key in ("clean", "blacklist", "digit", "dup", "amount", "term", "rate", "pool1", "pool2",
                                        "pool3", "pool4", "pool5", "subsidy", "flag", "arith", "official", "system")}
    ids["status"] = person("status", status="general")
    ids["wubao"] = person("wubao", is_wubao=True)
    ids["age"] = person("age", year=1950)
    ids["two"] = person("two", members=1)
    ids["two_spouse"] = w.hh["two"].members.exclude(id_number=ids["two"]).get().id_number
    BlacklistEntry.objects.create(household=w.hh["blacklist"], region_code=village.code, reason="恶意逃废债",
                                  listed_on=dt.date(2026, 1, 1), until=dt.date(2029, 1, 1))
    w.loan = w.loan(household=w.hh["system"], disbursed=DAY, rate="2.9")  # serviced: balance 50,000.00
    w.ids = ids
    officials_import(filename="公职人员.csv", data=table([["姓名", "身份证号", "工作单位"],
                                                         ["户主official", ids["official"], "卢氏县财政局"]]),
                     actor=w.county_user)
    return w


def table(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def row(number: str, borrower: str, **c) -> list:
    values = {"合同编号": number, "借款人姓名": "某某", "借款人身份证号": borrower, "户主身份证号": "",
              "贷款金额(元)": "50000", "贷款期限(月)": "36", "放款日期": DAY.isoformat(), "执行年利率(%)": "2.9",
              "累计还款(元)": "0", "贷款余额(元)": "50000", "逾期起始日期": "", "累计贴息(元)": "", "放款账户": "",
              "纳入风险补偿": "是", "贷款银行": "NSH"}
    values.update(c)
    return [values[h] for h in HEADER]


def planted(w) -> tuple[list[list], Counter]:
    """The ledger and what reconciliation must find: (check, contract number) → 1."""
    i = w.ids
    rows = [
        row("HT00", i["clean"]),
        row("HT01", STRANGER, 纳入风险补偿="否"),
        row("HT02", i["status"], **{"放款日期": "2024-03-15", "执行年利率(%)": "3.5", "纳入风险补偿": "否"}),
        row("HT03", i["wubao"], 纳入风险补偿="否"),
        row("HT04", i["age"]),
        row("HT05", i["blacklist"]),
        row("HT06", i["digit"], 户主身份证号=wrong_digit(i["digit"])),
        row("HT07a", i["dup"]), row("HT07b", i["dup"], **{"累计还款(元)": "50000", "贷款余额(元)": "0"}),
        row("HT08", i["amount"], **{"贷款金额(元)": "150000", "贷款余额(元)": "150000", "纳入风险补偿": "否"}),
        row("HT09", i["term"], **{"贷款期限(月)": "48"}),
        row("HT10", i["rate"], **{"执行年利率(%)": "3.5"}),
        row("HT11a", i["two"]), row("HT11b", i["two_spouse"], **{"贷款金额(元)": "30000", "贷款余额(元)": "30000",
                                                                "放款日期": "2026-04-01"}),
        *[row(f"HT12{c}", i[f"pool{n}"], 放款账户=POOL) for n, c in enumerate("abcde", start=1)],
        row("HT13", i["subsidy"], **{"逾期起始日期": "2026-04-15", "累计贴息(元)": "5000"}),
        row("HT14", i["flag"], 纳入风险补偿="否"),
        row("HT15", i["arith"], **{"累计还款(元)": "10000", "贷款余额(元)": "45000"}),
        row(w.loan.number, i["system"], **{"累计还款(元)": "2000", "贷款余额(元)": "48000"}),
        row("HT17", i["official"]),
    ]
    expected = Counter({("not_in_registry", "HT01"): 1, ("not_eligible", "HT02"): 1, ("not_eligible", "HT03"): 1,
                        ("not_eligible", "HT04"): 1, ("not_eligible", "HT05"): 1, ("id_check_digit", "HT06"): 1,
                        ("duplicate_contract", "HT07a"): 1, ("amount_over_cap", "HT08"): 1,
                        ("term_over_cap", "HT09"): 1, ("rate_over_cap", "HT10"): 1, ("two_policy_loans", "HT11a"): 1,
                        ("pooled_to_one_account", "HT12a"): 1, ("subsidy_on_overdue_period", "HT13"): 1,
                        ("risk_fund_flag", "HT14"): 1, ("balance_mismatch", "HT15"): 1,
                        ("balance_mismatch", w.loan.number): 1, ("official_borrower", "HT17"): 1})
    return [HEADER, *rows], expected


def imported(w) -> dict:
    rows, _expected = planted(w)
    result = ledger_import(filename="planted.csv", data=table(rows), actor=w.officer, bank=w.bank)
    body = result.as_dict()
    assert not result.refused, body["errors"]
    return body


def test_each_planted_problem_is_found_exactly_once(world):
    w = world
    body = imported(w)
    _rows, expected = planted(w)
    found = Counter((f["check"], f["contract_number"]) for f in body["findings"])
    assert found == expected
    assert {check for check, _n in found} == set(CHECKS)  # all thirteen checks
    assert body["finding_count"] == len(body["findings"]) == 17
    assert not [f for f in body["findings"] if f["contract_number"] == "HT00"]  # the clean row yields nothing
    details = {(f["check"], f["contract_number"]): f["detail"] for f in body["findings"]}
    assert "户类型不属于" in details[("not_eligible", "HT02")]
    assert "五保户" in details[("not_eligible", "HT03")]
    assert "放款时借款人 75 岁" in details[("not_eligible", "HT04")]
    assert "黑名单" in details[("not_eligible", "HT05")]
    assert details[("id_check_digit", "HT06")].startswith("户主身份证号")
    assert "HT07a" in details[("duplicate_contract", "HT07a")] and "HT07b" in details[("duplicate_contract", "HT07a")]
    assert "HT11b" in details[("two_policy_loans", "HT11a")]
    assert POOL in details[("pooled_to_one_account", "HT12a")]
    assert details[("balance_mismatch", "HT15")] == "贷款金额 50000.00 − 累计还款 10000.00 ≠ 余额 45000.00 元"
    assert details[("balance_mismatch", w.loan.number)] == "台账余额 48000.00 元，系统中该笔贷款余额 50000.00 元"
    assert details[("official_borrower", "HT17")] == "借款人为公职人员（卢氏县财政局）"


def test_each_finding_is_one_case_and_a_second_run_updates_it(world):
    w = world
    body = imported(w)
    cases = Case.objects.filter(source="reconciliation")
    assert cases.count() == body["finding_count"] == 17
    keys = set(cases.values_list("dedupe_key", flat=True))
    assert len(keys) == 17 and all(k.startswith("ledger:") for k in keys)
    assert Counter(k.split(":")[1] for k in keys) == Counter(f["check"] for f in body["findings"])
    assert set(cases.values_list("found_count", flat=True)) == {1}
    pooled = cases.get(dedupe_key=f"ledger:pooled_to_one_account:账户:{POOL}")
    assert len(pooled.evidence) == 5
    run = reconcile_run(actor=w.county_user, bank_ids=[w.bank.pk])
    assert run.finding_count == 17
    assert cases.count() == 17 and set(cases.values_list("found_count", flat=True)) == {2}


def test_a_case_closed_by_rectification_and_found_again_opens_a_new_case(world):
    w = world
    imported(w)
    key = "ledger:rate_over_cap:NSH:HT10"
    case = Case.objects.get(dedupe_key=key)
    village = w.tree.villages[0]
    case = case_transition(case=case, action="assign", actor=w.county_user, owner_role="village_station",
                           owner_region=village.code, deadline=dt.date(2026, 12, 20))
    pdf = SimpleUploadedFile("整改.pdf", b"%PDF-1.4 evidence\n", content_type="application/pdf")
    case = case_transition(case=case, action="rectify", actor=w.village_user, rectification="已按政策利率重签合同",
                           documents=[pdf])
    case = case_transition(case=case, action="verify", actor=w.county_user)
    case = case_transition(case=case, action="close", actor=w.county2)
    assert case.state == "closed"
    reconcile_run(actor=w.county_user, bank_ids=[w.bank.pk])
    both = list(Case.objects.filter(dedupe_key=key).order_by("pk").values_list("pk", "state", "found_count"))
    assert both[0] == (case.pk, "closed", 1)
    assert len(both) == 2 and both[1][1] == "opened" and both[1][2] == 1
    assert Case.objects.filter(source="reconciliation").count() == 18
