"""The loan ledger (贷款台账) for the province/national system, as of any day, for any region in the user's
scope, as .xlsx or .csv, written by a background job (issue #13 §4; DOMAIN §10; REPORTS.md §10).

One row per loan the system services, in the DOMAIN §10 order with the Chinese headers the bank-ledger
import recognises (``LEDGER_EXPORT_COLUMNS``), so an exported file imports back. The figures are as of
the end of the day D (``loans.selectors.ledger_loans``: equal to ``domain.servicing.loan_state`` on the
events up to D); the credit grade and line are the household's rating valid on D. ID numbers and the
account are masked unless the requester may see identities (``core.see_identity``, decided when the job
is queued, as every export). The job runs as its creator (scope of the moment it runs), and its file is
downloaded and expired by ``jobs.exports`` (registered as an export kind).

Lives in the reports app: it reads loans, households and ratings — rating sits above loans in the layers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.files import File

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.excel import ExportWorkbook, Money
from microcredit.apps.core.masking import mask_id_number
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.jobs.selectors import Job
from microcredit.apps.loans.selectors import VOCABULARIES as LOAN_VOCABULARIES
from microcredit.apps.loans.selectors import ledger_loan_count, ledger_loans, loan_list
from microcredit.apps.rating.selectors import rating_list
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import region_names, regions_in_scope
from microcredit.domain.errors import DomainError
from microcredit.domain.households import HOUSEHOLD_STATUS_LABELS
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.regions import significant_prefix
from microcredit.domain.reports import parse_day

JOB_KIND = "ledger_export"
PERMISSION = "reports.view_report"
FORMATS = {"xlsx": "Excel（.xlsx）", "csv": "CSV（UTF-8，Excel 可直接打开）"}
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
MAX_PARAM = 40
PROGRESS_EVERY = 1000

LEDGER_EXPORT_COLUMNS: tuple[str, ...] = (
    "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "借款人姓名", "借款人身份证号", "与户主关系", "户类型",
    "信用等级", "授信额度(元)", "授信银行", "授信日期", "合同编号", "贷款金额(元)", "贷款期限(月)", "放款日期", "到期日期",
    "执行年利率(%)", "贷款银行", "累计贴息(元)", "累计还款(元)", "最近还款日期", "贷款余额(元)", "逾期金额(元)",
    "逾期起始日期", "欠息(元)", "欠息起始日期", "产业", "使用方式", "放款账户",
)
"""The 台账 headers in DOMAIN §10 order — the same strings the bank-ledger import recognises."""

_RATED = ("effective", "expired", "downgraded")  # ratings that were in force in their time (not drafts, not revoked)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class LedgerExportError(DomainError):
    """Parameters the ledger cannot be exported with (422 at the API, the form's errors on the page)."""

    def __init__(self, errors: dict[str, str]):
        self.field_errors = errors
        labels = {"region": "区划", "as_of": "截至日期", "format": "文件格式", "bank": "银行"}
        super().__init__(next(iter(errors)), "；".join(f"{labels.get(k, k)}：{v}" for k, v in errors.items()))


@dataclass(frozen=True)
class LedgerParams:
    region_code: str  # "" = everything in the user's scope
    region_prefix: str
    region_name: str
    as_of: dt.date
    fmt: str
    bank_id: int | None

    def as_json(self) -> dict:
        return {"region": self.region_code, "as_of": self.as_of.isoformat(), "format": self.fmt,
                "bank_id": self.bank_id}


def _text(raw, key: str) -> str:
    value = raw.get(key, "") if hasattr(raw, "get") else ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) else "\0"


