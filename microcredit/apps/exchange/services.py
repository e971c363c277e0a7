"""Writes of the bank data exchange (DOMAIN §10, issue #13): ledger imports, reconciliation runs and
their problem cases, column templates, the register of public employees. Each write is one transaction
and audited.

An import is all or nothing: a file with any bad row is refused as a whole (its report lists every
error) and changes nothing. An accepted file upserts by the natural key (bank, contract number): a row
whose content digest is unchanged is not touched, a changed row is updated and its change recorded
(`LedgerChange`), a new row is created. Then the banks of the file are reconciled (`reconcile_run`):
each finding opens, or brings up to date, one problem-ledger case (`problems.services.problems_found`,
key ``ledger:<check>:<subject>``), closed by 整改销号 in the problem ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.bulk import insert_rows
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.tables import TableLimits
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.exchange.errors import ExchangeError
from microcredit.apps.exchange.ledger_file import LIMITS, BankResolver, ParsedLedger, parse_ledger, parse_rows
from microcredit.apps.exchange.models import (
    ColumnTemplate,
    ImportSource,
    ImportStatus,
    LedgerChange,
    LedgerImport,
    LedgerLoan,
    LedgerRepayment,
)
from microcredit.apps.exchange.reconciling import bank_rows, home_region, reconcile_run
from microcredit.apps.exchange.registers import officials_import, template_save
from microcredit.apps.households.selectors import people_by_id_number
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.errors import ConflictError
from microcredit.domain.ledger import BY_KEY, FIELD_KEYS, FIELDS, LOANS, REPAYMENTS, HeaderMatch, RowError

__all__ = ["AUDIT_ACTIONS", "ExchangeError", "ImportReport", "ledger_import", "ledger_push", "officials_import",
           "reconcile_run", "template_save"]

AUDIT_ACTIONS = {
    "ledger_import": _("导入银行台账"), "ledger_refused": _("银行台账未通过校验"), "ledger_reconcile": _("台账对账核查"),
    "ledger_template": _("修改列对照模板"), "officials_import": _("导入公职人员名册"),
}
WRITE_BATCH = 2000


@dataclass
class ImportReport:
    """What `ledger_import` did: the import row and the report of issue #13 §2."""

    ledger_import: LedgerImport

    @property
    def refused(self) -> bool:
        return self.ledger_import.status == ImportStatus.REFUSED

    def as_dict(self) -> dict:
        i = self.ledger_import
        return {"import_id": i.pk, "status": str(i.status), "counts": i.counts, "errors": i.errors,
                "error_count": i.error_count, "findings": i.findings, "finding_count": i.finding_count,
                "ignored_columns": i.ignored_columns}


class _Places:
    """Township and village names of a ledger → region codes, within the importer's area."""

    def __init__(self, actor) -> None:
        who = actor_or_none(actor) or SYSTEM
        rows = regions_in_scope(user=who, levels=("township", "village")).values_list("code", "name", "level",
                                                                                      "parent_id")
        townships, self.villages, self.towns = {}, {}, {}
        for code, name, level, parent in rows:
            if level == "township":
                townships[code] = name
                self.towns.setdefault(name, set()).add(code)
        for code, name, level, parent in rows:
            if level == "village":
                self.villages.setdefault((townships.get(parent, ""), name), set()).add(code)

    def code(self, township: str | None, village: str | None) -> str:
        found = self.villages.get((township or "", village or "")) or (self.towns.get(township or "") if township else None)
        return next(iter(found)) if found and len(found) == 1 else ""


def _value_text(value) -> str:
    return "" if value is None else str(value)


_TEXT_KEYS = frozenset(f.key for f in FIELDS if f.kind in ("text", "id", "mode"))
_TEXT_POSITIONS = tuple(n for n, key in enumerate(FIELD_KEYS) if key in _TEXT_KEYS)


def _model_row(values) -> list:
    """A loan row's parsed values (`Values`, in FIELD_KEYS order) as LedgerLoan columns: empty text is ""."""
    row = list(values)
    for n in _TEXT_POSITIONS:
        if row[n] is None:
            row[n] = ""
    return row


