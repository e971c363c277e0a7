"""The loan page's section on collection (issue #12 §3): the loan's open case and its past cases."""

from __future__ import annotations

from microcredit.apps.collection import selectors


def collection_panel(user, loan) -> dict | None:
    if not user.has_perm("collection.view_case"):
        return None
    cases = list(selectors.case_list(user=user, loan=loan).order_by("-opened_on", "-pk")[:10])
    return {"template": "collection/loan_panel.html", "cases": cases, "loan": loan}