def resolve(user, raw) -> LedgerParams:
    """Read and check the parameters (strings): ``region`` — a province, city, county, township or village
    code within the user's scope, or empty for the whole scope; ``as_of`` — YYYY-MM-DD, not after the
    business date (default: the business date); ``format`` — xlsx or csv (default xlsx); ``bank`` — a bank's
    code (optional; a bank user only its own). Every failure at once, in Chinese; raises LedgerExportError."""
    errors: dict[str, str] = {}
    values = {k: _text(raw, k) for k in ("region", "as_of", "format", "bank")}
    for key, value in values.items():
        if len(value) > MAX_PARAM or "\0" in value:
            errors[key] = "取值无效"
    scope, today = Scope.of(user), business_date()
    region_code, prefix, name = "", "", "全部"
    if "region" not in errors and values["region"]:
        code = values["region"]
        region = regions_in_scope(user=user).filter(code=code).first() if code.isdigit() and len(code) == 12 else None
        if region is None:
            errors["region"] = "区划不存在或不在您的管辖范围内（填写 12 位区划代码）"
        else:
            region_code, prefix, name = region.code, significant_prefix(region.code), region.name
    elif "region" not in errors and not scope.unrestricted and not scope.region_prefixes and scope.bank_id is None:
        errors["region"] = "您的账号没有管辖区域"
    as_of = today
    if "as_of" not in errors and values["as_of"]:
        day = parse_day(values["as_of"])
        if day is None:
            errors["as_of"] = "日期格式为 YYYY-MM-DD（2000–2100 年）"
        elif day > today:
            errors["as_of"] = f"不能晚于当前业务日期 {today.isoformat()}"
        else:
            as_of = day
    fmt = values["format"].lower() or "xlsx"
    if "format" not in errors and fmt not in FORMATS:
        errors["format"] = "只能是 xlsx 或 csv"
    bank_id = None
    if "bank" not in errors and values["bank"]:
        bank = bank_list().filter(code=values["bank"]).first()
        if bank is None:
            errors["bank"] = "没有这个银行"
        elif scope.bank_id is not None and not scope.unrestricted and bank.pk != scope.bank_id:
            errors["bank"] = "只能导出本行的贷款"
        else:
            bank_id = bank.pk
    if errors:
        raise LedgerExportError(errors)
    return LedgerParams(region_code, prefix, name, as_of, fmt, bank_id)


def start(user, raw) -> Job:
    """Check the parameters and queue the export as the user (masking decided now); LedgerExportError."""
    if not user.has_perm(PERMISSION):
        raise LedgerExportError({"region": "您没有导出贷款台账的权限"})
    params = resolve(user, raw)
    return enqueue(kind=JOB_KIND, user=user, params={"raw": params.as_json() | {"bank": _bank_code(params.bank_id)},
                                                      "see_identity": user.has_perm("core.see_identity")})


def _bank_code(bank_id: int | None) -> str:
    return bank_list().filter(pk=bank_id).values_list("code", flat=True).first() or "" if bank_id else ""


def filename(params: LedgerParams) -> str:
    return f"贷款台账_{params.region_name}_{params.as_of:%Y%m%d}.{params.fmt}"


# ------------------------------------------------------------------------------------------------ rows

def _ratings(household_ids: list[int], as_of: dt.date) -> dict[int, tuple[str, int, dt.date]]:
    """Per household: (grade, credit line fen, valid from) of the rating in force on ``as_of`` (latest)."""
    out: dict[int, tuple[str, int, dt.date]] = {}
    rows = (rating_list(SYSTEM).filter(household_id__in=household_ids, status__in=_RATED, valid_from__lte=as_of)
            .exclude(valid_until__lt=as_of).exclude(grade="").order_by("household_id", "valid_from", "id")
            .values_list("household_id", "grade", "credit_limit", "valid_from"))
    for household_id, grade, limit, valid_from in rows:
        out[household_id] = (grade, limit, valid_from)  # the latest wins
    return out


def _rate(rate: Decimal) -> str:
    """4.3500 → "4.35" (percent per year, as the contract states it)."""
    return format(rate.normalize(), "f")