def _model_values(values) -> dict:
    """Parsed values as LedgerLoan fields by name (empty text columns as "", not None)."""
    return dict(zip(FIELD_KEYS, _model_row(values)))


def _existing(bank_ids: set[int]) -> dict[tuple[int, str], tuple[int, str]]:
    rows = LedgerLoan.objects.filter(bank_id__in=bank_ids).values_list("bank_id", "contract_number", "id", "digest")
    return {(b, n): (pk, d) for b, n, pk, d in rows.iterator(chunk_size=20_000)}


def _refused(parsed: ParsedLedger, *, filename: str, bank, as_of, actor, source, key, region) -> ImportReport:
    counts = {"read": parsed.read, "created": 0, "updated": 0, "unchanged": 0,
              "rejected": len(parsed.rejected_lines) or (1 if parsed.error_count else 0)}
    i = LedgerImport.objects.create(
        bank=bank, filename=filename[:200], digest=parsed.digest, kind=parsed.layout.name, as_of=as_of,
        region_code=region, status=ImportStatus.REFUSED, source=source, counts=counts, errors=[e.as_dict() for e in parsed.errors],
        error_count=parsed.error_count, ignored_columns=parsed.header.unrecognised if parsed.header else [],
        idempotency_key=key, created_by=actor_or_none(actor))
    record_audit(actor=actor, action="ledger_refused", obj=i, after={"errors": parsed.error_count, "rows": parsed.read})
    return ImportReport(i)


def _earlier(bank, idempotency_key: str, digest: str) -> ImportReport | None:
    """The import an idempotency key already named (the same key from the same bank), if any."""
    if not idempotency_key:
        return None
    if len(idempotency_key) > 80:
        raise ExchangeError("idempotency_key", "幂等键不能超过 80 个字符")
    earlier = LedgerImport.objects.filter(bank=bank, idempotency_key=idempotency_key).first()
    if earlier is not None and earlier.digest != digest:
        raise ConflictError("idempotency_key", "幂等键已用于另一批数据")
    return ImportReport(earlier) if earlier is not None else None


def _finish(parsed: ParsedLedger, *, report, **common) -> ImportReport:
    if not parsed.ok:
        return _refused(parsed, **common)
    if parsed.layout is REPAYMENTS:
        return _write_repayments(parsed, **common)
    return _write(parsed, report=report, **common)


def ledger_import(*, filename: str, data: bytes, actor, bank=None, as_of: dt.date | None = None,
                  source: str = ImportSource.PAGE, idempotency_key: str = "", limits: TableLimits = LIMITS,
                  kind: str = "auto", report: Callable[[int, int, str], None] | None = None) -> ImportReport:
    """Import a bank's ledger file — loans, or repayment rows (see the module docstring).

    Args:
        bank: the bank whose ledger it is (a `reference.Bank`), or None: each row's 贷款银行 decides.
        as_of: the data date (默认: the business date); dates after it are refused.
        idempotency_key: the same key from the same bank returns the first import's report.
        kind: "loans", "repayments" or "auto" (by the header).

    Raises:
        ConflictError: the idempotency key was used for a different file.
    """
    as_of = as_of or business_date()
    report = report or (lambda done, total, message="": None)
    earlier = _earlier(bank, idempotency_key, hashlib.sha256(data).hexdigest())
    if earlier is not None:
        return earlier
    template = ColumnTemplate.objects.filter(bank=bank).values_list("mapping", flat=True).first() if bank else None
    parsed = parse_ledger(filename=filename, data=data, banks=BankResolver(bank_rows(), bank.pk if bank else None),
                          as_of=as_of, template=template, limits=limits, kind=kind, report=report)
    return _finish(parsed, report=report, filename=filename, bank=bank, as_of=as_of, actor=actor, source=source,
                   key=idempotency_key, region=home_region(actor))


MAX_PUSH_ROWS = 10_000


