from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from microcredit.apps.audit.selectors import action_choices, audit_entries, describe, object_type_choices
from microcredit.apps.core.params import date_param


@login_required
@permission_required("core.view_audit", raise_exception=True)
def audit_list(request):
    g = request.GET
    entries = audit_entries(
        request.user, actor=g.get("actor", "").strip(), action=g.get("action", "").strip(),
        object_type=g.get("object_type", "").strip(), region=g.get("region", "").strip(),
        date_from=date_param(g, "date_from"), date_to=date_param(g, "date_to"),
    )
    page = Paginator(entries, 50).get_page(g.get("page"))
    rows = [describe(e, request.user) for e in page]
    query = g.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {
        "page": page, "rows": rows, "query": query.urlencode(),
        "actions": action_choices(), "object_types": object_type_choices(),
    })
