"""Signing a household in (issue #14 §1): a code by SMS to a registered mobile number, or a paper code
the village station prints; then a short session or a one-day API token for the household's login.

The lockout is the code itself, not django-axes: a code lives 10 minutes and dies after 5 wrong
tries (``models.PhoneCodeDevice``), and codes are sent at most ``MICROCREDIT_PORTAL_CODE_RATE_PHONE``
(3 per 10 minutes) to one number and ``MICROCREDIT_PORTAL_CODE_RATE_IP`` (20 an hour) to one client;
code checks are limited per client too (``MICROCREDIT_PORTAL_VERIFY_RATE_IP``, 30 per 10 minutes).
Axes counts failures per username and IP for password logins; a portal login has no password and the
per-code count holds whatever the IP. Asking for a code answers the same whether or not the number
is known or the request throttled, so nobody learns which numbers are registered.
Every code sent or refused, every paper code, every sign-in and every failed one is audited (the
phone and ID number masked).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.contrib.auth import get_user_model, login, logout
from django.db import transaction
from django.db.models import Q
from ninja.throttling import SimpleRateThrottle

from microcredit.apps.accounts.lockout import client_ip
from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.masking import mask_id_number, mask_phone
from microcredit.apps.households.selectors import households_in_scope, member_by_id_number
from microcredit.apps.portal.access import touch_session
from microcredit.apps.portal.models import CODE_DIGITS, CODE_VALID_MINUTES, MAX_TRIES, Channel, PhoneCodeDevice
from microcredit.apps.reminders.services import SmsError, sms_backend
from microcredit.domain.access import HOUSEHOLD, VILLAGE
from microcredit.domain.errors import DomainError
from microcredit.domain.identity import id_number_error
from microcredit.domain.registry import normalise_phone

TOKEN_HOURS = 24
SMS_TEXT = "【小额信贷】您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作请忽略。"
CODE_SENT = "如果该手机号已在村里登记，验证码已发送，10分钟内有效。"
WRONG_CODE = "验证码不正确或已失效，请重新获取验证码"
MAX_INPUT = 40
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CODE = re.compile(rf"\d{{{CODE_DIGITS}}}")

AUDIT_LABELS = {
    "portal.code_sent": "发送农户登录验证码",
    "portal.code_not_sent": "农户登录验证码未发送",
    "portal.paper_code": "签发农户纸质登录验证码",
    "portal.signin": "农户登录",
    "portal.signin_failed": "农户登录失败",
    "portal.signout": "农户退出登录",
}


class SigninRefused(DomainError):
    """A sign-in refused (wrong, expired or spent code; too many tries); the message is for the household."""


class SigninThrottled(SigninRefused):
    """Too many code checks from one client; ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("code", f"尝试过于频繁，请{retry_after}秒后再试")
        self.retry_after = retry_after


# --- input -------------------------------------------------------------------------------------


def _text(value, field: str, label: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(field, f"请填写{label}")
    if not isinstance(value, str):
        raise DomainError(field, f"{label}格式不对")
    if len(value) > MAX_INPUT or "\x00" in value:
        raise DomainError(field, f"{label}格式不对")
    return value.strip()


def clean_phone(value) -> str:
    """A mobile number as stored (full-width digits, spaces and hyphens tolerated), else DomainError."""
    phone = normalise_phone(_text(value, "phone", "手机号")).replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _MOBILE.fullmatch(phone):
        raise DomainError("phone", "手机号应为1开头的11位数字")
    return phone


def clean_code(value) -> str:
    code = normalise_phone(_text(value, "code", "验证码"))
    if not _CODE.fullmatch(code):
        raise DomainError("code", f"验证码应为{CODE_DIGITS}位数字")
    return code


def clean_id_number(value) -> str:
    id_number = normalise_phone(_text(value, "id_number", "身份证号")).upper()
    error = id_number_error(id_number)
    if error:
        raise DomainError("id_number", error)
    return id_number


# --- who -------------------------------------------------------------------------------------


def household_for_phone(phone: str):
    """The one household whose phone or a member's phone is ``phone``; None when none or several."""
    ids = list(households_in_scope(user=SYSTEM).filter(Q(phone=phone) | Q(members__phone=phone))
               .values_list("pk", flat=True).distinct()[:2])
    if len(ids) != 1:
        return None
    return households_in_scope(user=SYSTEM).get(pk=ids[0])


def household_for_id_number(id_number: str):
    member = member_by_id_number(user=SYSTEM, id_number=id_number)
    return member.household if member else None


@transaction.atomic
def household_user_for(household):
    """The household's login (role household, no region scope, no password), made on first sign-in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"hh-{household.number}",
        defaults={"role": HOUSEHOLD, "household": household, "last_name": household.head_name[:150]},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _device(user, channel: str) -> PhoneCodeDevice:
    device, _ = PhoneCodeDevice.objects.select_for_update().get_or_create(
        user=user, channel=channel, defaults={"name": Channel(channel).label})
    return device


# --- throttles ---------------------------------------------------------------------------------


class _Throttle(SimpleRateThrottle):
    """ninja's sliding-window throttle (the shared cache), keyed by a given identity."""

    cache_format = "portal_%(scope)s_%(ident)s"

    def __init__(self, scope: str, rate: str, ident: str | None) -> None:
        self.scope, self._ident = scope, ident
        super().__init__(rate)

    def get_cache_key(self, request):
        return None if self._ident is None else self.cache_format % {"scope": self.scope, "ident": self._ident}


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, None) or default


