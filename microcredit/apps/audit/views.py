from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.dateparse import parse_date

from microcredit.apps.audit.selectors import audit_entries, masked


@login_required
@permission_required("core.view_audit", raise_exception=True)
def audit_list(request):
    g = request.GET
    entries = audit_entries(
        request.user, actor=g.get("actor", "").strip(), action=g.get("action", "").strip(),
        object_type=g.get("object_type", "").strip(), region=g.get("region", "").strip(),
        date_from=parse_date(g.get("date_from", "") or "") if g.get("date_from") else None,
        date_to=parse_date(g.get("date_to", "") or "") if g.get("date_to") else None,
    )
    page = Paginator(entries, 50).get_page(g.get("page"))
    rows = [(e, masked(e.before, request.user), masked(e.after, request.user)) for e in page]
    query = g.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"page": page, "rows": rows, "query": query.urlencode()})
