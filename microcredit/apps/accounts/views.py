"""The user's own account page: who I am, my API tokens (revoke), change my password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from microcredit.apps.accounts.models import ApiToken
from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.accounts.tokens import REVOKE_REASON_LABELS, revoke_token
from microcredit.apps.core.clock import now


def _token_rows(user):
    moment = now()
    rows = []
    for token in ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:50]:
        if token.revoked_at:
            state = f"已撤销（{REVOKE_REASON_LABELS.get(token.revoked_reason, token.revoked_reason)}）"
        elif token.expires_at <= moment:
            state = "已过期"
        else:
            state = "有效"
        rows.append({"token": token, "state": state, "live": state == "有效"})
    return rows


@login_required
def profile(request):
    user = request.user
    return render(request, "accounts/profile.html", {
        "role": ROLE_LABELS.get(user.role, "管理员" if user.is_superuser else ""),
        "tokens": _token_rows(user),
    })


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # only one's own tokens
    if revoke_token(token=token, actor=request.user):
        messages.success(request, f"令牌 {token.prefix}… 已撤销")
    return redirect("accounts:profile")


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change; the new password revokes all API tokens (accounts.signals)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改；原有的 API 令牌已全部撤销，银行系统需重新申请令牌。")
        return response
