"""Bank ledger imports (issue #13 §1–2, DOMAIN §10): a corpus of messy files generated here — one per
defect real files carry — each with its exact report; re-import is a no-op; one bad row refuses the
whole file; a corrected file updates and records what changed; duplicate numbers and other banks'
rows are refused; the import-ledger command's exit status and report; hostile files refused in
Chinese, never an exception.

The registry holds eight borrowers (born 1985, 贫困户, one household each) so a clean file yields no
finding: every loan is a 2026 loan of 5万 for 36 months at 2.9 % (the 帮扶小额信贷 caps: 10万, 36
months, 3.0 %).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json

import pytest
import xlsxwriter
from django.core.management import call_command

from microcredit.apps.exchange.models import LedgerChange, LedgerImport, LedgerLoan
from microcredit.apps.exchange.services import ledger_import
from microcredit.apps.problems.models import Case
from microcredit.domain.identity import make_id_number
from tests.factories import make_bank, make_household, make_region_tree, make_user
from tests.integration.test_hostile_uploads import EXE, MB_CHUNK, two_cells, xlsx

pytestmark = pytest.mark.django_db
HEADER = ["合同编号", "借款人姓名", "借款人身份证号", "贷款金额(元)", "贷款期限(月)", "放款日期", "执行年利率(%)",
          "贷款余额(元)", "贷款银行"]
DISBURSED = dt.date(2026, 3, 15)
MANGLED = "被 Excel 存成了数字（科学计数法），后几位已丢失；请把该列设为文本后重新填写"
STRANGER = make_id_number("411224", dt.date(1985, 1, 1), 5, True)  # valid, not in the registry
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"]


class World:
    pass


def _id_with_x() -> str:
    """A valid ID number whose check character is X (born 1985)."""
    for seq in range(400):
        number = make_id_number("411224", dt.date(1985, 7, 1), seq, True)
        if number.endswith("X"):
            return number
    raise AssertionError("no X in 400 sequences")


@pytest.fixture
def w(business_day):
    w = World()
    w.tree = make_region_tree()
    w.bank, w.other = make_bank(), make_bank("YCB", "邮储银行")
    w.officer = make_user("bank_officer", [w.tree.county.prefix], bank=w.bank)
    w.ids = [make_id_number("411224", dt.date(1985, 5, 1), seq, True) for seq in range(1, len(NAMES))] + [_id_with_x()]
    w.households = [make_household(w.tree.villages[i % 4], head_id_number=number, head_name=name)
                    for i, (name, number) in enumerate(zip(NAMES, w.ids, strict=True))]
    return w


def loan(w, i: int, **changes) -> list:
    """Row i of a clean ledger in HEADER's order."""
    row = {"合同编号": f"NSH2026{i + 1:04d}", "借款人姓名": NAMES[i], "借款人身份证号": w.ids[i], "贷款金额(元)": "50000",
           "贷款期限(月)": "36", "放款日期": DISBURSED.isoformat(), "执行年利率(%)": "2.9", "贷款余额(元)": "50000",
           "贷款银行": "NSH"}
    row.update(changes)
    return [row[h] for h in HEADER]