def ledger_push(*, rows: list[dict], actor, bank=None, as_of: dt.date | None = None, kind: str = "loans",
                idempotency_key: str = "") -> ImportReport:
    """A batch pushed by a bank's system (JSON): the same checks, writes and report as a file.

    ``rows`` are dicts keyed by field (``domain.ledger.FIELDS`` / ``REPAYMENT_FIELDS`` keys), values as in
    a file's cells (amounts in yuan as text or numbers, dates as text); an error names the row (1 = the
    first) and the key.
    """
    as_of = as_of or business_date()
    layout = REPAYMENTS if kind == "repayments" else LOANS
    if len(rows) > MAX_PUSH_ROWS:
        raise ExchangeError("rows", f"一批最多 {MAX_PUSH_ROWS} 行（现有 {len(rows)} 行），请分批推送")
    payload = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str).encode()
    earlier = _earlier(bank, idempotency_key, hashlib.sha256(payload).hexdigest())
    if earlier is not None:
        return earlier
    keys = [f.key for f in layout.fields]
    present = {k for row in rows for k in row}
    unknown = sorted(present - set(keys))
    columns = {k: n for n, k in enumerate(keys) if k in present or k in layout.required}
    parsed = ParsedLedger(digest=hashlib.sha256(payload).hexdigest(), layout=layout,
                          header=HeaderMatch(0, columns, {k: k for k in columns}, {}, [str(k)[:40] for k in unknown[:20]]))
    missing = [k for k in layout.required if not any(k in row for row in rows[:1])]
    if not rows or missing:
        parsed.refuse(RowError(1, "rows", "", "required", "没有数据行" if not rows else f"缺少字段 {'、'.join(missing)}"))
    else:
        parse_rows(parsed, [[row.get(k) for k in keys] for row in rows], [],
                   BankResolver(bank_rows(), bank.pk if bank else None), as_of)
    return _finish(parsed, report=lambda *a: None, filename=f"接口推送 {len(rows)} 行"[:200], bank=bank, as_of=as_of,
                   actor=actor, source=ImportSource.API, key=idempotency_key, region=home_region(actor))


@transaction.atomic
def _write(parsed: ParsedLedger, *, filename, bank, as_of, actor, source, key, region, report) -> ImportReport:
    i = LedgerImport.objects.create(
        bank=bank, filename=filename[:200], digest=parsed.digest, as_of=as_of, region_code=region,
        status=ImportStatus.IMPORTED, source=source, counts={}, ignored_columns=parsed.header.unrecognised,
        idempotency_key=key, created_by=actor_or_none(actor))
    bank_ids = {b for _, b, _, _ in parsed.rows}
    existing = _existing(bank_ids)
    new, changed, unchanged = [], [], 0
    for line, bank_id, values, digest in parsed.rows:
        found = existing.get((bank_id, values["contract_number"]))
        if found is None:
            new.append((bank_id, values, digest))
        elif found[1] != digest:
            changed.append((found[0], bank_id, values, digest))
        else:
            unchanged += 1
    report(0, len(new) + len(changed), "写入中")
    places = _Places(actor)
    people = people_by_id_number({v["borrower_id"] for _, _, v, _ in parsed.rows})  # reconciliation reuses them
    risk_known = "risk_fund" in parsed.header.columns

    def placed(values: dict) -> dict:
        person = people.get(values["borrower_id"])
        code = person[4] if person else places.code(values.get("township"), values.get("village"))
        return {"region_code": code or region, "household_id": person[0] if person else None}

    columns = ("bank_id", "digest", "first_import_id", "last_import_id", "as_of", "risk_fund_known", "region_code",
               "household_id", *FIELD_KEYS)
    total = len(new) + len(changed)

    def rows():
        for n, (b, v, d) in enumerate(new, start=1):
            where = placed(v)
            yield (b, d, i.pk, i.pk, as_of, risk_known, where["region_code"], where["household_id"], *_model_row(v))
            if n % 20_000 == 0:
                report(n, total, "写入中")

    insert_rows(LedgerLoan, columns, rows())
    report(len(new), total, "写入中")
    _update(changed, i, as_of, risk_known, placed)
    i.counts = {"read": parsed.read, "created": len(new), "updated": len(changed), "unchanged": unchanged,
                "rejected": 0}
    i.save(update_fields=["counts"])
    record_audit(actor=actor, action="ledger_import", obj=i, after=i.counts)
    run = reconcile_run(actor=actor, bank_ids=bank_ids, ledger_import=i, region_code=region, known_people=people)
    i.findings, i.finding_count = run.findings, run.finding_count
    i.save(update_fields=["findings", "finding_count"])
    return ImportReport(i)


