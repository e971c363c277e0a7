"""Bank ledgers API (`/api/v1/ledgers`, issue #13 §5): what the pages do, for a bank's own system.

* `POST /ledgers/loans` and `POST /ledgers/repayments`: push a batch (JSON, ≤ 10,000 rows) — the same
  checks, writes and report as a file; all or nothing; ``Idempotency-Key`` (header or field) scoped to
  the bank: the same key again answers the first report.
* `POST /ledgers/imports`: upload a ledger file; it is imported as a background job (poll
  `GET /api/v1/jobs/{id}`; its ``result`` is the report).
* `GET /ledgers/imports`, `GET /ledgers/imports/{id}`: reports; `GET /ledgers/loans`, `GET /ledgers/loans/{id}`.
* `POST /ledgers/reconciliations` (a job), `GET /ledgers/reconciliations/{id}`.
* `GET`/`PUT /ledgers/templates/{bank}`: a bank's column template. `POST /ledgers/officials`: the register
  of public employees.

A bank officer's token acts for their bank only; other roles name the bank (or none: 贷款银行 per row).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import ObjectDoesNotExist
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_text
from microcredit.apps.core.tables import DEFAULT_LIMITS, TableError, check_uploaded
from microcredit.apps.exchange import jobs, selectors, services
from microcredit.apps.exchange.ledger_file import UPLOAD_LIMITS
from microcredit.apps.jobs.runner import enqueue, subject_region
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.ledger import FIELDS, REPAYMENT_FIELDS
from microcredit.domain.money import fen_to_yuan

router = Router(tags=["银行台账"])
Cell = str | int | float | None

_LOAN_EXAMPLE = {
    "contract_number": "HT2026110001", "borrower_name": "张三", "borrower_id": "41122419800101001X",
    "amount": "50000.00", "term_months": 36, "disbursed_on": "2026-03-05", "maturity_date": "2029-03-05",
    "annual_rate": "3.0", "repaid_amount": "10000.00", "balance": "40000.00", "township": "城关镇",
    "village": "东关村", "industry": "养羊", "usage_mode": "户贷户用·自我发展", "account_number": "6217000010001234569",
}


class LoanBatchIn(Schema):
    """A batch of ledger rows; keys as the 台账 fields (`GET /ledgers/fields`)."""

    rows: list[dict[Text(40), Cell]] = Field(..., max_length=services.MAX_PUSH_ROWS)
    as_of: Day | None = None
    bank: Text(16) = ""
    idempotency_key: Text(80) = ""

    model_config = {"json_schema_extra": {"examples": [
        {"as_of": "2026-11-30", "idempotency_key": "NSH-2026-11-30-1", "rows": [_LOAN_EXAMPLE]}]}}


class RepaymentBatchIn(Schema):
    """A batch of repayment rows (合同编号、还款日期、本金、利息、罚息、流水号)."""

    rows: list[dict[Text(40), Cell]] = Field(..., max_length=services.MAX_PUSH_ROWS)
    as_of: Day | None = None
    bank: Text(16) = ""
    idempotency_key: Text(80) = ""

    model_config = {"json_schema_extra": {"examples": [{"idempotency_key": "NSH-R-2026-11-30", "rows": [
        {"contract_number": "HT2026110001", "repaid_on": "2026-11-20", "principal": "5000.00", "interest": "375.00",
         "penalty": "0", "reference": "LS20261120001"}]}]}}


class ReportOut(Schema):
    import_id: int
    status: str
    counts: dict
    errors: list[dict]
    error_count: int
    findings: list[dict]
    finding_count: int
    ignored_columns: list[str]


class ReconcileIn(Schema):
    bank: Text(16) = ""


def _bank(request, code: str):
    """The bank a request acts for: a bank officer's own; otherwise the named one (or None)."""
    user = request.user
    if user.bank_id:
        if code and code != user.bank.code:
            raise HttpError(403, "银行用户只能报送本行的台账")
        return user.bank
    if not code:
        return None
    bank = bank_list().filter(code=code).first()
    if bank is None:
        raise HttpError(422, f"没有代码为 {code} 的银行")
    return bank


def _need(request, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, message)


def _shown(request, body: dict) -> dict:
    if request.user.has_perm("core.see_identity") or request.user.bank_id:
        return body  # a bank's own system knows its borrowers
    body["errors"] = [{**e, "value": mask_text(str(e["value"]))} for e in body["errors"]]
    body["findings"] = [{**f, "detail": mask_text(f["detail"])} for f in body["findings"]]
    return body


def _push(request, payload, kind: str):
    _need(request, "exchange.add_ledgerimport", "无权报送台账")
    if payload.as_of and payload.as_of > business_date():
        raise HttpError(422, "数据日期不能晚于业务日期")
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")
    result = services.ledger_push(rows=payload.rows, actor=request.user, bank=_bank(request, payload.bank),
                                  as_of=payload.as_of, kind=kind, idempotency_key=key)
    return (422 if result.refused else 201), _shown(request, result.as_dict())


