"""Sign-in pages of the household portal (issue #14 §1): phone → SMS code, or ID number + paper code;
sign-out; the village station's page that prints paper codes. The rules live in ``portal.signin``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from microcredit.apps.core.masking import mask_phone
from microcredit.apps.portal import signin as svc
from microcredit.apps.portal.access import is_household_user
from microcredit.domain.errors import DomainError

PHONE_KEY = "portal_signin_phone"
HOME = "/portal/"
SEARCH_LIMIT = 20


def _next(request) -> str:
    """Where to go after signing in: a portal path from ?next=, else the portal's home."""
    target = (request.POST.get("next") or request.GET.get("next") or "")[:200]
    if target.startswith("/portal/") and "\x00" not in target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return HOME


def _refused(request, template: str, context: dict, exc: DomainError):
    status = 429 if isinstance(exc, svc.SigninThrottled) else 400
    return render(request, template, context | {"error": exc.message, "field": exc.field}, status=status)


@require_http_methods(["GET", "POST"])
def signin(request):
    """Step 1: the mobile number; a code is sent if the number is registered (the page says no more)."""
    if is_household_user(request.user):
        return redirect(HOME)
    context = {"next": _next(request), "phone": ""}
    if request.method == "POST":
        phone = request.POST.get("phone", "")
        context["phone"] = phone[:svc.MAX_INPUT]
        try:
            svc.request_code(request=request, phone=phone)
        except DomainError as exc:
            return _refused(request, "portal/signin.html", context, exc)
        request.session[PHONE_KEY] = svc.clean_phone(phone)
        messages.info(request, _(svc.CODE_SENT))
        return redirect("/portal/signin/code/?" + urlencode({"next": context["next"]}))
    return render(request, "portal/signin.html", context)


@require_http_methods(["GET", "POST"])
def signin_code(request):
    """Step 2: the code from the SMS; a household session of 30 minutes idle, ending at browser close."""
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("/portal/signin/")
    context = {"next": _next(request), "masked_phone": mask_phone(phone)}
    if request.method == "POST":
        try:
            user = svc.verify_phone_code(request=request, phone=phone, code=request.POST.get("code"))
        except DomainError as exc:
            return _refused(request, "portal/signin_code.html", context, exc)
        svc.start_session(request, user)
        return redirect(context["next"])
    return render(request, "portal/signin_code.html", context)


@require_http_methods(["GET", "POST"])
def signin_paper(request):
    """ID number (the head's or a member's) and the code the village station printed."""
    if is_household_user(request.user):
        return redirect(HOME)
    context = {"next": _next(request), "id_number": ""}
    if request.method == "POST":
        context["id_number"] = request.POST.get("id_number", "")[:svc.MAX_INPUT]
        try:
            user = svc.verify_paper_code(request=request, id_number=request.POST.get("id_number"),
                                         code=request.POST.get("code"))
        except DomainError as exc:
            return _refused(request, "portal/signin_paper.html", context, exc)
        svc.start_session(request, user)
        return redirect(context["next"])
    return render(request, "portal/signin_paper.html", context)


@require_http_methods(["GET", "POST"])
def signout(request):
    if request.method == "POST":
        svc.end_session(request)
        messages.info(request, _("您已退出登录"))
        return redirect("/portal/signin/")
    return render(request, "portal/signin_out.html")


@login_required
@require_http_methods(["GET", "POST"])
def paper_codes(request):
    """The village station prints a sign-in code for a household of its village (valid 10 minutes)."""
    if not request.user.has_perm("portal.issue_paper_code"):
        return HttpResponseForbidden(_("只有村级服务站可以签发纸质验证码"))
    q = request.GET.get("q", "")[:svc.MAX_INPUT]
    context = {"q": q, "households": svc.paper_code_households(user=request.user, q=q)[:SEARCH_LIMIT] if q else [],
               "minutes": svc.CODE_VALID_MINUTES, "max_tries": svc.MAX_TRIES}
    if request.method == "POST":
        try:
            household, code = svc.issue_paper_code(actor=request.user, household_id=request.POST.get("household"))
        except DomainError as exc:
            return _refused(request, "portal/paper_codes.html", context, exc)
        context |= {"issued": household, "code": code}
    return render(request, "portal/paper_codes.html", context)
