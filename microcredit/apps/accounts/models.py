"""Users with a role and a scope (ARCHITECTURE §5).

A user's scope is a set of region-code prefixes and/or one bank. County staff have their
county's prefix, a township clerk the township's, a village clerk the village's; a bank officer
has a bank (and usually the county). An empty scope with no bank sees nothing, unless the user
is a superuser/admin.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.roles import ROLE_LABELS


class User(AbstractUser):
    role = models.CharField(
        _("角色"), max_length=20, choices=list(ROLE_LABELS.items()), blank=True, db_index=True
    )
    scope_regions = models.JSONField(_("管辖区划（代码前缀）"), default=list, blank=True)
    bank = models.ForeignKey(
        "reference.Bank", verbose_name=_("所属银行"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()


class ApiToken(models.Model):
    """A bearer token for bank integrations; only its SHA-256 and a short prefix are stored.

    A token works until it expires or is revoked (by its holder, on the profile page, on a
    password change, or when the user mints more than MICROCREDIT_API_TOKENS_PER_USER).
    """

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=40, blank=True)

    PREFIX_LENGTH = 6

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user.username} 的 API 令牌 {self.prefix}…"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw() -> str:
        return secrets.token_urlsafe(32)
