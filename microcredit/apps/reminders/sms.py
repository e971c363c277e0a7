"""SMS backends (issue #12 §2): ``send(to, text, *, kind, loan_id) → provider id``, raising
``SmsError`` (a Chinese message) on failure.

The backend is the dotted path in the Django setting ``SMS_BACKEND`` (default ``FileBackend``):

* ``FileBackend`` — the demo's and the tests' "gateway": appends each message as one JSON line
  ``{"to", "text", "sent_at", "kind", "loan_id"}`` to ``<MICROCREDIT_VAR>/sms/outbox.jsonl``
  (or the setting ``SMS_FILE_PATH``).
* ``GatewayBackend`` — a real SMS platform (阿里云短信 or 腾讯云短信), configured by the setting
  ``SMS_GATEWAY = {"provider": "aliyun" | "tencent", "access_key_id": …, "access_key_secret": …,
  "sign_name": …, "template_code": …, "sdk_app_id": … (tencent)}``. Without those credentials it
  raises 「短信平台未配置」; with them it needs the platform's SDK installed (not a dependency of this
  project: ``alibabacloud_dysmsapi20170525`` or ``tencentcloud-sdk-python-sms``). The platform sends
  only approved templates: register one template whose only variable is ``${content}`` (Aliyun) /
  ``{1}`` (Tencent) and the county's text goes in it.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from microcredit.apps.core.clock import now

DEFAULT_BACKEND = "microcredit.apps.reminders.sms.FileBackend"


class SmsError(Exception):
    """A message the platform did not take (the text is shown on the outbox page)."""


def outbox_path() -> Path:
    """The file backend's file: ``SMS_FILE_PATH``, else ``<MICROCREDIT_VAR>/sms/outbox.jsonl``."""
    configured = getattr(settings, "SMS_FILE_PATH", "")
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "sms" / "outbox.jsonl"


class FileBackend:
    """Appends each message as one JSON line; the provider id is ``file:<line number>``-like (its time)."""

    def send(self, to: str, text: str, *, kind: str = "", loan_id: int | None = None) -> str:
        path = outbox_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        sent_at = now().isoformat()
        line = json.dumps({"to": to, "text": text, "sent_at": sent_at, "kind": kind, "loan_id": loan_id},
                          ensure_ascii=False)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        return f"file:{loan_id}:{kind}:{sent_at}"


class GatewayBackend:
    """A real SMS platform (阿里云 / 腾讯云), documented in the module's docstring; never called by tests."""

    REQUIRED = ("provider", "access_key_id", "access_key_secret", "sign_name", "template_code")
    SDK = {"aliyun": "alibabacloud_dysmsapi20170525", "tencent": "tencentcloud"}

    def __init__(self) -> None:
        self.config = dict(getattr(settings, "SMS_GATEWAY", None) or {})

    def send(self, to: str, text: str, *, kind: str = "", loan_id: int | None = None) -> str:
        missing = [k for k in self.REQUIRED if not self.config.get(k)]
        if missing:
            raise SmsError("短信平台未配置：缺少 " + "、".join(missing))
        provider = self.config["provider"]
        if provider not in self.SDK:
            raise SmsError(f"短信平台未配置：不支持的平台 {provider}")
        try:  # the SDK is optional (not a dependency): looked up only when a platform is configured
            importlib.import_module(self.SDK[provider])
        except ImportError as exc:
            raise SmsError(f"短信平台 SDK 未安装（{self.SDK[provider]}）") from exc
        return self._aliyun(to, text) if provider == "aliyun" else self._tencent(to, text)

    def _aliyun(self, to: str, text: str) -> str:
        client_mod = importlib.import_module("alibabacloud_dysmsapi20170525.client")
        models = importlib.import_module("alibabacloud_dysmsapi20170525.models")
        openapi = importlib.import_module("alibabacloud_tea_openapi.models")
        c = self.config
        client = client_mod.Client(openapi.Config(access_key_id=c["access_key_id"], access_key_secret=c["access_key_secret"],
                                                  endpoint=c.get("endpoint", "dysmsapi.aliyuncs.com")))
        resp = client.send_sms(models.SendSmsRequest(phone_numbers=to, sign_name=c["sign_name"],
                                                     template_code=c["template_code"],
                                                     template_param=json.dumps({"content": text}, ensure_ascii=False)))
        if getattr(resp.body, "code", "") != "OK":
            raise SmsError(f"阿里云短信：{getattr(resp.body, 'message', '发送失败')}")
        return str(resp.body.biz_id)

    def _tencent(self, to: str, text: str) -> str:
        c = self.config
        credential = importlib.import_module("tencentcloud.common.credential")
        sms_client = importlib.import_module("tencentcloud.sms.v20210111.sms_client")
        models = importlib.import_module("tencentcloud.sms.v20210111.models")
        client = sms_client.SmsClient(credential.Credential(c["access_key_id"], c["access_key_secret"]),
                                      c.get("region", "ap-guangzhou"))
        req = models.SendSmsRequest()
        req.PhoneNumberSet, req.SmsSdkAppId = [f"+86{to}"], c.get("sdk_app_id", "")
        req.SignName, req.TemplateId, req.TemplateParamSet = c["sign_name"], c["template_code"], [text]
        status = client.SendSms(req).SendStatusSet[0]
        if status.Code != "Ok":
            raise SmsError(f"腾讯云短信：{status.Message}")
        return str(status.SerialNo)


def backend():
    """The configured backend (``SMS_BACKEND``, default the file backend)."""
    return import_string(getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND)()
