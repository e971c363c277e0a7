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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.bulk import insert_rows
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_text
from microcredit.apps.core.tables import TableError, TableLimits, read_cells
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.exchange.ledger_file import LIMITS, BankResolver, ParsedLedger, parse_ledger, parse_rows
from microcredit.apps.exchange.models import (
    ColumnTemplate, ImportSource, ImportStatus, LedgerChange, LedgerImport, LedgerLoan, LedgerRepayment,
    PublicEmployee, ReconciliationRun,
)
from microcredit.apps.households.selectors import people_by_id_number
from microcredit.apps.loans.selectors import balances_on, loans_on_ledger
from microcredit.apps.problems.services import FoundProblem, problems_found
from microcredit.apps.rating.selectors import blacklisted_households
from microcredit.apps.reference.selectors import bank_list, current_rate_fixings, era_cap_rate, era_terms
from microcredit.domain.rates import SHIPPED_RATES
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.cells import CellError, cell_text, normalise_header, parse_id_number, parse_text
from microcredit.domain.errors import ConflictError, DomainError, FieldError
from microcredit.domain.ledger import BY_KEY, FIELD_KEYS, FIELDS, LOANS, REPAYMENTS, HeaderMatch, RowError
from microcredit.domain.reconciliation import CHECKS, Caps, LedgerFacts, Person, reconcile
from microcredit.domain.regions import significant_prefix

AUDIT_ACTIONS = {
    "ledger_import": _("导入银行台账"), "ledger_refused": _("银行台账未通过校验"), "ledger_reconcile": _("台账对账核查"),
    "ledger_template": _("修改列对照模板"), "officials_import": _("导入公职人员名册"),
}
MAX_FINDINGS = 2000  # kept in a report; every finding is counted and each is a problem case
WRITE_BATCH = 2000
LEDGER_COLUMNS = [k for k in FIELD_KEYS if k not in ("lending_bank",)] + ["lending_bank"]


class ExchangeError(DomainError):
    """A request the exchange refuses (422)."""


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


def _banks() -> list[tuple[int, str, str, str]]:
    return list(bank_list().values_list("id", "code", "name", "short_name"))


def _home_region(actor) -> str:
    """The county an importer works in (the one county in their scope), else ""."""
    counties = list(regions_in_scope(user=actor_or_none(actor) or SYSTEM, level="county").values_list("code", flat=True)[:2])
    return counties[0] if len(counties) == 1 else ""


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
    parsed = parse_ledger(filename=filename, data=data, banks=BankResolver(_banks(), bank.pk if bank else None),
                          as_of=as_of, template=template, limits=limits, kind=kind, report=report)
    return _finish(parsed, report=report, filename=filename, bank=bank, as_of=as_of, actor=actor, source=source,
                   key=idempotency_key, region=_home_region(actor))


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
                   BankResolver(_banks(), bank.pk if bank else None), as_of)
    return _finish(parsed, report=lambda *a: None, filename=f"接口推送 {len(rows)} 行"[:200], bank=bank, as_of=as_of,
                   actor=actor, source=ImportSource.API, key=idempotency_key, region=_home_region(actor))


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


# --- reconciliation ---------------------------------------------------------------------------------

_FACT_FIELDS = ("bank__code", "contract_number", "borrower_id", "amount", "disbursed_on", "balance", "head_id",
                "borrower_name", "term_months", "annual_rate", "repaid_amount", "account_number", "payee",
                "usage_mode", "overdue_since", "unpaid_interest_since", "subsidy_to_date", "risk_fund",
                "risk_fund_known", "region_code", "bank__short_name")


def _caps_on():
    cache, fixings = {}, current_rate_fixings() or SHIPPED_RATES

    def caps(day: dt.date, term_months: int | None) -> Caps | None:
        terms, era = cache.get(day) or cache.setdefault(day, era_terms(day))
        if terms is None:
            return None
        rate = era_cap_rate(era, day, term_months or 12, fixings)
        return Caps(terms.name, terms.max_amount, terms.max_term_months, rate, terms.eligible_statuses,
                    terms.min_age, terms.max_age)

    return caps