def ledger_rows(user, params: LedgerParams, see_identity: bool):
    """The ledger's rows (lists in ``LEDGER_EXPORT_COLUMNS`` order): text, ``Money`` (fen), int, date, None."""
    member_model = loan_list(user=SYSTEM).model._meta.get_field("borrower").related_model
    relations = {str(k): str(v) for k, v in member_model._meta.get_field("relation").flatchoices}
    usage = {str(k): str(v) for k, v in LOAN_VOCABULARIES[2].choices}
    statuses = {str(k): str(v) for k, v in HOUSEHOLD_STATUS_LABELS.items()}
    names: dict[str, str] = {}
    mask = (lambda v: v) if see_identity else mask_id_number
    pending: list = []

    def flush():
        codes = {c for x in pending for c in (x.region_code[:9].ljust(12, "0"), x.region_code)} - names.keys()
        names.update(region_names(codes))
        ratings = _ratings(list({x.household_id for x in pending}), params.as_of)
        for x in pending:
            grade, limit, granted_on = ratings.get(x.household_id, ("", None, None))
            yield [
                names.get(x.region_code[:9].ljust(12, "0"), ""), names.get(x.region_code, ""), x.group_name,
                x.head_name, mask(x.head_id_number), x.borrower_name, mask(x.borrower_id_number),
                relations.get(x.relation, x.relation), statuses.get(x.household_status, x.household_status),
                grade, Money(limit) if limit is not None else None, x.bank_name if grade else "", granted_on,
                x.number, Money(x.principal), x.term_months, x.disbursed_on, x.maturity_date, _rate(x.annual_rate),
                x.bank_name, Money(x.subsidy), Money(x.principal_repaid), x.last_payment_on, Money(x.balance),
                Money(x.overdue_principal), x.overdue_since, Money(x.overdue_interest), x.interest_overdue_since,
                x.industry, usage.get(x.usage_mode, x.usage_mode), mask(x.account_number),
            ]

    for loan in ledger_loans(user=user, region=params.region_prefix, as_of=params.as_of, bank=params.bank_id):
        pending.append(loan)
        if len(pending) >= 2000:
            yield from flush()
            pending = []
    if pending:
        yield from flush()


# ------------------------------------------------------------------------------------------------ writers

def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return fen_to_yuan(value.fen)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text  # never a formula when Excel opens it


def write_csv(rows, report, total: int):
    """UTF-8 with a BOM (Excel recognises the encoding), one line per row, streamed to a temporary file."""
    out = tempfile.TemporaryFile()
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(LEDGER_EXPORT_COLUMNS)
    n = 0
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if n % PROGRESS_EVERY == 0:
            report(n, max(total, n), "正在写入文件")
    text.flush()
    text.detach()
    out.seek(0)
    return out, n


def write_xlsx(rows, report, total: int):
    """One sheet, constant memory (``core.excel``: text never a formula, money exact)."""
    book = ExportWorkbook()
    sheet = book.sheet("贷款台账")
    sheet.row(0, list(LEDGER_EXPORT_COLUMNS), book.bold)
    n = 0
    for n, row in enumerate(rows, start=1):
        sheet.row(n, row)
        if n % PROGRESS_EVERY == 0:
            report(n, max(total, n), "正在写入文件")
    return book.finish(), n


# ------------------------------------------------------------------------------------------------ the job

def run(job: Job, report) -> dict:
    """The job: the creator's rows of the ledger with the parameters of the request, written to the job's file.
    Idempotent: a re-run writes the file again."""
    user = job.created_by
    if user is None or not user.has_perm(PERMISSION):
        raise LedgerExportError({"region": "创建人已无权导出贷款台账"})
    raw = job.params.get("raw")
    if not isinstance(raw, dict):  # started through POST /api/v1/jobs/exports/ledger_export {"query": {...}}
        raw = {k: (v[0] if isinstance(v, list) and v else v) for k, v in (job.params.get("query") or {}).items()}
    params = resolve(user, raw)
    see_identity = bool(job.params.get("see_identity")) and user.has_perm("core.see_identity")
    total = ledger_loan_count(user=user, region=params.region_prefix, as_of=params.as_of, bank=params.bank_id)
    report(0, total, "正在计算各笔贷款截至当日的状态")
    began = time.perf_counter()
    writer = write_csv if params.fmt == "csv" else write_xlsx
    out, rows = writer(ledger_rows(user, params, see_identity), report, total)
    seconds = time.perf_counter() - began
    name = filename(params)
    if job.file:
        job.file.delete(save=False)
    job.file.save(name, File(out), save=False)
    out.close()
    Job.objects.filter(pk=job.pk).update(file=job.file.name)
    report(rows, rows, "文件已生成")
    return {"filename": name, "rows": rows, "format": params.fmt, "as_of": params.as_of.isoformat(),
            "region": params.region_name, "seconds": round(seconds, 2),
            "rows_per_second": int(rows / seconds) if seconds > 0 else rows}


def export_rows(user, query):
    """For ``jobs.exports`` (the download and expiry machinery): the ledger has its own page and count."""
    return Job.objects.none()


def export_write(rows, see_identity, report):  # never called: the ledger job writes its own file
    raise LedgerExportError({"format": "贷款台账请从“贷款台账导出”页面生成"})