@router.post("/loans", response={201: ReportOut, 422: ReportOut})
def loans_push(request, payload: LoanBatchIn):
    """推送贷款台账（JSON，一批最多 10,000 行）：与上传文件同样的校验、写入与报告；全部通过才写入（201），
    否则一行不写并逐条列出错误（422，行号从 1 起，列为字段名）。按 银行+合同编号 更新；同一幂等键再次推送返回首次的报告。
    写入后自动对账，`findings` 为核查发现。"""
    return _push(request, payload, "loans")


@router.post("/repayments", response={201: ReportOut, 422: ReportOut})
def repayments_push(request, payload: RepaymentBatchIn):
    """推送还款明细（JSON）：按 银行+合同编号+流水号 更新；全部通过才写入。"""
    return _push(request, payload, "repayments")


class FieldOut(Schema):
    key: str
    header: str
    kind: str
    required: bool


@router.get("/fields", response=dict[str, list[FieldOut]])
def fields(request):
    """台账与还款明细的字段：推送时的键（key）、文件中的标准列名（header）、类型、是否必填。"""
    required = {"contract_number", "borrower_name", "borrower_id", "amount", "disbursed_on", "balance"}
    return {"loans": [{"key": f.key, "header": f.header, "kind": f.kind, "required": f.key in required} for f in FIELDS],
            "repayments": [{"key": f.key, "header": f.header, "kind": f.kind,
                            "required": f.key in ("contract_number", "repaid_on", "principal", "reference")}
                           for f in REPAYMENT_FIELDS]}


class JobStarted(Schema):
    job_id: int
    status_url: str


@router.post("/imports", response={202: JobStarted, 413: dict, 422: dict})
def import_upload(request, file: UploadedFile = File(...), bank: Form[Text(16) | None] = None,
                  as_of: Form[Day | None] = None, idempotency_key: Form[Text(80) | None] = None):
    """上传台账文件（CSV、Excel、ODS，≤ 100 MB）：作为后台任务导入，轮询 `GET /api/v1/jobs/{job_id}`，
    其 `result` 即导入报告（与命令行 `--report` 相同）。"""
    _need(request, "exchange.add_ledgerimport", "无权导入台账")
    the_bank = _bank(request, bank or "")
    if as_of and as_of > business_date():
        raise HttpError(422, "数据日期不能晚于业务日期")
    try:
        check_uploaded(file, UPLOAD_LIMITS)
    except TableError as exc:
        return (413 if file.size > UPLOAD_LIMITS.max_bytes else 422), {"detail": exc.message}
    key = idempotency_key or request.headers.get("Idempotency-Key", "")
    params = {"filename": PurePath(file.name).name[:200], "bank_id": the_bank.pk if the_bank else None,
              "as_of": as_of.isoformat() if as_of else "", "source": "api", "idempotency_key": key[:80]}
    job = enqueue(kind=jobs.IMPORT_JOB, params=params, user=request.user, file=file)
    return 202, {"job_id": job.pk, "status_url": f"/api/v1/jobs/{job.pk}"}


class ImportOut(Schema):
    id: int
    filename: str
    bank: str | None
    kind: str
    as_of: dt.date
    status: str
    counts: dict
    error_count: int
    finding_count: int
    created_at: dt.datetime


def _import_out(i) -> dict:
    return {"id": i.pk, "filename": i.filename, "bank": i.bank.code if i.bank else None, "kind": i.kind,
            "as_of": i.as_of, "status": i.status, "counts": i.counts, "error_count": i.error_count,
            "finding_count": i.finding_count, "created_at": i.created_at}


@router.get("/imports", response=list[ImportOut])
def import_list(request, limit: Limit = 50, offset: Offset = 0):
    """导入记录（本行或本辖区），新的在前。"""
    _need(request, "exchange.view_ledgerloan", "无权查看台账")
    return [_import_out(i) for i in selectors.import_list(user=request.user)[offset:offset + limit]]


@router.get("/imports/{import_id}", response=ReportOut)
def import_report(request, import_id: Id):
    """一次导入的完整报告：行数、错误（行、列、值、规则、说明）、核查发现。"""
    _need(request, "exchange.view_ledgerloan", "无权查看台账")
    try:
        i = selectors.import_get(user=request.user, pk=import_id)
    except ObjectDoesNotExist:
        raise HttpError(404, "没有这次导入，或不在您的管辖范围内") from None
    return _shown(request, services.ImportReport(i).as_dict())


class LedgerLoanOut(Schema):
    id: int
    bank: str
    contract_number: str
    borrower_name: str
    region_code: str
    amount: str
    balance: str
    disbursed_on: dt.date
    overdue_amount: str | None
    as_of: dt.date


def _loan_out(loan) -> dict:
    return {"id": loan.pk, "bank": loan.bank.code, "contract_number": loan.contract_number,
            "borrower_name": loan.borrower_name, "region_code": loan.region_code, "amount": fen_to_yuan(loan.amount),
            "balance": fen_to_yuan(loan.balance), "disbursed_on": loan.disbursed_on,
            "overdue_amount": fen_to_yuan(loan.overdue_amount) if loan.overdue_amount is not None else None,
            "as_of": loan.as_of}