def book(rows: list[list], merges=(), formats: dict | None = None) -> bytes:
    """An .xlsx written with XlsxWriter: str cells as text, numbers as numbers, dates as date cells;
    ``merges`` are (first row, first col, last row, last col, text)."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("台账")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    time_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, time_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    for first_row, first_col, last_row, last_col, text in merges:
        sheet.merge_range(first_row, first_col, last_row, last_col, text)
    workbook.close()
    return out.getvalue()


def text_file(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def run(w, name: str, data: bytes, bank="default", **kw) -> dict:
    result = ledger_import(filename=name, data=data, actor=w.officer, bank=w.bank if bank == "default" else bank, **kw)
    body = result.as_dict()
    assert body["status"] == ("refused" if result.refused else "imported")
    return body


def counts(read=0, created=0, updated=0, unchanged=0, rejected=0) -> dict:
    return {"read": read, "created": created, "updated": updated, "unchanged": unchanged, "rejected": rejected}


def stored(bank=None) -> dict[str, tuple]:
    """Contract number → (name, ID, amount fen, term, disbursed, rate, balance)."""
    return {o.contract_number: (o.borrower_name, o.borrower_id, o.amount, o.term_months, o.disbursed_on,
                                str(o.annual_rate), o.balance)
            for o in LedgerLoan.objects.filter(**({"bank": bank} if bank else {}))}


def clean(w, i: int, **changes) -> tuple:
    values = (NAMES[i], w.ids[i], 5_000_000, 36, DISBURSED, "2.9000", 5_000_000)
    return tuple(changes.get(k, v) for k, v in zip(("name", "id", "amount", "term", "day", "rate", "balance"), values,
                                                     strict=True))


def assert_imported(body: dict, n: int, **more) -> None:
    assert body["counts"] == counts(read=n, created=n, **more)
    assert (body["errors"], body["error_count"], body["findings"], body["finding_count"]) == ([], 0, [], 0)


# --- the corpus: one file per defect -----------------------------------------------------------------

def test_title_and_date_line_over_the_header(w):
    data = book([["卢氏农商银行帮扶小额信贷台账"], ["数据日期：2026年10月31日", "", "", "", "", "", "", "单位：元"], HEADER,
                 *[loan(w, i) for i in range(3)]], merges=[(0, 0, 0, 8, "卢氏农商银行帮扶小额信贷台账")])
    body = run(w, "title.xlsx", data)
    assert_imported(body, 3)
    assert body["ignored_columns"] == []
    assert stored() == {f"NSH2026{i + 1:04d}": clean(w, i) for i in range(3)}


def test_two_line_header_with_merged_group_titles(w):
    upper = ["合同编号", "借款人信息", "", "贷款信息", "", "", "", "", "逾期情况", "", "贷款银行"]
    lower = ["", "姓名", "身份证号", "贷款金额(元)", "贷款期限(月)", "放款日期", "执行年利率(%)", "贷款余额(元)", "金额",
             "起始日期", ""]
    rows = [loan(w, i)[:8] + ["", "", "NSH"] for i in range(3)]
    rows[1][8:10] = ["1200", "2026-09-01"]
    merges = [(0, 0, 1, 0, "合同编号"), (0, 1, 0, 2, "借款人信息"), (0, 3, 0, 7, "贷款信息"), (0, 8, 0, 9, "逾期情况"),
              (0, 10, 1, 10, "贷款银行")]
    body = run(w, "two_lines.xlsx", book([upper, lower, *rows], merges=merges))
    assert_imported(body, 3)
    assert stored() == {f"NSH2026{i + 1:04d}": clean(w, i) for i in range(3)}
    second = LedgerLoan.objects.get(contract_number="NSH20260002")
    assert (second.overdue_amount, second.overdue_since) == (120_000, dt.date(2026, 9, 1))
    assert LedgerLoan.objects.get(contract_number="NSH20260001").overdue_amount is None


def test_totals_and_blank_rows_are_not_loans(w):
    rows = [HEADER, loan(w, 0), [""] * 9, loan(w, 1), ["小计", "", "", "100000", "", "", "", "100000", ""],
            ["", "", "", "", "", "", "", "", ""], loan(w, 2), ["合 计", "", "", "150,000.00", "", "", "", "150000", ""]]
    body = run(w, "totals.csv", text_file(rows))
    assert_imported(body, 3)
    assert sorted(stored()) == ["NSH20260001", "NSH20260002", "NSH20260003"]


def test_full_width_digits_and_spaces(w):
    full = str.maketrans("0123456789.,X", "０１２３４５６７８９．，Ｘ")
    rows = [HEADER] + [loan(w, i, **{"借款人姓名": f"\u3000{NAMES[i]}\u3000", "借款人身份证号": w.ids[i].translate(full),
                                     "贷款金额(元)": "５００００", "贷款余额(元)": " ５０，０００．００ ",
                                     "贷款期限(月)": "３６", "执行年利率(%)": "２．９"})
                       for i in (0, 7)]
    body = run(w, "full_width.csv", text_file(rows))
    assert_imported(body, 2)
    assert stored() == {"NSH20260001": clean(w, 0), "NSH20260008": clean(w, 7)}


def test_thousands_separators_and_amounts_in_wan(w):
    header = [*HEADER]
    header[3] = "贷款金额（万元）"
    rows = [header, loan(w, 0, **{"贷款金额(元)": "5", "贷款余额(元)": "50,000.00"}),
            loan(w, 1, **{"贷款金额(元)": 4.5, "贷款余额(元)": "45,000"}),
            loan(w, 2, **{"贷款金额(元)": "3.000001", "贷款余额(元)": 30000.01})]
    body = run(w, "wan.xlsx", book(rows))
    assert_imported(body, 3)
    assert stored() == {"NSH20260001": clean(w, 0), "NSH20260002": clean(w, 1, amount=4_500_000, balance=4_500_000),
                        "NSH20260003": clean(w, 2, amount=3_000_001, balance=3_000_001)}


def test_dates_as_serials_date_time_cells_and_text(w):
    serial = (DISBURSED - dt.date(1899, 12, 30)).days
    cells = [float(serial), dt.datetime(2026, 3, 15, 9, 30), DISBURSED, "2026-03-15", "2026/3/15", "2026年3月15日",
             "20260315", 20260315]
    body = run(w, "dates.xlsx", book([HEADER] + [loan(w, i, 放款日期=c) for i, c in enumerate(cells)]))
    assert_imported(body, 8)
    assert stored() == {f"NSH2026{i + 1:04d}": clean(w, i) for i in range(8)}


def test_id_number_missing_its_x_is_repaired(w):
    body = run(w, "lost_x.csv", text_file([HEADER, loan(w, 7, 借款人身份证号=w.ids[7][:17]),
                                           loan(w, 6, 借款人身份证号=w.ids[6].lower() + " ")]))
    assert_imported(body, 2)
    assert stored()["NSH20260008"] == clean(w, 7) and w.ids[7].endswith("X")


def test_id_numbers_in_scientific_notation_are_refused_with_the_reason(w):
    number = float(w.ids[1])
    rows = [HEADER, loan(w, 0), loan(w, 1, 借款人身份证号=number), loan(w, 2, 借款人身份证号="4.11224E+17")]
    body = run(w, "scientific.xlsx", book(rows))
    assert body["counts"] == counts(read=3, rejected=2)
    assert body["errors"] == [
        {"row": 3, "column": "借款人身份证号", "value": format(number, ".15g"), "rule": "cell", "message": MANGLED},
        {"row": 4, "column": "借款人身份证号", "value": "4.11224E+17", "rule": "cell", "message": MANGLED},
    ]
    assert body["findings"] == [] and LedgerLoan.objects.count() == 0


def test_header_variants_are_recognised(w):
    header = ["序号", "借据号", "客户名称", "证件号码", "贷款金额（万元）", "贷款期限（月）", "发放日期", "执行利率(%)",
              "贷款余额（元）", "放款银行", "人均纯收入(元/年)"]
    rows = [header] + [[i + 1, f"JJ{i + 1:03d}", NAMES[i], w.ids[i], "5", 36, "2026/3/15", 2.9, "50000", "卢氏农商银行",
                        "6500"] for i in range(2)]
    body = run(w, "variants.xlsx", book(rows))
    assert_imported(body, 2)
    assert body["ignored_columns"] == ["人均纯收入(元/年)"]
    assert stored() == {"JJ001": clean(w, 0), "JJ002": clean(w, 1)}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_sig_and_gb18030(w, encoding):
    rows = [["卢氏农商银行台账（数据日期：2026年10月31日）"], HEADER] + [loan(w, i) for i in range(3)]
    body = run(w, f"ledger_{encoding}.csv", text_file(rows, encoding))
    assert_imported(body, 3)
    assert stored() == {f"NSH2026{i + 1:04d}": clean(w, i) for i in range(3)}
    if encoding == "gb18030":
        assert not text_file(rows, encoding).startswith(codecs.BOM_UTF8)


# --- re-import, refusal as a whole, corrections --------------------------------------------------------

def test_re_import_of_the_same_file_changes_nothing(w):
    """Decided: a re-import writes no ledger row and no change, adds its own import record, and
    re-runs reconciliation — the open case of a finding is found again (found_count 2), never a second."""
    rows = [HEADER, loan(w, 0), loan(w, 1), loan(w, 2, 借款人身份证号=STRANGER)]
    data = book(rows)
    first = run(w, "month.xlsx", data)
    assert first["counts"] == counts(read=3, created=3)
    assert [f["check"] for f in first["findings"]] == ["not_in_registry"]
    before = {o.pk: (o.digest, o.last_import_id) for o in LedgerLoan.objects.all()}
    case = Case.objects.get(source="reconciliation")
    assert case.found_count == 1
    again = run(w, "month.xlsx", data)
    assert again["counts"] == counts(read=3, unchanged=3)
    assert again["errors"] == [] and again["findings"] == first["findings"]
    assert {o.pk: (o.digest, o.last_import_id) for o in LedgerLoan.objects.all()} == before
    assert LedgerChange.objects.count() == 0 and LedgerImport.objects.count() == 2
    assert list(Case.objects.filter(source="reconciliation").values_list("pk", "found_count")) == [(case.pk, 2)]


def test_one_bad_row_in_the_middle_changes_nothing(w):
    rows = [HEADER, loan(w, 0), loan(w, 1), loan(w, 2, **{"贷款金额(元)": "五万"}), loan(w, 3), loan(w, 4)]
    body = run(w, "bad_middle.csv", text_file(rows))
    assert body["counts"] == counts(read=5, rejected=1)
    assert body["errors"] == [{"row": 4, "column": "贷款金额(元)", "value": "五万", "rule": "cell",
                               "message": "不是金额（只能是数字，可带千分位逗号和小数点，不能用科学计数法）"}]
    assert body["findings"] == [] and LedgerLoan.objects.count() == 0
    assert not Case.objects.exists()


def test_a_refused_correction_leaves_the_earlier_import_untouched(w):
    run(w, "m1.csv", text_file([HEADER, loan(w, 0), loan(w, 1)]))
    before = stored()
    body = run(w, "m2.csv", text_file([HEADER, loan(w, 0, **{"贷款余额(元)": "1000"}),
                                       loan(w, 1, 放款日期="2026-02-30")]))
    assert body["counts"] == counts(read=2, rejected=1)
    assert body["errors"] == [{"row": 3, "column": "放款日期", "value": "2026-02-30", "rule": "cell",
                               "message": "日期不存在"}]
    assert stored() == before and LedgerChange.objects.count() == 0


def test_a_corrected_file_updates_and_records_what_changed(w):
    run(w, "m1.csv", text_file([HEADER, loan(w, 0), loan(w, 1), loan(w, 2)]))
    body = run(w, "m1_corrected.csv", text_file([HEADER, loan(w, 0), loan(w, 1, **{"贷款余额(元)": "40000",
                                                                                  "执行年利率(%)": "2.85"}),
                                                 loan(w, 2), loan(w, 3)]))
    assert body["counts"] == counts(read=4, created=1, updated=1, unchanged=2)
    change = LedgerChange.objects.get()
    assert change.loan.contract_number == "NSH20260002"
    assert change.changes == {"贷款余额(元)": ["5000000", "4000000"], "执行年利率(%)": ["2.9000", "2.8500"]}
    assert stored()["NSH20260002"] == clean(w, 1, balance=4_000_000, rate="2.8500")


def test_a_contract_number_twice_in_a_file_is_refused_naming_both_rows(w):
    rows = [HEADER, loan(w, 0), loan(w, 1), loan(w, 2, 合同编号="NSH20260001")]
    body = run(w, "twice.csv", text_file(rows))
    assert body["counts"] == counts(read=3, rejected=1)
    assert body["errors"] == [{"row": 4, "column": "合同编号", "value": "NSH20260001", "rule": "duplicate_in_file",
                               "message": "与第 2 行合同编号重复"}]
    assert LedgerLoan.objects.count() == 0


def test_another_banks_rows_in_a_banks_file_are_refused(w):
    rows = [HEADER, loan(w, 0), loan(w, 1, 贷款银行="邮储银行"), loan(w, 2, 贷款银行="不存在银行")]
    body = run(w, "mixed.csv", text_file(rows))
    assert body["counts"] == counts(read=3, rejected=2)
    assert body["errors"] == [
        {"row": 3, "column": "贷款银行", "value": "邮储银行", "rule": "other_bank",
         "message": "不是本次导入的银行（一个文件只能导入一家银行的台账，或不指定银行按本列导入）"},
        {"row": 4, "column": "贷款银行", "value": "不存在银行", "rule": "unknown_bank", "message": "不是本次导入的银行"},
    ]
    assert LedgerLoan.objects.count() == 0


def test_without_a_bank_each_row_goes_to_its_bank(w):
    rows = [HEADER, loan(w, 0), loan(w, 1, 贷款银行="邮储银行", 合同编号="NSH20260001")]
    body = run(w, "province.csv", text_file(rows), bank=None)
    assert_imported(body, 2)
    assert set(stored(w.bank)) == set(stored(w.other)) == {"NSH20260001"}


# --- the command ------------------------------------------------------------------------------------

def test_the_command_exit_status_and_report(w, tmp_path):
    good, bad, report = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "report.json"
    good.write_bytes(text_file([HEADER, loan(w, 0), loan(w, 1, 借款人身份证号=STRANGER)]))
    bad.write_bytes(text_file([HEADER, loan(w, 0, 放款日期="明天")]))
    call_command("import_ledger", str(good), "--bank", "NSH", "--report", str(report))  # exit 0: no SystemExit
    body = json.loads(report.read_text(encoding="utf-8"))
    assert set(body) >= {"counts", "errors", "findings"}
    assert body["counts"] == counts(read=2, created=2) and body["errors"] == []
    assert body["findings"] == [{"check": "not_in_registry", "bank": "NSH", "contract_number": "NSH20260002",
                                 "detail": f"借款人身份证号 {STRANGER} 在建档立卡系统中查无此人"}]
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ledger", str(bad), "--bank", "NSH", "--report", str(report))
    assert exit_.value.code == 2
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["counts"] == counts(read=1, rejected=1) and body["findings"] == []
    assert body["errors"] == [{"row": 2, "column": "放款日期", "value": "明天", "rule": "cell",
                               "message": "不是有效日期（可用格式：2026-12-05、2026/12/5、2026年12月5日、20261205）"}]
    assert all(set(e) == {"row", "column", "value", "rule", "message"} for e in body["errors"])


# --- hostile files ------------------------------------------------------------------------------------

HOSTILE = {
    "empty.xlsx": b"",
    "empty.csv": b"",
    "program.xlsx": EXE,
    "zip_bomb.xlsx": xlsx(two_cells("B2", 2), dimension="A1:B2", pad_bytes=60 * MB_CHUNK),
    "no_header.csv": text_file([["姓名", "年龄"], ["张三", "40"]]),
    "words.csv": "你好，世界".encode("utf-16"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_are_refused_in_chinese(w, name):
    body = run(w, name, HOSTILE[name])
    assert body["status"] == "refused" and body["counts"]["created"] == 0
    assert body["errors"] and body["errors"][0]["rule"] == "file"
    message = body["errors"][0]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert LedgerLoan.objects.count() == 0
