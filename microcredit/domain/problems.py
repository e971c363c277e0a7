"""The problem ledger 问题台账 (DOMAIN §8, §12; issue #12 §6): what a case needs to be opened,
assigned and closed (销号 only with evidence). Pure rules; the workflow table is
``domain.workflow.PROBLEM_CASE``.
"""

from __future__ import annotations

import datetime as dt

from microcredit.domain.access import TOWNSHIP, VILLAGE
from microcredit.domain.errors import FieldError
from microcredit.domain.regions import region_level, significant_prefix

SOURCES: dict[str, str] = {
    "inspection": "检查", "audit": "审计", "postloan": "贷后检查", "reconciliation": "对账",
    "project": "项目", "other": "其他",
}
"""Where a case comes from (DOMAIN §8: inspection, audit, reconciliation; issue #12 §6)."""

OPEN_STATES = ("opened", "assigned", "rectified", "verified")
"""The states of a case not yet closed or withdrawn (a dedupe key is unique among these)."""

OWNER_ROLES: dict[str, str] = {VILLAGE: "村级", TOWNSHIP: "乡镇"}
"""Who may own a rectification (the roles of the table's 整改 step)."""

MAX_TITLE, MAX_DESCRIPTION, MAX_RECTIFICATION = 200, 2000, 2000
MAX_EVIDENCE_ROWS, MAX_EVIDENCE_KEYS, MAX_EVIDENCE_VALUE = 200, 30, 500
MAX_DEADLINE_DAYS = 366
"""A deadline at most a year after assignment (a longer one is no deadline)."""


def _level(code: str) -> str | None:
    """The level of a 12-digit region code, None when it is not one."""
    try:
        return region_level(code) if len(code) == 12 else None
    except ValueError:
        return None


def evidence_errors(rows: object) -> list[FieldError]:
    """Why machine-found evidence rows (a list of flat objects of text/number values) are refused."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        return [FieldError("evidence", "证据明细必须是行的列表")]
    if len(rows) > MAX_EVIDENCE_ROWS:
        return [FieldError("evidence", f"证据明细最多 {MAX_EVIDENCE_ROWS} 行")]
    errors = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or len(row) > MAX_EVIDENCE_KEYS:
            errors.append(FieldError("evidence", f"证据明细第 {i} 行必须是不超过 {MAX_EVIDENCE_KEYS} 项的键值对"))
            continue
        for key, value in row.items():
            if not isinstance(key, str) or len(key) > 64:
                errors.append(FieldError("evidence", f"证据明细第 {i} 行的列名无效"))
            elif value is not None and not isinstance(value, (str, int, float, bool)):
                errors.append(FieldError("evidence", f"证据明细第 {i} 行“{key}”只能是文字或数字"))
            elif isinstance(value, str) and len(value) > MAX_EVIDENCE_VALUE:
                errors.append(FieldError("evidence", f"证据明细第 {i} 行“{key}”过长（最多 {MAX_EVIDENCE_VALUE} 字）"))
    return errors


def open_errors(*, source: str, region_code: str, title: str, description: str, evidence: object = None,
                dedupe_key: str | None = None) -> list[FieldError]:
    """Every reason a case may not be opened (DOMAIN §8: a finding is a case), [] when it may."""
    errors = []
    if source not in SOURCES:
        errors.append(FieldError("source", "问题来源：请选择检查、审计、贷后检查、对账、项目或其他"))
    if _level(region_code) not in ("county", "township", "village"):
        errors.append(FieldError("region_code", "所属区划：须为县、乡镇或行政村的12位区划代码"))
    if not title.strip():
        errors.append(FieldError("title", "问题标题：必须填写"))
    elif len(title) > MAX_TITLE:
        errors.append(FieldError("title", f"问题标题：最多 {MAX_TITLE} 字"))
    if len(description) > MAX_DESCRIPTION:
        errors.append(FieldError("description", f"问题描述：最多 {MAX_DESCRIPTION} 字"))
    if dedupe_key is not None and not (0 < len(dedupe_key) <= 120):
        errors.append(FieldError("dedupe_key", "去重键：1–120 个字符"))
    return errors + evidence_errors(evidence)


def assign_errors(*, owner_role: str, owner_region: str, case_region: str, deadline: dt.date | None,
                  on: dt.date) -> list[FieldError]:
    """Why a case may not be assigned to ``owner_role`` of ``owner_region`` by ``deadline`` (DOMAIN §12:
    assigned with owner and deadline), [] when it may. The owner's region lies in the case's region or
    contains it (a township may own a village's case)."""
    errors = []
    if owner_role not in OWNER_ROLES:
        errors.append(FieldError("owner_role", "整改责任单位：请选择乡镇或村级"))
    level = {VILLAGE: "village", TOWNSHIP: "township"}.get(owner_role)
    if _level(owner_region) != level and level is not None:
        errors.append(FieldError("owner_region", f"整改责任区划：须为{OWNER_ROLES[owner_role]}的区划"))
    elif level is not None and _level(case_region):
        owner_prefix, case_prefix = significant_prefix(owner_region), significant_prefix(case_region)
        if not (owner_prefix.startswith(case_prefix) or case_prefix.startswith(owner_prefix)):
            errors.append(FieldError("owner_region", "整改责任区划：不在本问题所属区划内"))
    if deadline is None:
        errors.append(FieldError("deadline", "整改期限：必须填写"))
    elif deadline < on:
        errors.append(FieldError("deadline", f"整改期限 {deadline.isoformat()} 早于交办日期 {on.isoformat()}"))
    elif deadline > on + dt.timedelta(days=MAX_DEADLINE_DAYS):
        errors.append(FieldError("deadline", f"整改期限：最长为交办后 {MAX_DEADLINE_DAYS} 天"))
    return errors


def rectify_errors(*, rectification: str, documents: int) -> list[FieldError]:
    """Why a rectification may not be reported: it needs the text and at least one document."""
    errors = []
    if not rectification.strip():
        errors.append(FieldError("rectification", "整改情况：必须填写整改措施和结果"))
    elif len(rectification) > MAX_RECTIFICATION:
        errors.append(FieldError("rectification", f"整改情况：最多 {MAX_RECTIFICATION} 字"))
    if documents < 1:
        errors.append(FieldError("document", "整改佐证材料：至少上传一份（PDF、JPG 或 PNG）"))
    return errors


def closing_errors(*, rectification: str, documents: int) -> list[FieldError]:
    """Why a case may not be closed (销号): DOMAIN §8 "closed only with evidence" — a rectification
    text and at least one document, every failure at once."""
    errors = []
    if not rectification.strip():
        errors.append(FieldError("rectification", "没有整改情况说明，不能销号"))
    if documents < 1:
        errors.append(FieldError("document", "没有整改佐证材料，不能销号"))
    return errors


def is_case_overdue(state: str, deadline: dt.date | None, today: dt.date) -> bool:
    """True when a case being rectified is past its deadline (DOMAIN §12: shown to owner and supervisor)."""
    return state == "assigned" and deadline is not None and today > deadline