def _people(id_numbers: set[str], on: dt.date, known: dict | None = None) -> dict[str, Person]:
    """Registered people by ID number; ``known`` — people an import just looked up — are not read again."""
    known = known or {}
    found = {n: known[n] for n in id_numbers if n in known}
    found.update(people_by_id_number({n for n in id_numbers if n not in known}))
    banned = blacklisted_households(on)
    return {n: Person(str(p[0]), p[1], p[2], p[3], p[0] in banned, p[4]) for n, p in found.items()}


def _system_side(dates: dict[dt.date, set[int]]) -> tuple[dict, dict]:
    """What the system services, as of each ledger date: the balances of the ledger banks' loans (their
    rows are compared with a ledger of the same day) and every household's outstanding loans."""
    balances: dict[tuple[str, str], int] = {}
    loans_of: dict[str, list[str]] = {}
    for day, bank_ids in sorted(dates.items()):
        balances.update(balances_on(day, bank_ids))
        for _code, number, household in loans_on_ledger(day):
            loans_of.setdefault(str(household), []).append(number)
    return balances, loans_of


@transaction.atomic
def reconcile_run(*, actor, bank_ids=None, region_code: str = "", ledger_import: LedgerImport | None = None,
                  on: dt.date | None = None, known_people: dict | None = None) -> ReconciliationRun:
    """Run every check (DOMAIN §10) over the ledgers of ``bank_ids`` (None: every bank) within
    ``region_code`` (""/None: everywhere the ledgers are), and open or update one problem case per finding.

    Findings whose loan has no region (borrower unknown, village names unknown) take ``region_code``, or
    the importer's county; a finding with neither is reported but opens no case.
    """
    on = on or business_date()
    qs = LedgerLoan.objects.all()
    if bank_ids is not None:
        qs = qs.filter(bank_id__in=list(bank_ids))
    if region_code:
        qs = qs.filter(region_code__startswith=significant_prefix(region_code))
    facts, dates = [], {}
    for *row, as_of, bank_id in qs.values_list(*_FACT_FIELDS, "as_of", "bank_id").iterator(chunk_size=20_000):
        facts.append(LedgerFacts(*row))
        dates.setdefault(as_of, set()).add(bank_id)
    people = _people({f.borrower_id for f in facts}, on, known_people)
    balances, loans_of = _system_side(dates)
    officials = dict(PublicEmployee.objects.values_list("id_number", "unit"))
    findings = reconcile(facts, people=people, caps_on=_caps_on(), officials=officials, system_balances=balances,
                         system_loans_of=loans_of)
    home = region_code if len(region_code or "") == 12 else (ledger_import.region_code if ledger_import else "")
    home = home or _home_region(actor)
    banks = {code: (pk, short or name) for pk, code, name, short in _banks()}
    problems = []
    for f in findings:
        region = f.region_code or home
        if not region:
            continue
        key = f"ledger:{f.check}:{f.subject}"
        if len(key) > 120:
            key = f"ledger:{f.check}:#{hashlib.blake2b(f.subject.encode(), digest_size=16).hexdigest()}"
        household = people.get(f.borrower_id)
        problems.append(FoundProblem(
            dedupe_key=key, region_code=region, description=mask_text(f.detail), evidence=f.evidence,
            title=f"{CHECKS[f.check]}：{banks.get(f.bank, (None, f.bank))[1]} {f.contract_number}"[:200],
            bank_id=banks.get(f.bank, (None,))[0], household_id=int(household.household) if household else None,
            subject=f"{banks.get(f.bank, (None, f.bank))[1]} {f.contract_number}"))
    cases = problems_found(source="reconciliation", found=problems, actor=actor, on=on) if problems else {}
    counts = dict(Counter(f.check for f in findings))
    run = ReconciliationRun.objects.create(
        bank_id=next(iter(bank_ids)) if bank_ids is not None and len(set(bank_ids)) == 1 else None,
        region_code=region_code or "", ledger_import=ledger_import, rows=len(facts), counts=counts,
        findings=[f.as_dict() for f in findings[:MAX_FINDINGS]], finding_count=len(findings),
        created_by=actor_or_none(actor))
    record_audit(actor=actor, action="ledger_reconcile", obj=run,
                 after={"rows": len(facts), "findings": len(findings), **cases})
    return run


# --- templates and the register of public employees -------------------------------------------------

