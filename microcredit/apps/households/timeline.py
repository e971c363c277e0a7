"""The household timeline rendered readably in Chinese from audit rows."""

from __future__ import annotations

from dataclasses import dataclass

from microcredit.apps.households.models import Household, Member
from microcredit.domain.money import fen_to_yuan

ACTION_LABELS = {
    "household.create": "建档",
    "household.update": "修改农户信息",
    "household.import_create": "档案导入：建档",
    "household.import_update": "档案导入：更新农户信息",
    "member.create": "新增家庭成员",
    "member.update": "修改家庭成员",
    "member.import_create": "档案导入：新增家庭成员",
    "member.import_update": "档案导入：更新家庭成员",
    "registry.verify": "合作银行身份核验",
}
_MODELS = {"households.household": Household, "households.member": Member}


@dataclass
class TimelineItem:
    at: object
    actor: str
    action: str
    subject: str
    changes: list[str]
    note: str


def _label(model, name: str) -> str:
    attr = name[:-3] if name.endswith("_id") else name
    try:
        return str(model._meta.get_field(attr).verbose_name)
    except Exception:
        return name


def _value(model, name: str, value) -> str:
    if value is None or value == "":
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    try:
        field = model._meta.get_field(name[:-3] if name.endswith("_id") else name)
    except Exception:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if name == "income_per_head":
        return f"{fen_to_yuan(int(value))}元"  # integer fen, never through float
    return str(value)


def describe(entry, *, mask=lambda name, value: value) -> TimelineItem:
    """One audit row as a readable item; `mask(name, value)` hides identity fields if needed."""
    model = _MODELS.get(entry.object_type)
    changes = []
    if model is not None and entry.after:
        before = entry.before or {}
        for name, new in entry.after.items():
            if name in ("household_id", "village_id", "region_code") and entry.action.endswith("create"):
                continue
            new_text = _value(model, name, mask(name, new))
            if name in before:
                changes.append(f"{_label(model, name)}：{_value(model, name, mask(name, before[name]))} → {new_text}")
            else:
                changes.append(f"{_label(model, name)}：{new_text}")
    elif entry.action == "registry.verify" and entry.after:
        changes.append("结果：" + ("符合条件" if entry.after.get("eligible") else "不符合条件"))
    return TimelineItem(entry.at, entry.actor_label, ACTION_LABELS.get(entry.action, entry.action),
                        entry.object_repr, changes, entry.note)
