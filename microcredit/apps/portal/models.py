"""The household portal's sign-in codes (issue #14 §1): one django-otp device per household login and channel.

A code is 6 digits, valid ``CODE_VALID_MINUTES`` (10) minutes, and dies after ``MAX_TRIES`` (5) wrong
tries — the household then asks for a new one. ``ThrottlingMixin`` keeps the count of wrong tries
(and adds django-otp's back-off of 1, 2, 4, 8 s between them, factor ``MICROCREDIT_PORTAL_CODE_BACKOFF``);
``SideChannelDevice`` keeps the code and its expiry. The SMS channel sends the code through the
reminders' SMS backend (``generate_challenge``); the paper channel's code is printed by the village
station (``portal.signin.issue_paper_code``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_otp.models import SideChannelDevice, ThrottlingMixin
from django_otp.util import random_number_token

from microcredit.apps.core.clock import now

CODE_DIGITS = 6
CODE_VALID_MINUTES = 10
MAX_TRIES = 5


class Channel(models.TextChoices):
    SMS = "sms", _("短信验证码")
    PAPER = "paper", _("村级服务站纸质验证码")


class PhoneCodeDevice(ThrottlingMixin, SideChannelDevice):
    """The household login's current code on one channel (``phone``: where the SMS went)."""

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices, default=Channel.SMS)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("农户登录验证码")
        verbose_name_plural = _("农户登录验证码")
        permissions = [("issue_paper_code", "可为本村农户签发纸质登录验证码")]
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="portal_one_device_per_channel")]

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "MICROCREDIT_PORTAL_CODE_BACKOFF", 1))

    def new_code(self) -> str:
        """A fresh code (the old one dies, the count of wrong tries starts again); saved."""
        self.token = random_number_token(CODE_DIGITS)
        self.valid_until = now() + dt.timedelta(minutes=CODE_VALID_MINUTES)
        self.throttle_reset(commit=False)
        self.save()
        return self.token

    def code_state(self) -> str:
        """"live", "none" (no code, used or spent), "expired", "backoff" (a wrong try moments ago)."""
        if not self.token or self.throttling_failure_count >= MAX_TRIES:
            return "none"
        if now() >= self.valid_until:
            return "expired"
        allowed, _info = self.verify_is_allowed()
        return "live" if allowed else "backoff"

    def verify_token(self, token) -> bool:
        """django-otp's contract: True consumes the code; a wrong try counts, the fifth kills the code."""
        if self.code_state() != "live":
            return False
        if constant_time_compare(str(token), self.token):
            self.token, self.valid_until = None, now()
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=False)
        if self.throttling_failure_count >= MAX_TRIES:
            self.token = None
        self.save()
        return False