@transaction.atomic
def template_save(*, bank, mapping: dict[str, str], actor) -> ColumnTemplate:
    """Save a bank's column mapping {field: header}; empty headers are dropped, each header once."""
    errors, clean, seen = [], {}, {}
    for key, title in (mapping or {}).items():
        if key not in BY_KEY:
            errors.append(FieldError(key, f"没有这一列：{str(key)[:30]}"))
            continue
        title = (title or "").strip()
        if not title:
            continue
        if len(title) > 60:
            errors.append(FieldError(key, f"{BY_KEY[key].header}：列名最多 60 个字"))
            continue
        name = normalise_header(title)[0]
        if name in seen:
            errors.append(FieldError(key, f"{BY_KEY[key].header}：列名“{title}”已用于{BY_KEY[seen[name]].header}"))
            continue
        seen[name], clean[key] = key, title
    if errors:
        raise ExchangeError(errors[0].field, "；".join(e.message for e in errors))
    template, _created = ColumnTemplate.objects.update_or_create(bank=bank, defaults={"mapping": clean,
                                                                                       "updated_by": actor_or_none(actor)})
    record_audit(actor=actor, action="ledger_template", obj=template, after=clean)
    return template


OFFICIAL_COLUMNS = {"身份证号": ("身份证号", "身份证号码", "公民身份号码", "证件号码"), "姓名": ("姓名",),
                    "工作单位": ("工作单位", "单位", "所在单位", "单位名称")}


def _official_header(row: list) -> dict[str, int]:
    names = [normalise_header(cell_text(c))[0] for c in row]
    return {column: names.index(alias) for column, aliases in OFFICIAL_COLUMNS.items() for alias in aliases
            if alias in names}


@transaction.atomic
def officials_import(*, filename: str, data: bytes, actor, replace: bool = True) -> dict[str, int]:
    """The register of public employees (姓名, 身份证号, 工作单位): all rows checked first, then it replaces
    the register (or adds to it). Errors name row, column and rule.

    Raises:
        ExchangeError: listing every error; nothing written.
    """
    try:
        table = read_cells(filename, data)
    except TableError as exc:
        raise ExchangeError("file", exc.message) from None
    header_line = next((n for n, row in enumerate(table[:10]) if "身份证号" in _official_header(row)), None)
    if header_line is None:
        raise ExchangeError("file", "前 10 行内未找到表头（须有 身份证号、姓名 两列，可有 工作单位）")
    index = _official_header(table[header_line])
    errors, people = [], {}
    for line, row in enumerate(table[header_line + 1:], start=header_line + 2):
        if not any(cell_text(c).strip() for c in row):
            continue
        cells = {k: row[p] if p < len(row) else None for k, p in index.items()}
        try:
            number = parse_id_number(cells.get("身份证号"), field="身份证号")
            name = parse_text(cells.get("姓名"), field="姓名", max_length=64)
            unit = parse_text(cells.get("工作单位"), field="工作单位", max_length=100, required=False)
        except CellError as exc:
            errors.append(FieldError(exc.field, f"第{line}行 列{exc.field}：{exc.message}"))
            continue
        people[number] = (name, unit)
    if errors:
        more = f"（共 {len(errors)} 处错误，仅列前 50 处）" if len(errors) > 50 else ""
        raise ExchangeError("file", "；".join(e.message for e in errors[:50]) + more + "；名册未导入")
    if replace:
        PublicEmployee.objects.exclude(id_number__in=list(people)).delete()
    existing = set(PublicEmployee.objects.values_list("id_number", flat=True))
    PublicEmployee.objects.bulk_create([PublicEmployee(id_number=n, name=a, unit=b) for n, (a, b) in people.items()
                                        if n not in existing], batch_size=WRITE_BATCH)
    for obj in PublicEmployee.objects.filter(id_number__in=list(existing & set(people))):
        obj.name, obj.unit = people[obj.id_number]
        obj.save(update_fields=["name", "unit", "uploaded_at"])
    record_audit(actor=actor, action="officials_import", object_type="exchange.publicemployee", object_id="",
                 object_repr=f"公职人员名册 {len(people)} 人", after={"people": len(people), "replace": replace})
    return {"people": len(people)}