def _code_request_allowed(request, phone: str) -> bool:
    """Counts the request against the number and the client; False past either rate."""
    throttles = [
        _Throttle("code_phone", _rate("MICROCREDIT_PORTAL_CODE_RATE_PHONE", "3/10min"), phone),
        _Throttle("code_ip", _rate("MICROCREDIT_PORTAL_CODE_RATE_IP", "20/hour"), client_ip(request)),
    ]
    return all([t.allow_request(request) for t in throttles])  # a list: both are counted


def _check_verify_rate(request) -> None:
    throttle = _Throttle("verify_ip", _rate("MICROCREDIT_PORTAL_VERIFY_RATE_IP", "30/10min"), client_ip(request))
    if not throttle.allow_request(request):
        raise SigninThrottled(max(1, int(throttle.wait() or 60)))


# --- codes -------------------------------------------------------------------------------------


def request_code(*, request, phone: str) -> None:
    """Send a sign-in code to ``phone`` if it belongs to exactly one household and the rates allow.

    Returns nothing either way (the caller answers the same); a malformed number is refused
    (DomainError) — that says nothing about who is registered.
    """
    phone = clean_phone(phone)
    allowed = _code_request_allowed(request, phone)
    household = household_for_phone(phone)
    reason = "" if allowed else "请求过于频繁"
    if household is None:
        reason = reason or "手机号未登记或对应多户"
    if reason:
        record_audit(actor=None, action="portal.code_not_sent", object_type="portal.phonecodedevice",
                     object_repr=f"农户登录验证码 {mask_phone(phone)}", note=f"{reason}；IP {client_ip(request)}",
                     region_code=household.region_code if household else "",
                     household_id=household.pk if household else None)
        return
    with transaction.atomic():
        user = household_user_for(household)
        device = _device(user, Channel.SMS)
        device.phone = phone
        code = device.new_code()
        record_audit(actor=None, action="portal.code_sent", obj=device,
                     object_repr=f"农户登录验证码 {mask_phone(phone)}（{household.number}）",
                     note=f"IP {client_ip(request)}", region_code=household.region_code, household_id=household.pk)
    try:
        sms_backend().send(phone, SMS_TEXT.format(code=code, minutes=CODE_VALID_MINUTES), kind="portal_code")
    except SmsError as exc:  # the household sees the same answer; the office sees why in the audit trail
        record_audit(actor=None, action="portal.code_not_sent", obj=device,
                     object_repr=f"农户登录验证码 {mask_phone(phone)}", note=f"短信未发出：{exc}",
                     region_code=household.region_code, household_id=household.pk)


def paper_code_households(*, user, q: str = ""):
    """Households a village station may print a code for (its scope), matching ``q`` (name, 户编号, ID number)."""
    if getattr(user, "role", "") != VILLAGE:
        return households_in_scope(user=None)  # nothing
    qs = households_in_scope(user=user)
    q = (q or "").strip()[:MAX_INPUT].replace("\x00", "")
    if q:
        qs = qs.filter(Q(head_name__contains=q) | Q(number=q) | Q(head_id_number=q.upper())
                       | Q(members__name__contains=q)).distinct()
    return qs.order_by("number")