class LoanFilters(Schema):
    bank: Text(16) = ""
    q: Text(40) = ""
    limit: Limit = 50
    offset: Offset = 0


@router.get("/loans", response=list[LedgerLoanOut])
def loan_list(request, filters: Query[LoanFilters]):
    """台账明细（本行或本辖区），可按银行、合同编号/姓名/身份证号查找。"""
    _need(request, "exchange.view_ledgerloan", "无权查看台账")
    qs = selectors.ledger_loan_list(user=request.user, bank=filters.bank, q=filters.q)
    return [_loan_out(loan) for loan in qs[filters.offset:filters.offset + filters.limit]]


@router.get("/loans/{loan_id}", response=dict)
def loan_detail(request, loan_id: Id):
    """一笔台账贷款的全部字段（金额为元）与历次导入的变化。"""
    _need(request, "exchange.view_ledgerloan", "无权查看台账")
    try:
        loan = selectors.ledger_loan_get(user=request.user, pk=loan_id)
    except ObjectDoesNotExist:
        raise HttpError(404, "没有这笔台账贷款，或不在您的管辖范围内") from None
    values = {}
    for f in FIELDS:
        value = getattr(loan, f.key)
        values[f.key] = fen_to_yuan(value) if f.kind == "amount" and value is not None else value
    if not request.user.has_perm("core.see_identity") and not request.user.bank_id:
        values["borrower_id"], values["head_id"] = mask_text(loan.borrower_id), mask_text(loan.head_id)
    changes = [{"import_id": c.ledger_import_id, "changes": c.changes, "at": c.created_at}
               for c in selectors.ledger_changes(loan=loan)[:100]]
    return {**_loan_out(loan), "fields": values, "changes": changes}


@router.post("/reconciliations", response={202: JobStarted})
def reconcile(request, payload: ReconcileIn):
    """对账核查（后台任务）：某家银行或全部银行；每个问题登记或更新一个问题台账案件。"""
    _need(request, "exchange.add_reconciliationrun", "无权发起对账核查")
    bank = _bank(request, payload.bank)
    scope = Scope.of(request.user)
    prefix = "" if scope.unrestricted else subject_region(list(scope.region_prefixes))
    params = {"bank_id": bank.pk if bank else None, "region_code": prefix.ljust(12, "0") if prefix else ""}
    job = enqueue(kind=jobs.RECONCILE_JOB, params=params, user=request.user)
    return 202, {"job_id": job.pk, "status_url": f"/api/v1/jobs/{job.pk}"}


@router.get("/reconciliations/{run_id}", response=dict)
def reconciliation(request, run_id: Id):
    """一次核查的结果：各项发现数与问题清单。"""
    _need(request, "exchange.view_ledgerloan", "无权查看台账")
    try:
        run = selectors.run_list(user=request.user).get(pk=run_id)
    except ObjectDoesNotExist:
        raise HttpError(404, "没有这次核查，或不在您的管辖范围内") from None
    body = {"id": run.pk, "rows": run.rows, "counts": run.counts, "finding_count": run.finding_count,
            "findings": run.findings, "errors": [], "created_at": run.created_at}
    return _shown(request, body)


class TemplateIn(Schema):
    """{字段: 本行文件中的列名}；空值表示按常见列名识别。"""

    mapping: dict[Text(40), Text(60)]

    model_config = {"json_schema_extra": {"examples": [{"mapping": {"borrower_id": "客户证件号",
                                                                    "contract_number": "借据编号"}}]}}


@router.get("/templates/{bank}", response=dict)
def template_get(request, bank: Text(16)):
    """一家银行的列对照模板。"""
    _need(request, "exchange.change_columntemplate", "无权查看列对照模板")
    the_bank = _bank(request, bank)
    return {"bank": the_bank.code, "mapping": selectors.template_for(the_bank)}


@router.put("/templates/{bank}", response=dict)
def template_put(request, bank: Text(16), payload: TemplateIn):
    """保存一家银行的列对照模板（银行用户只能改本行的）。"""
    _need(request, "exchange.change_columntemplate", "无权修改列对照模板")
    the_bank = _bank(request, bank)
    template = services.template_save(bank=the_bank, mapping=payload.mapping, actor=request.user)
    return {"bank": the_bank.code, "mapping": template.mapping}


@router.post("/officials", response={201: dict, 413: dict, 422: dict})
def officials_upload(request, file: UploadedFile = File(...), replace: Form[bool] = True):
    """上传公职人员名册（姓名、身份证号、工作单位）：全部校验通过才替换（或追加）名册。"""
    _need(request, "exchange.change_publicemployee", "无权维护公职人员名册")
    try:
        check_uploaded(file)
    except TableError as exc:
        return 413 if file.size > DEFAULT_LIMITS.max_bytes else 422, {"detail": exc.message}
    return 201, services.officials_import(filename=file.name, data=file.read(), actor=request.user, replace=replace)