@transaction.atomic
def _write_repayments(parsed: ParsedLedger, *, filename, bank, as_of, actor, source, key, region) -> ImportReport:
    """Repayment rows upserted by (bank, contract number, 流水号); a changed row is updated."""
    i = LedgerImport.objects.create(
        bank=bank, filename=filename[:200], digest=parsed.digest, kind="repayments", as_of=as_of, region_code=region,
        status=ImportStatus.IMPORTED, source=source, counts={}, ignored_columns=parsed.header.unrecognised,
        idempotency_key=key, created_by=actor_or_none(actor))
    bank_ids = {b for _, b, _, _ in parsed.rows}
    existing = {(b, n, r): (pk, d) for b, n, r, pk, d in LedgerRepayment.objects.filter(bank_id__in=bank_ids)
                .values_list("bank_id", "contract_number", "reference", "id", "digest").iterator(chunk_size=20_000)}
    new, changed, unchanged = [], [], 0
    for _line, b, v, digest in parsed.rows:
        fields = {"on": v["repaid_on"], "principal": v["principal"] or 0, "interest": v["interest"] or 0,
                  "penalty": v["penalty"] or 0, "digest": digest, "last_import": i}
        found = existing.get((b, v["contract_number"], v["reference"]))
        if found is None:
            new.append(LedgerRepayment(bank_id=b, contract_number=v["contract_number"], reference=v["reference"],
                                       **fields))
        elif found[1] != digest:
            changed.append(LedgerRepayment(pk=found[0], bank_id=b, contract_number=v["contract_number"],
                                           reference=v["reference"], **fields))
        else:
            unchanged += 1
    LedgerRepayment.objects.bulk_create(new, batch_size=WRITE_BATCH)
    LedgerRepayment.objects.bulk_update(changed, ["on", "principal", "interest", "penalty", "digest", "last_import"],
                                        batch_size=500)
    i.counts = {"read": parsed.read, "created": len(new), "updated": len(changed), "unchanged": unchanged,
                "rejected": 0}
    i.save(update_fields=["counts"])
    record_audit(actor=actor, action="ledger_import", obj=i, after=i.counts)
    return ImportReport(i)


def _update(changed: list, i: LedgerImport, as_of: dt.date, risk_known: bool, placed) -> None:
    """Changed rows: the new values, and each change recorded field by field."""
    fields = [*FIELD_KEYS, "digest", "last_import", "as_of", "risk_fund_known", "region_code", "household_id"]
    for start in range(0, len(changed), WRITE_BATCH):
        chunk = changed[start:start + WRITE_BATCH]
        before = {o.pk: o for o in LedgerLoan.objects.filter(pk__in=[pk for pk, _, _, _ in chunk])}
        records, objs = [], []
        for pk, _bank, values, digest in chunk:
            old = before[pk]
            new_values = _model_values(values)
            diff = {k: [_value_text(getattr(old, k)), _value_text(v)] for k, v in new_values.items()
                    if _value_text(getattr(old, k)) != _value_text(v)}
            for k, v in {**new_values, **placed(values)}.items():
                setattr(old, k, v)
            old.digest, old.last_import, old.as_of, old.risk_fund_known = digest, i, as_of, risk_known
            objs.append(old)
            records.append(LedgerChange(loan=old, ledger_import=i, changes={BY_KEY[k].header: v for k, v in diff.items()}))
        LedgerLoan.objects.bulk_update(objs, fields, batch_size=500)
        LedgerChange.objects.bulk_create(records, batch_size=WRITE_BATCH)
