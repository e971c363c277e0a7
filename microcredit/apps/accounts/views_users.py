"""User administration pages (`/account/users/`, county office and administrators, DOMAIN §1).

The list, create, edit, disable/enable and password reset; roles by label, scope by region
names, banks by name. A temporary password is shown once, on the page that answers the POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from microcredit.apps.accounts.forms import UserFilterForm, UserForm
from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.accounts.selectors import scope_names, user_get, user_list
from microcredit.apps.accounts.services import (
    UserAdminError, user_create, user_password_reset, user_set_active, user_update,
)

manage_users = permission_required("core.manage_users", raise_exception=True)


def _user(request, pk: int) -> User:
    try:
        return user_get(user=request.user, pk=pk)
    except User.DoesNotExist:
        raise Http404("用户不存在或不在您的管辖范围内") from None


def describe(users, *, user) -> list[dict]:
    """Rows for people: role label, scope as region names (and the bank), status, last login."""
    names = scope_names(users, user=user)
    return [{
        "user": u, "role": ROLE_LABELS.get(u.role, "超级管理员" if u.is_superuser else "—"),
        "scope": "、".join([names[p] for p in u.scope_regions or []] + ([str(u.bank)] if u.bank_id else []))
        or ("全部" if Scope.of(u).unrestricted else "—"),
    } for u in users]


@login_required
@manage_users
def users(request):
    form = UserFilterForm(request.GET)
    page = Paginator(user_list(user=request.user, **form.filters()), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/users.html", {
        "form": form, "page": page, "rows": describe(page.object_list, user=request.user), "query": query.urlencode()})


@never_cache
@login_required
@manage_users
def user_new(request):
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = user_create(actor=request.user, username=form.cleaned_data["username"],
                                         **form.service_arguments())
        except UserAdminError as exc:
            form.add_errors(exc.errors)
        else:
            return render(request, "accounts/users_password.html", {
                "target": user, "password": password, "created": True})
    return render(request, "accounts/users_form.html", {"form": form, "title": "新建用户"})


@login_required
@manage_users
def user_edit(request, pk: int):
    user = _user(request, pk)
    form = UserForm(request.POST or None, actor=request.user, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(actor=request.user, user=user, **form.service_arguments())
        except UserAdminError as exc:
            form.add_errors(exc.errors)
        else:
            messages.success(request, f"用户 {user} 已保存")
            return redirect("accounts:users")
    return render(request, "accounts/users_form.html", {"form": form, "title": f"修改用户：{user}", "target": user})


@login_required
@manage_users
def user_active(request, pk: int):
    """GET: ask to confirm; POST: disable an enabled user, enable a disabled one."""
    user = _user(request, pk)
    verb = "停用" if user.is_active else "启用"
    if request.method == "POST":
        try:
            user_set_active(actor=request.user, user=user, active=not user.is_active)
        except UserAdminError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"用户 {user} 已{verb}")
        return redirect("accounts:users")
    return render(request, "accounts/users_confirm.html", {
        "target": user, "title": f"{verb}用户",
        "question": f"确定{verb}用户 {user}（{user.username}）吗？"
        + ("停用后不能登录，API 令牌也不能再用；随时可以重新启用。" if user.is_active else "启用后可用原密码登录。"),
        "button": verb})


@never_cache
@login_required
@manage_users
def user_password(request, pk: int):
    """GET: ask to confirm; POST: a new temporary password, shown once."""
    user = _user(request, pk)
    if request.method == "POST":
        try:
            password = user_password_reset(actor=request.user, user=user)
        except UserAdminError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:users")
        return render(request, "accounts/users_password.html", {"target": user, "password": password})
    return render(request, "accounts/users_confirm.html", {
        "target": user, "title": "重置密码",
        "question": f"确定为用户 {user}（{user.username}）重置密码吗？原密码立即失效，本人的 API 令牌全部撤销。",
        "button": "重置密码"})
