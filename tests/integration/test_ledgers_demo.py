"""Demo step "ledgers" (issue #13, done-when): the demo bank's month of 台账 imported by its officer with
exactly the six planted problems, each one problem case; the corrected file left in var/demo/ledgers
updates one row and records one change; the erroneous file is refused with two errors and changes
nothing; the month's file imported again changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.exchange.models import LedgerChange, LedgerImport, LedgerLoan
from microcredit.apps.exchange.services import ledger_import
from microcredit.apps.problems.models import Case
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)
STEPS = ("regions", "banks", "households", "users", "ratings", "loans", "servicing", "ledgers")
PLANTED = {"not_in_registry", "rate_over_cap", "two_policy_loans", "pooled_to_one_account", "balance_mismatch",
           "official_borrower"}


def _snapshot() -> tuple:
    return (LedgerLoan.objects.count(), LedgerChange.objects.count(), Case.objects.count(),
            sorted(LedgerLoan.objects.values_list("contract_number", "digest")))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    with (django_db_blocker.unblock(), override_settings(VAR_DIR=str(var)), pinned_business_date(DAY),
          transaction.atomic()):
        ctx = generate(seed=1, scale=scale_for("test", households=600), business_date=DAY, progress=io.StringIO(),
                       only=STEPS)
        officer, bank = ctx.users["bank"], ctx.users["bank"].bank
        first = LedgerImport.objects.get()
        out = {"first": first, "counts": dict(ctx.counts),
               "cases": list(Case.objects.filter(source="reconciliation").values_list("dedupe_key", "bank_id")),
               "bank": bank, "files": sorted(p.name for p in (Path(var) / "demo" / "ledgers").iterdir())}
        folder = Path(var) / "demo" / "ledgers"
        month = next(folder.glob("*台账-??????.xlsx"))
        corrected, broken = next(folder.glob("*-更正.xlsx")), next(folder.glob("*-有错误.xlsx"))

        def again(path: Path):
            return ledger_import(filename=path.name, data=path.read_bytes(), actor=officer, bank=bank,
                                 as_of=first.as_of).as_dict()

        before = _snapshot()
        out["same"], out["same_unchanged"] = again(month), _snapshot() == before
        out["broken"], out["broken_unchanged"] = again(broken), _snapshot() == before
        out["corrected"] = again(corrected)
        out["changes"] = list(LedgerChange.objects.values_list("changes", flat=True))
        out["cases_after"] = Case.objects.filter(source="reconciliation").count()
        transaction.set_rollback(True)
    return out


def test_the_month_is_imported_with_exactly_the_six_planted_findings(demo):
    first = demo["first"]
    assert first.status == "imported" and first.bank_id == demo["bank"].pk and first.error_count == 0
    assert first.counts["created"] == first.counts["read"] > 10 and first.counts["rejected"] == 0
    found = Counter(f["check"] for f in first.findings)
    assert set(found) == PLANTED and all(n == 1 for n in found.values()), found
    assert first.finding_count == 6
    assert len(demo["files"]) == 3


def test_each_finding_is_one_problem_case(demo):
    keys = [k for k, _bank in demo["cases"]]
    assert len(keys) == 6 and len(set(keys)) == 6
    assert {k.split(":")[1] for k in keys} == PLANTED
    assert {b for _k, b in demo["cases"]} == {demo["bank"].pk}


def test_reimporting_the_month_changes_nothing(demo):
    same = demo["same"]
    assert same["status"] == "imported" and demo["same_unchanged"]
    assert same["counts"]["unchanged"] == same["counts"]["read"] and same["counts"]["created"] == 0
    assert same["counts"]["updated"] == 0 and same["finding_count"] == 6


def test_the_erroneous_file_is_refused_with_two_errors(demo):
    broken = demo["broken"]
    assert broken["status"] == "refused" and broken["error_count"] == 2 and demo["broken_unchanged"]
    columns = {e["column"] for e in broken["errors"]}
    assert columns == {"放款日期", "贷款金额(元)"}, broken["errors"]
    assert all(e["row"] > 2 and e["message"] for e in broken["errors"])


def test_the_corrected_file_updates_one_row_and_records_the_change(demo):
    corrected = demo["corrected"]
    assert corrected["status"] == "imported"
    assert corrected["counts"]["updated"] == 1 and corrected["counts"]["created"] == 0
    assert corrected["counts"]["unchanged"] == corrected["counts"]["read"] - 1
    assert len(demo["changes"]) == 1
    assert set(demo["changes"][0]) == {"累计还款(元)", "贷款余额(元)"}
    assert "balance_mismatch" not in {f["check"] for f in corrected["findings"]}
    assert demo["cases_after"] == 6  # the mismatch's case stays for 整改销号; no new case
