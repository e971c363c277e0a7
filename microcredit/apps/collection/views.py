"""Collection pages (issue #12 §3): the case list (phone-first), a case with its history and the
record-visit form, the overdue daily list 逾期日报 per township, the 到期通知书 and 催收通知书."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcredit.apps.collection import forms, selectors, services
from microcredit.apps.collection.models import Action, Band, CaseState
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import choice_param, digits_param
from microcredit.apps.loans.selectors import loan_current_state, loan_list
from microcredit.apps.regions.selectors import region_names, townships_in_scope, villages_in_scope
from microcredit.domain import collection as rules
from microcredit.domain.errors import DomainError

STATE_FILTERS = {"open": _("全部未结"), **dict(CaseState.choices)}
DAILY_LIMIT = 2000
NOTICE_KINDS = {"due": _("到期还款通知书"), "collection": _("逾期贷款催收通知书")}


def _filters(request) -> dict:
    g = request.GET
    return {"state": choice_param(g, "state", STATE_FILTERS) or "",
            "band": choice_param(g, "band", dict(Band.choices)) or "",
            "township": digits_param(g, "township", lengths=(9, 12)) or "",
            "village": digits_param(g, "village", lengths=(12,)) or ""}


@login_required
@permission_required("collection.view_case", raise_exception=True)
def case_list(request):
    filters = _filters(request)
    if "state" not in request.GET:
        filters["state"] = "open"
    qs = selectors.case_list(user=request.user, **filters).order_by("-days_past_due", "pk")
    page, query = page_of(request, qs, 50)
    names = region_names({c.region_code for c in page})
    last = selectors.last_actions(c.pk for c in page)
    villages = villages_in_scope(user=request.user)
    if filters["township"]:
        villages = villages.filter(code__startswith=filters["township"][:9])
    return render(request, "collection/cases.html", {
        "rows": [(c, names.get(c.region_code, c.region_code), last.get(c.pk)) for c in page],
        "page": page, "query": query, "filters": filters, "states": STATE_FILTERS.items(), "bands": Band.choices,
        "townships": townships_in_scope(user=request.user), "villages": villages.order_by("code")[:500],
    })


@login_required
@permission_required("collection.view_case", raise_exception=True)
def case_detail(request, pk):
    try:
        case = selectors.case_get(user=request.user, pk=pk)
    except selectors.Case.DoesNotExist:
        raise Http404("没有这个催收案件") from None
    can_act = request.user.has_perm("collection.record_action")
    form = forms.ActionForm(request.POST or None, request.FILES or None) if request.POST.get("do") != "close" else \
        forms.ActionForm()
    close_form = forms.CloseForm(request.POST if request.POST.get("do") == "close" else None)
    if request.method == "POST":
        if not can_act:
            messages.error(request, "无权登记催收")
            return redirect("collection:case", pk=case.pk)
        try:
            if request.POST.get("do") == "close":
                if close_form.is_valid():
                    services.case_close(case=case, actor=request.user, note=close_form.cleaned_data["note"])
                    messages.success(request, "已结案")
                    return redirect("collection:case", pk=case.pk)
            elif form.is_valid():
                d = form.cleaned_data
                services.action_record(case=case, actor=request.user, on=d["on"], channel=d["channel"],
                                       result=d["result"], note=d["note"], promised_on=d["promised_on"],
                                       promised_amount=d["promised_amount"], photo=d["photo"])
                messages.success(request, "已登记催收")
                return redirect("collection:case", pk=case.pk)
        except DomainError as exc:
            if request.POST.get("do") == "close":
                messages.error(request, exc.message)
                return redirect("collection:case", pk=case.pk)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    loan = case.loan
    return render(request, "collection/case.html", {
        "case": case, "loan": loan, "history": selectors.case_history(case), "actions": selectors.case_actions(case),
        "form": form, "close_form": close_form, "can_act": can_act and case.is_open,
        "can_close": can_act and case.state == rules.RESOLVED,
        "region": region_names([case.region_code]).get(case.region_code, case.region_code),
        "claim_url": f"{reverse('funds:claim_new')}?loan={loan.number}" if case.claim_proposed else "",
        "can_claim": request.user.has_perm("funds.file_claim"),
    })


@login_required
@permission_required("collection.view_case", raise_exception=True)
def action_photo(request, pk, action):
    """The photo of a recorded visit: the same permission and scope as the case."""
    a = get_object_or_404(Action, pk=action, case_id=pk, case__in=selectors.cases_visible(user=request.user))
    if not a.photo:
        raise Http404("没有照片")
    return FileResponse(a.photo.open("rb"), as_attachment=False, filename=f"催收照片{a.pk}",
                        content_type=a.photo_type or "application/octet-stream")


@login_required
@permission_required("collection.view_case", raise_exception=True)
def daily(request):
    """逾期日报: the open cases by township — loans, days, amounts, case state, last action; printable."""
    township = digits_param(request.GET, "township", lengths=(9, 12)) or ""
    qs = selectors.case_list(user=request.user, open_only=True, township=township).order_by(
        "region_code", "-days_past_due", "pk")
    total = qs.count()
    cases = list(qs[:DAILY_LIMIT])
    codes = {c.region_code for c in cases} | {c.region_code[:9] for c in cases}
    names = region_names(codes)
    last = selectors.last_actions(c.pk for c in cases)
    groups: dict[str, dict] = {}
    for c in cases:
        g = groups.setdefault(c.region_code[:9], {"name": names.get(c.region_code[:9], c.region_code[:9]),
                                                   "rows": [], "amount": 0, "balance": 0})
        g["rows"].append((c, names.get(c.region_code, c.region_code), last.get(c.pk)))
        g["amount"] += c.overdue_amount
        g["balance"] += c.loan.principal_outstanding
    return render(request, "collection/daily.html", {
        "groups": list(groups.values()), "total": total, "shown": len(cases), "limit": DAILY_LIMIT,
        "township": township, "townships": townships_in_scope(user=request.user), "today": business_date(),
        "sum_amount": sum(g["amount"] for g in groups.values()),
    })


@login_required
@permission_required("collection.view_case", raise_exception=True)
def notice(request, loan, kind):
    """到期通知书 (the next instalment due) or 催收通知书 (what is overdue), printable, for one loan in scope."""
    if kind not in NOTICE_KINDS:
        raise Http404("没有这种通知书")
    loan = loan_list(user=request.user, ids=[loan]).first()
    if loan is None:
        raise Http404("没有这笔贷款")
    today = business_date()
    state = loan_current_state(loan, today)
    nxt = next((i for i in state.installments if i.paid_off_on is None and i.due_date >= today), None)
    due = None
    if nxt is not None:
        p, i = nxt.principal - nxt.principal_paid, nxt.interest - nxt.interest_paid
        due = {"date": nxt.due_date, "seq": nxt.seq, "principal": p, "interest": i, "total": p + i}
    overdue_total = state.overdue_principal + state.overdue_interest + state.penalty_owed
    return render(request, "collection/notice.html", {
        "loan": loan, "kind": kind, "title": NOTICE_KINDS[kind], "state": state, "due": due, "today": today,
        "overdue_total": overdue_total,
        "village": region_names([loan.region_code]).get(loan.region_code, loan.region_code),
    })
