"""The close page: runs, start a close (a job with a progress bar), indicators by township."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.labels import labels
from microcredit.apps.core.params import choice_param, int_param
from microcredit.apps.jobs.selectors import jobs_for
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.monitoring import drill, selectors
from microcredit.apps.monitoring.models import CloseRun
from microcredit.apps.monitoring.services import close_request, suspension_lift
from microcredit.domain.close import CloseDateError
from microcredit.domain.errors import DomainError
from microcredit.domain.indicators import completion_rate, npl_ratio, overdue_ratio, year_elapsed
from microcredit.domain.regions import LEVEL_LABELS


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


# ---- 监测总览, 风险预警, 排名通报 (issue #12 items 1 and 8) -------------------------------------------


def _place(request) -> drill.Place:
    try:
        return drill.place_of(request.user, request.GET)
    except drill.OutOfScope:
        raise Http404("不在您的管辖范围内，或没有这个区划")


def _link(place: drill.Place, view: str, **extra) -> str:
    """A link to ``view`` keeping the date and bank, with ``extra`` (region, list …) set."""
    query = {"date": place.as_of.isoformat() if place.as_of and not place.is_latest else "",
             "bank": place.bank_id if place.bank_id and not place.bank_fixed else ""}
    query.update(extra)
    return f"{reverse(view)}?{urlencode({k: v for k, v in query.items() if v not in ('', None)})}"


def _loans_link(code: str, place: drill.Place, **extra) -> str:
    """The loan list behind a figure (the current state: at a past month end the list shows today's loans)."""
    query = {"region": code, "status": "active", "bank": place.bank_id or ""}
    query.update(extra)
    return f"{reverse('loans:list')}?{urlencode({k: v for k, v in query.items() if v not in ('', None)})}"


def _households_link(place: drill.Place) -> str:
    """The household list of the place (its township/village filter takes the 12-digit code)."""
    key = {"township": "township", "village": "village"}.get(place.level)
    return f"{reverse('households:list')}?{urlencode({key: place.code.ljust(12, '0')})}" if key else \
        reverse("households:list")


def _ratios(row) -> tuple:
    if row is None:
        return None, None
    return overdue_ratio(row.overdue_balance, row.balance), npl_ratio(row.npl_balance, row.balance)


def _children(request, place, view):
    out = []
    for name, r in drill.child_rows(request.user, place):
        r.overdue_rate, r.npl_rate = _ratios(r)
        out.append({"name": name, "row": r, "href": _link(place, view, region=r.code)})
    return out


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def overview(request):
    """监测总览: the county office's one screen, drilled down by ``?region=`` (issue #12 §8)."""
    place = _place(request)
    row = drill.region_row(place)
    ind = drill.figures(request.user, place)
    children = _children(request, place, "monitoring:overview")
    for c, h in zip(children, drill.bars([c["row"].balance for c in children])):
        c["bar"] = h
    flows = drill.monthly_flows(request.user, place)
    _scale_pair(flows)
    classes = drill.classification_rows(place)
    for c, h in zip(classes, drill.bars([c["balance"] for c in classes])):
        c["bar"], c["href"] = h, _loans_link(place.code, place, classification=c["code"])
    lights = drill.light_rows(row)
    for li, h in zip(lights, drill.bars([li["loans"] for li in lights])):
        li["bar"], li["href"] = h, _loans_link(place.code, place, light=li["code"])
    trend = drill.balance_trend(place)
    for t, h in zip(trend, drill.bars([t.balance for t in trend])):
        t.bar, (t.overdue_rate, t.npl_rate) = h, _ratios(t)
    ladder = [{"month": m.first, "amount": m.principal, "loans": m.loans,
               "href": _loans_link(place.code, place, maturity=m.first.strftime("%Y-%m"))}
              for m in drill.ladder(request.user, place)]
    for m, h in zip(ladder, drill.bars([m["amount"] for m in ladder])):
        m["bar"] = h
    village_page = query = None
    if place.level == "village":
        village_page, query = page_of(request, drill.loans_in(request.user, place), 50)
    return render(request, "monitoring/overview.html", {
        "place": place, "row": row, "ind": ind, "ladder": ladder,
        "children": children, "flows": flows, "classes": classes, "lights": lights, "trend": trend,
        "all_loans_href": _loans_link(place.code, place, status=""),
        "households_href": _households_link(place),
        "page": village_page, "query": query,
        "loans_href": _loans_link(place.code, place),
        "overdue_href": _loans_link(place.code, place, dpd="1+"),
        "npl_href": _loans_link(place.code, place, classification="npl"),
        "lights_href": _link(place, "monitoring:lights", region=place.code),
        "ranking_href": _link(place, "monitoring:ranking"),
        "trail": [(name, _link(place, "monitoring:overview", region=code)) for code, name in place.trail],
    })


def _scale_pair(flows: list[dict]) -> None:
    """Disbursed and repaid bars on one scale (the larger of the two over the 12 months)."""
    top = max([f["disbursed"] for f in flows] + [f["repaid"] for f in flows], default=0)
    for f in flows:
        f["bar_disbursed"] = round(f["disbursed"] * 100 / top) if top else 0
        f["bar_repaid"] = round(f["repaid"] * 100 / top) if top else 0


LISTS = {"red": gettext_lazy("红灯贷款（逾期、不良）"), "yellow": gettext_lazy("黄灯贷款（60 天内到期或有风险标识）")}


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def lights(request):
    """风险预警: red/yellow/green by township → village, and the loans to act on (issue #12 §1)."""
    place = _place(request)
    which = choice_param(request.GET, "list", LISTS) or "red"
    row = drill.region_row(place)
    children = _children(request, place, "monitoring:lights")
    for c in children:
        r = c["row"]
        c["lights"] = [(k, getattr(r, k), _link(place, "monitoring:lights", region=r.code, list=k if k != "green" else ""))
                       for k in ("red", "yellow", "green")]
    page, query = page_of(request, drill.loans_lit(request.user, place, which), 50)
    states = drill.snapshot_states(place, [loan.pk for loan in page])
    flags = labels("risk_flag")
    names = drill.region_names([loan.region_code for loan in page])
    rows = []
    for loan in page:
        s = states.get(loan.pk)
        rows.append({"loan": loan, "village": names.get(loan.region_code, ""),
                     "dpd": s.days_past_due if s else loan.days_past_due,
                     "balance": s.principal_outstanding if s else loan.principal_outstanding,
                     "overdue": s.overdue_principal if s else loan.overdue_principal,
                     "next_due": s.next_due_date if s else loan.next_due_date,
                     "classification": (s or loan).get_classification_display(),
                     "flag": (str(flags.get(loan.risk_flag, _("风险标识"))) if loan.risk_flag else "")})
    return render(request, "monitoring/lights.html", {
        "place": place, "row": row, "children": children, "which": which, "lists": LISTS,
        "tabs": [(k, v, _link(place, "monitoring:lights", region=place.code, list=k)) for k, v in LISTS.items()],
        "rows": rows, "page": page, "query": query,
        "overview_href": _link(place, "monitoring:overview", region=place.code),
        "trail": [(name, _link(place, "monitoring:lights", region=code, list=which)) for code, name in place.trail],
    })


def _targets(user, place: drill.Place, ranked: dict[str, list[dict]]) -> tuple:
    """Each row's year target (None: 未设定), 累计新增 this year, 计划完成率 and whether it lags the time
    progress 时间进度 (the share of the year elapsed); the place's own line likewise (issue #12 item 8)."""
    year, progress = place.as_of.year, year_elapsed(place.as_of)
    total, by_region, by_bank = drill.year_new(user, place)
    regional = selectors.target_map(year=year, region_codes=[place.code, *(r["code"] for r in ranked["regions"])],
                                    bank_id=place.bank_id or None)
    banks = selectors.bank_target_map(year=year, region_code=place.code)

    def fill(r: dict, target: int | None, new: int) -> dict:
        r["target"], r["year_new"] = target, new
        r["completion"] = completion_rate(new, target)
        r["behind"] = r["completion"] is not None and r["completion"] < progress
        return r

    for r in ranked["regions"]:
        fill(r, regional.get(r["code"]), by_region.get(r["code"], 0))
    for r in ranked["banks"]:
        fill(r, banks.get(r["code"]), by_bank.get(r["code"], 0))
    return progress, fill({}, regional.get(place.code), total)


PERIODS = {"month": gettext_lazy("月通报"), "week": gettext_lazy("周点评")}


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def ranking(request):
    """周点评/月通报: townships (or villages) and banks ranked by 新增 and by 逾期率 against the line of
    the place above them (issue #12 §8, REPORTS §9); printable."""
    place = _place(request)
    period = choice_param(request.GET, "period", PERIODS) or "month"
    if place.child_level is None:
        raise DomainError("region", "村一级没有排名，请选县或乡镇")
    if place.as_of is None:
        raise Http404("尚无日终数据")
    start, previous = drill.period_bounds(place.as_of, period)
    line_row = drill.region_row(place)
    line_overdue, _line_npl = _ratios(line_row)
    ranked = drill.ranking_rows(request.user, place, start, previous)
    for group in ranked.values():
        for r in group:
            r["overdue_rate"], r["npl_rate"] = _ratios(r["row"])
            r["previous_rate"] = _ratios(r["before"])[0]
            r["above_line"] = (r["overdue_rate"] is not None and line_overdue is not None
                               and r["overdue_rate"] > line_overdue)
            r["change"] = (r["overdue_rate"] - r["previous_rate"]
                           if r["overdue_rate"] is not None and r["previous_rate"] is not None else None)
        drill.rank(group)
    progress, line_target = _targets(request.user, place, ranked)
    return render(request, "monitoring/ranking.html", {
        "progress": progress, "line_target": line_target,
        "place": place, "period": period, "periods": PERIODS, "start": start, "previous": previous,
        "line_row": line_row, "line_overdue": line_overdue, "ranked": ranked,
        "child_label": _(LEVEL_LABELS[place.child_level]) if place.child_level else "",
        "overview_href": _link(place, "monitoring:overview", region=place.code),
        "period_links": [(k, v, _link(place, "monitoring:ranking", region=place.code, period=k)) for k, v in PERIODS.items()],
    })
