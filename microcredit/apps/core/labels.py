"""Words, not codes (issue #11 §3): every code shown to a person goes through one lookup.

A vocabulary maps codes to their (lazily translated) labels. Each vocabulary lives with its codes
and is registered by its app's ``AppConfig.ready()`` with ``register_labels(name, labels)`` —
``labels`` a mapping or a function returning one (eras are rows). The vocabularies of the domain are built in:
``workflow_action`` (``domain.workflow.ACTION_LABELS``), ``party`` and ``sharing_preset``
(``domain.loss_sharing``), ``state:<table code>`` and ``action:<table code>`` (the steps and the
transitions' own titles of a registered workflow). Templates use one filter, ``{% load labels %}{{ code|label:"era" }}``.
"""

from __future__ import annotations

from typing import Callable, Mapping

from django.utils.translation import gettext

from microcredit.apps.core.registry import Registry
from microcredit.apps.core.workflow import WORKFLOWS
from microcredit.domain.loss_sharing import PARTY_LABELS, SHARING_PRESET_LABELS
from microcredit.domain.workflow import ACTION_LABELS

__all__ = ["VOCABULARIES", "register_labels", "labels", "label_of"]

VOCABULARIES = Registry("label vocabulary")  # name → mapping or () -> mapping


def register_labels(name: str, labels: Mapping[str, str] | Callable[[], Mapping[str, str]], *,
                    module: str | None = None) -> None:
    """Register the vocabulary ``name`` (from an app's ready(); a name twice fails at startup)."""
    VOCABULARIES.register(name, labels, module=module or getattr(labels, "__module__", None) or __name__)


def labels(name: str) -> Mapping[str, str]:
    """The code → label mapping of vocabulary ``name`` ({} when unknown)."""
    builtin = {"workflow_action": ACTION_LABELS, "party": PARTY_LABELS, "sharing_preset": SHARING_PRESET_LABELS}
    if name in builtin:
        return builtin[name]
    kind, _, code = name.partition(":")
    if kind in ("state", "action") and code in WORKFLOWS:
        table = WORKFLOWS[code].table
        return dict(table.choices()) if kind == "state" else ACTION_LABELS | {t.action: t.label for t in table.transitions}
    if name not in VOCABULARIES:
        return {}
    found = VOCABULARIES[name]
    return found() if callable(found) else found


def label_of(name: str, code) -> str:
    """The label of ``code`` in vocabulary ``name``; the code itself only when it has none."""
    if code is None or code == "":
        return ""
    found = labels(name).get(code)
    return code if found is None else gettext(str(found))  # domain labels are plain Chinese msgids
