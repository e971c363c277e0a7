"""The calculator (microcredit/calculator.py): JSON formats and bad input, run as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from microcredit.calculator import run

ROOT = Path(__file__).resolve().parents[2]

QUARTERLY = {"principal": "50000", "annual_rate": "4.35", "disbursed_on": "2018-03-15",
             "term_months": 36, "method": "interest_quarterly"}


def cli(command: str, stdin: str | dict) -> subprocess.CompletedProcess:
    text = stdin if isinstance(stdin, str) else json.dumps(stdin, ensure_ascii=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "microcredit.calculator", command], input=text,
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def section_5_3_statement() -> dict:
    interest = ["36.25", "555.83", "555.83", "549.79", "543.75"]
    dues = ["2018-03-21", "2018-06-21", "2018-09-21", "2018-12-21", "2019-03-21"]
    payments = [{"date": day, "amount": amt} for day, amt in zip(dues, interest)]
    payments.append({"date": "2019-08-01", "amount": "600.00"})
    return {"loan": QUARTERLY, "payments": payments, "as_of": "2020-01-01",
            "subsidy": {"cap_rate": "4.35", "ratio": "1", "max_years": 3}}


def test_schedule_command():
    result = cli("schedule", QUARTERLY)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["maturity_date"] == "2021-03-15"
    assert len(out["installments"]) == 13
    assert out["installments"][0] == {"due_date": "2018-03-21", "principal": "0.00",
                                      "interest": "36.25"}
    assert out["installments"][-1] == {"due_date": "2021-03-15", "principal": "50000.00",
                                       "interest": "507.50"}


def test_schedule_reads_json_numbers_as_decimals_never_floats():
    result = cli("schedule", '{"principal": 30000, "annual_rate": 4.35, "disbursed_on": '
                             '"2019-05-08", "term_months": 12, "method": "bullet"}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["installments"] == [
        {"due_date": "2020-05-08", "principal": "30000.00", "interest": "1326.75"}]


def test_run_refuses_python_floats():
    with pytest.raises(ValueError):
        run("schedule", {**QUARTERLY, "annual_rate": 4.35})


def test_statement_command_on_the_section_5_3_example():
    result = cli("statement", section_5_3_statement())
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {k: out[k] for k in ("maturity_date", "days_past_due", "classification",
                                "principal_outstanding", "overdue_principal", "overdue_interest",
                                "penalty_owed", "advance")} == {
        "maturity_date": "2021-03-15", "days_past_due": 102, "classification": "substandard",
        "principal_outstanding": "50000.00", "overdue_principal": "0.00",
        "overdue_interest": "1065.58", "penalty_owed": "10.64", "advance": "0.00"}
    assert len(out["installments"]) == len(out["subsidy"]) == 13
    assert out["installments"][5] == {"due_date": "2019-06-21", "principal_paid": "0.00",
                                      "interest_paid": "555.83", "penalty_paid": "4.13",
                                      "paid_off_on": "2019-08-01"}
    assert out["installments"][6]["interest_paid"] == "40.04"
    assert out["installments"][6]["paid_off_on"] is None
    assert out["subsidy"][0] == {"period_start": "2018-03-15", "due_date": "2018-03-21",
                                 "eligible": True, "amount": "36.25"}
    assert out["subsidy"][5]["eligible"] is False and out["subsidy"][5]["amount"] == "0.00"


def test_statement_subsidy_defaults_to_the_cap_rate_of_the_era():
    payload = section_5_3_statement()
    del payload["subsidy"]
    out = run("statement", payload)
    assert out["subsidy"][1]["amount"] == "555.83"


def test_share_loss_command():
    result = cli("share-loss", {"loss": "3.33", "parties": [
        {"name": "风险补偿金", "ratio": "0.2"}, {"name": "银行", "ratio": "0.1"},
        {"name": "农担", "ratio": "0.5"}, {"name": "省担", "ratio": "0.2"}]})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"shares": [
        {"name": "风险补偿金", "amount": "0.67"}, {"name": "银行", "amount": "0.33"},
        {"name": "农担", "amount": "1.67"}, {"name": "省担", "amount": "0.66"}]}


def test_share_loss_preset():
    out = run("share-loss", {"loss": "10000.01", "preset": "fund_bank_70_30"})
    assert out == {"shares": [{"name": "fund", "amount": "7000.01"},
                              {"name": "bank", "amount": "3000.00"}]}


def with_(base: dict, **changes) -> dict:
    out = json.loads(json.dumps(base))
    for key, value in changes.items():
        if value is None:
            out.pop(key)
        else:
            out[key] = value
    return out


STATEMENT = section_5_3_statement()

BAD_INPUT = [
    ("negative principal", "schedule", with_(QUARTERLY, principal="-100"), "principal"),
    ("unknown method", "schedule", with_(QUARTERLY, method="balloon"), "method"),
    ("nonexistent date", "schedule", with_(QUARTERLY, disbursed_on="2019-02-30"), "disbursed_on"),
    ("missing field", "schedule", with_(QUARTERLY, term_months=None), "term_months"),
    ("three decimals", "schedule", with_(QUARTERLY, principal="50000.005"), "principal"),
    ("fractional term", "schedule", with_(QUARTERLY, term_months="12.5"), "term_months"),
    ("not JSON", "schedule", "{principal: 5", "输入"),
    ("JSON but not an object", "schedule", "[1, 2]", "输入"),
    ("ratios not summing to 1", "share-loss",
     {"loss": "100", "parties": [{"name": "fund", "ratio": "0.7"}, {"name": "bank", "ratio": "0.2"}]},
     "parties"),
    ("missing party ratio", "share-loss", {"loss": "100", "parties": [{"name": "fund"}]},
     "parties[0].ratio"),
    ("payment before disbursement", "statement",
     with_(STATEMENT, payments=[{"date": "2018-03-14", "amount": "10.00"}]), "payments[0].date"),
    ("payment with three decimals", "statement",
     with_(STATEMENT, payments=[{"date": "2018-04-14", "amount": "10.001"}]), "payments[0].amount"),
    ("payment date that does not exist", "statement",
     with_(STATEMENT, payments=[{"date": "2019-02-30", "amount": "10.00"}]), "payments[0].date"),
    ("negative loan principal in a statement", "statement",
     with_(STATEMENT, loan=with_(QUARTERLY, principal="-1")), "loan.principal"),
    ("missing as_of", "statement", with_(STATEMENT, as_of=None), "as_of"),
    ("subsidy ratio above 1", "statement",
     with_(STATEMENT, subsidy={"cap_rate": "4.35", "ratio": "1.5", "max_years": 3}),
     "subsidy.ratio"),
]


@pytest.mark.parametrize("command, stdin, field", [b[1:] for b in BAD_INPUT],
                         ids=[b[0] for b in BAD_INPUT])
def test_bad_input_exits_2_with_one_chinese_line_naming_the_field(command, stdin, field):
    result = cli(command, stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0].replace("错误", "").replace("字段", ""))


def test_unknown_command_exits_2():
    result = cli("amortize", QUARTERLY)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_statement_with_an_early_settlement_payment():
    payload = {"loan": QUARTERLY, "as_of": "2018-12-31",
               "payments": [{"date": "2018-03-21", "amount": "36.25"},
                            {"date": "2018-06-21", "amount": "555.83"},
                            {"date": "2018-08-01", "amount": "50247.71", "kind": "settlement"}]}
    out = run("statement", payload)
    assert (out["principal_outstanding"], out["advance"], out["classification"]) == (
        "0.00", "0.00", "normal")
    assert out["installments"][2] == {"due_date": "2018-08-01", "principal_paid": "50000.00",
                                      "interest_paid": "247.71", "penalty_paid": "0.00",
                                      "paid_off_on": "2018-08-01"}
    assert all(i["paid_off_on"] == "2018-08-01" for i in out["installments"][3:])
    assert out["subsidy"][2]["eligible"] is True and out["subsidy"][2]["amount"] == "247.71"
    assert all(s["amount"] == "0.00" for s in out["subsidy"][3:])
