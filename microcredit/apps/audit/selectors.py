"""Reading the audit trail, scoped and masked (ARCHITECTURE §4–§5)."""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.audit.services import AUDIT_ACTIONS
from microcredit.apps.core.labels import label_of
from microcredit.apps.core.masking import mask_id_number, mask_phone
from microcredit.apps.core.workflow import WORKFLOWS
from microcredit.domain.money import fen_to_yuan

_MASKERS = (("id_number", mask_id_number), ("phone", mask_phone))


def audit_entries(
    user, *, actor: str = "", action: str = "", object_type: str = "", region: str = "",
    date_from: dt.date | None = None, date_to: dt.date | None = None, household_id: int | None = None,
) -> QuerySet[AuditEntry]:
    """Audit rows the user may see, newest first, filtered.

    Rows tied to a region are scoped by prefix; rows without a region (system-wide settings,
    tokens) are shown only to users whose scope covers a whole county or more.
    """
    scope = Scope.of(user)
    qs = AuditEntry.objects.select_related("actor")
    if not scope.unrestricted:
        county_wide = any(len(p) <= 6 for p in scope.region_prefixes)
        qs = qs.filter(scope.region_q("region_code") | (Q(region_code="") if county_wide else Q(pk__in=[])))
    if actor:
        qs = qs.filter(Q(actor_label__contains=actor) | Q(actor__username=actor))
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if region:
        qs = qs.filter(region_code__startswith=region)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    return qs.order_by("-at", "-id")


def household_audit_entries(*, household_id: int) -> QuerySet[AuditEntry]:
    """Everything recorded against a household, newest first (its page checked the scope)."""
    return AuditEntry.objects.filter(household_id=household_id).order_by("-at", "-id")


def masked(value, user):
    """A before/after snapshot with ID numbers and phones masked unless the user may see them."""
    if user.has_perm("core.see_identity") or value is None:
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            masker = next((fn for part, fn in _MASKERS if part in key), None)
            out[key] = masker(item) if masker and isinstance(item, str) else masked(item, user)
        return out
    if isinstance(value, list):
        return [masked(v, user) for v in value]
    return value


# --- audit entries as sentences (issue #11 §3) ------------------------------------------------------

_MONEY_NAMES = frozenset({"amount", "principal", "interest", "balance", "approved_amount", "credit_line",
                          "outstanding", "overdue_principal", "income_per_head", "penalty"})
_KEY_LABELS = {
    "status": "状态", "state": "状态", "voter": "评议人", "score": "得分", "eligible": "符合条件", "lines": "分录",
    "memo": "摘要", "reason": "原因", "level": "级别", "note": "说明", "new_loan": "新贷款", "stale": "需重算",
    "event": "业务事件", "loan": "贷款", "rows": "行数", "added": "新增", "removed": "移除", "kind": "类别",
}
_SKIPPED_ON_CREATE = frozenset({"id", "household_id", "village_id", "region_code"})
_REGION_KEYS = frozenset({"scope_regions", "region_code", "county_code"})


def action_label(code: str) -> str:
    """An audit action's label (the code itself only for an action no app labelled)."""
    return str(AUDIT_ACTIONS.get(code, code))


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every labelled action, by label — the audit list's 操作 filter."""
    return sorted(((c, str(label)) for c, label in AUDIT_ACTIONS.items()), key=lambda c: c[1])


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def object_type_choices() -> list[tuple[str, str]]:
    """(app_label.model, verbose name) of the object types the trail holds — the 对象类型 filter."""
    types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((t, object_type_label(t)) for t in types if t), key=lambda c: c[1])


def _field(model, name: str, depth: int = 1):
    """The field ``name`` of ``model``, else of a model it points to (a loan event's figures are its loan's)."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name.removesuffix("_id"))
    except Exception:  # FieldDoesNotExist, or a key that is not a field name at all
        parents = [f.related_model for f in model._meta.concrete_fields if f.many_to_one] if depth else []
        return next((found for m in parents if (found := _field(m, name, 0)) is not None), None)


def _name(model, name: str) -> str:
    found = _field(model, name)
    if found is not None and getattr(found, "verbose_name", None):
        return str(found.verbose_name).removesuffix("（分）")
    return _KEY_LABELS.get(name, name)


def _is_money(model, name: str) -> bool:
    found = _field(model, name)
    return name.endswith("_fen") or name in _MONEY_NAMES or (
        found is not None and str(getattr(found, "verbose_name", "")).endswith("（分）"))


def yuan_text(fen: int) -> str:
    """Integer fen as "5,000.00 元" (domain.money, never through float)."""
    text = fen_to_yuan(int(fen))
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, cents = text.split(".")
    return f"{sign}{int(whole):,}.{cents} 元"


def _value(model, name: str, value) -> str:
    if value is None or value == "":
        return _("空")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return "，".join(f"{_name(model, k)} {_value(model, k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_value(model, name, v) for v in value)
    if isinstance(value, int) and _is_money(model, name):
        return yuan_text(value)
    if name in _REGION_KEYS:
        return label_of("region", value)
    found = _field(model, name)
    if found is not None and getattr(found, "choices", None):
        return str(dict(found.flatchoices).get(value, value))
    if found is not None and found.many_to_one and (isinstance(value, int) or str(value).isdigit()):
        # an id in the snapshot → the row's name; a name already (older snapshots) stays as it is
        return str(found.related_model._default_manager.filter(pk=int(value)).first() or value)
    for wf in WORKFLOWS.values():
        if wf.model is model and name == wf.state_field:
            return str(dict(wf.table.choices()).get(value, value))
    return str(value)


@dataclass
class AuditSentence:
    """One audit row in words: 王建国 修改农户信息「刘波飞户」：户类型 一般农户 → 脱贫户."""

    at: dt.datetime
    actor: str
    action: str
    subject: str
    changes: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def text(self) -> str:
        head = f"{self.actor} {self.action}「{self.subject}」"
        return head + ("：" + "；".join(self.changes) if self.changes else "")


def describe(entry: AuditEntry, user) -> AuditSentence:
    """``entry`` as a sentence for ``user``: fields by their names, choices by their labels, money
    in 元, identity masked unless the user may see it (ARCHITECTURE §4–§5)."""
    model = _model(entry.object_type)
    before, after = masked(entry.before, user), masked(entry.after, user)
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    changes = []
    for name in [*after, *(k for k in before if k not in after)]:
        if (name in _SKIPPED_ON_CREATE and entry.action.endswith("create")) or (name in before and name in after and before[name] == after[name]):
            continue
        label = _name(model, name)
        if name in before and name in after:
            changes.append(f"{label} {_value(model, name, before[name])} → {_value(model, name, after[name])}")
        elif name in after:
            changes.append(f"{label} {_value(model, name, after[name])}")
        else:
            changes.append(f"{label} {_value(model, name, before[name])} → {_('空')}")
    return AuditSentence(entry.at, entry.actor_label, action_label(entry.action),
                         entry.object_repr or object_type_label(entry.object_type), changes, entry.note)