@transaction.atomic
def issue_paper_code(*, actor, household_id) -> tuple[object, str]:
    """A printable code for a household of the village station's scope: (household, code); audited."""
    if getattr(actor, "role", "") != VILLAGE:
        raise DomainError("household", "只有村级服务站可以签发纸质验证码")
    try:
        household = households_in_scope(user=actor).get(pk=int(household_id))
    except (TypeError, ValueError, OverflowError):
        raise DomainError("household", "请选择农户") from None
    except ObjectDoesNotExist:
        raise DomainError("household", "农户不存在或不在您的管辖范围内") from None
    user = household_user_for(household)
    if not user.is_active:
        raise DomainError("household", "该农户的登录账号已停用，请联系县级管理员")
    device = _device(user, Channel.PAPER)
    code = device.new_code()
    record_audit(actor=actor, action="portal.paper_code", obj=device,
                 object_repr=f"纸质登录验证码（{household.head_name}，{household.number}）",
                 region_code=household.region_code, household_id=household.pk)
    return household, code


# --- sign-in -----------------------------------------------------------------------------------


def _failed(request, *, household, who: str, reason: str) -> None:
    record_audit(actor=None, action="portal.signin_failed", object_type="portal.phonecodedevice",
                 object_repr=f"农户登录 {who}", note=f"{reason}；IP {client_ip(request)}",
                 region_code=household.region_code if household else "",
                 household_id=household.pk if household else None)


def _verify(request, *, household, channel: str, code: str, who: str):
    """The household's login when ``code`` is its live code on ``channel``; SigninRefused otherwise.

    The wrong try and its audit row are committed before the refusal is raised."""
    with transaction.atomic():
        user, refusal = _check(request, household=household, channel=channel, code=code, who=who)
    if refusal:
        raise SigninRefused("code", refusal)
    return user


def _check(request, *, household, channel: str, code: str, who: str):
    """(user, None) on success, (None, message) on a refusal (counted and audited)."""
    user = None
    if household is not None:
        user = get_user_model().objects.filter(username=f"hh-{household.number}", household=household).first()
    device = PhoneCodeDevice.objects.select_for_update().filter(user=user, channel=channel).first() if user else None
    if device is None or not user.is_active:
        _failed(request, household=household, who=who, reason="没有有效的验证码" if household else "未登记")
        return None, WRONG_CODE
    state = device.code_state()
    if state == "backoff":
        _failed(request, household=household, who=who, reason="输错后重试过快")
        return None, "输错后请稍等几秒再试"
    if not device.verify_token(code):
        left = MAX_TRIES - device.throttling_failure_count
        reason = {"none": "验证码已用过或已作废", "expired": "验证码已过期"}.get(state, f"验证码错误（还可试{max(left, 0)}次）")
        _failed(request, household=household, who=who, reason=reason)
        if state == "live" and left > 0:
            return None, f"验证码不正确，还可以再试{left}次"
        return None, WRONG_CODE
    record_audit(actor=user, action="portal.signin", obj=user, object_repr=f"农户登录（{household.number}）",
                 note=f"{Channel(channel).label}；IP {client_ip(request)}",
                 region_code=household.region_code, household_id=household.pk)
    return user, None


def verify_phone_code(*, request, phone, code):
    """The household login for a phone number and its SMS code (SigninRefused, DomainError on bad input)."""
    phone, code = clean_phone(phone), clean_code(code)
    _check_verify_rate(request)
    household = household_for_phone(phone)
    return _verify(request, household=household, channel=Channel.SMS, code=code, who=mask_phone(phone))


def verify_paper_code(*, request, id_number, code):
    """The household login for a member's ID number and the village station's paper code."""
    id_number, code = clean_id_number(id_number), clean_code(code)
    _check_verify_rate(request)
    household = household_for_id_number(id_number)
    return _verify(request, household=household, channel=Channel.PAPER, code=code, who=mask_id_number(id_number))


def start_session(request, user) -> None:
    """Sign the household in: a session ending at browser close and after 30 minutes idle."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(0)  # the cookie dies with the browser
    touch_session(request)  # …and the session after 30 minutes without a request (access.HouseholdConfinement)


def portal_token(user) -> tuple[str, object]:
    """A one-day API token for the household's login (``accounts.tokens``, audited there)."""
    return issue_token(user, hours=TOKEN_HOURS)


def end_session(request) -> None:
    user = request.user
    if getattr(user, "is_authenticated", False) and user.household_id:
        record_audit(actor=user, action="portal.signout", obj=user, object_repr=f"农户退出登录（{user.username}）",
                     household_id=user.household_id)
    logout(request)

