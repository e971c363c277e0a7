"""The close page: runs, start a close (a job with a progress bar), indicators by township."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import int_param
from microcredit.apps.jobs.selectors import jobs_for
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.monitoring import selectors
from microcredit.apps.monitoring.models import CloseRun
from microcredit.apps.monitoring.services import close_request, suspension_lift
from microcredit.domain.close import CloseDateError
from microcredit.domain.errors import DomainError


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def close_page(request):
    if request.method == "POST":
        if not request.user.has_perm("monitoring.run_close"):
            messages.error(request, "无权运行日终批处理")
        else:
            try:
                day = dt.date.fromisoformat(request.POST.get("date") or business_date().isoformat())
            except ValueError:
                messages.error(request, "日期格式不正确")
                return redirect("monitoring:close")
            try:  # the one date rule (domain.close), audited here too when refused
                days = close_request(day, actor=request.user, source="page", note="提交后台任务")
            except CloseDateError as exc:
                messages.error(request, exc.message)
                return redirect("monitoring:close")
            job = enqueue(kind="daily_close", params={"date": day.isoformat(), "source": "page"}, user=request.user)
            span = f"{days[0]} 至 {days[-1]}，共 {len(days)} 个日期" if len(days) > 1 else f"{days[0]}"
            messages.success(request, f"已提交日终批处理（{span}；后台任务 #{job.pk}）")
            return redirect(f"{request.path}?job={job.pk}")
    closes = jobs_for(request.user).filter(kind="daily_close")
    job_id = int_param(request.GET, "job")
    job = (closes.filter(pk=job_id).first() if job_id else None) or closes.order_by("-id").first()
    level = request.GET.get("level", "township")
    page, query = page_of(request, selectors.aggregates_for(request.user, level=level), 100)
    names = selectors.region_names([r.code for r in page] + [r.code[:9] for r in page])
    for r in page:  # two villages may share a name: the village view names each one's township
        r.township = names.get(r.code[:9], "") if level == "village" else ""
    return render(request, "monitoring/close.html", {
        "runs": CloseRun.objects.all()[:30], "job": job, "today": business_date(), "level": level,
        "rows": [(names.get(r.code, r.code), r) for r in page], "page": page, "query": query,
        "as_of": selectors.latest_close_date(),
    })


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def suspensions_page(request):
    """Circuit breakers 熔断 (DOMAIN §8): the list, and a lift form for the county office."""
    visible = selectors.suspensions_visible(request.user)
    if request.method == "POST":
        if not request.user.has_perm("monitoring.lift_suspension"):
            messages.error(request, "无权解除风险熔断")
        else:
            s = get_object_or_404(visible, pk=request.POST.get("suspension") or 0)
            try:
                suspension_lift(s, request.user, request.POST.get("decision", ""))
                messages.success(request, "已解除熔断并记录决定")
            except DomainError as exc:
                messages.error(request, exc.message)
        return redirect("monitoring:suspensions")
    page, query = page_of(request, visible, 100)
    names = selectors.region_names([s.region_code for s in page if s.region_code])
    return render(request, "monitoring/suspensions.html", {
        "rows": [(names.get(s.region_code, s.region_code) if s.region_code else str(s.bank), s) for s in page],
        "page": page, "query": query,
        "can_lift": request.user.has_perm("monitoring.lift_suspension"),
    })
