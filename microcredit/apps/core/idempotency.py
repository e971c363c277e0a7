"""Idempotency keys of the API's write endpoints, scoped per bank (issue #13 §5).

A bank system that retries a POST (a timeout, a lost answer) sends the same ``Idempotency-Key``
header (or ``idempotency_key`` in the body); the first call runs, every retry within
``WINDOW_SECONDS`` gets the first answer again (status 200, the same body, header
``Idempotent-Replayed: true``) and writes nothing. Keys are scoped by their *owner*: a bank
officer's key belongs to the bank (two officers' systems of one bank share the keys), anyone
else's to the user, so the same key from another bank is independent. The same key sent with
another request (another endpoint or body) is refused (409), as is a retry that arrives while the
first call is still running. A refused call (422/409/404) is not remembered: a corrected retry may
reuse the key.

The answers are kept in the shared cache (``CACHES["default"]``, a database table seen by every
worker) for 24 hours. Repayments keep, in addition, their own durable key per loan
(``LoanEvent.idempotency_key``, unique per loan): ``POST /loans/{id}/repayments`` uses that one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse

from microcredit.domain.errors import ConflictError, DomainError

WINDOW_SECONDS = 24 * 60 * 60
MAX_KEY = 80
HEADER = "Idempotency-Key"
_PENDING = "pending"


def request_key(request, body_key: str | None = None) -> str | None:
    """The key of a call: the body's ``idempotency_key`` or the ``Idempotency-Key`` header (None: no key).
    Refuses (422) a key over 80 characters or with control characters."""
    key = body_key or request.headers.get(HEADER) or None
    if key is None:
        return None
    key = key.strip()
    if not key:
        return None
    if len(key) > MAX_KEY or any(ord(ch) < 32 for ch in key):
        raise DomainError("idempotency_key", f"幂等键不能超过 {MAX_KEY} 个字符，且不能含控制字符")
    return key


def owner_of(user) -> str:
    """Whose keys these are: the bank of a bank user (its scope's bank), else the user."""
    bank_id = getattr(user, "bank_id", None)
    return f"bank:{bank_id}" if bank_id else f"user:{user.pk}"


def _fingerprint(path: str, payload: dict) -> str:
    text = json.dumps({"path": path, "body": payload}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_key(owner: str, key: str) -> str:
    return "idem_" + hashlib.sha256(f"{owner}\x00{key}".encode()).hexdigest()


def run_once(request, *, key: str | None, payload: dict, run: Callable[[], tuple[int, dict]], schema=None):
    """Run ``run() -> (status, body)`` once per (the caller's bank or user — `owner_of` —, key); a retry
    gets ``(200, first body)``.

    ``payload`` is what identifies the request besides its path (the validated body, the uploaded
    files' names and sizes); ``schema`` is the endpoint's response schema, so the kept body is what the
    client received (its defaults filled, its extra keys dropped). Without a key, ``run()`` runs every time.
    """
    if key is None:
        return run()
    fingerprint = _fingerprint(request.path, payload)
    slot = _cache_key(owner_of(request.user), key)
    if not cache.add(slot, {"state": _PENDING, "fingerprint": fingerprint}, WINDOW_SECONDS):
        kept = cache.get(slot) or {}
        if kept.get("fingerprint") != fingerprint:
            raise ConflictError("idempotency_key", "幂等键已用于另一笔不同的请求，请换一个幂等键")
        if kept.get("state") == _PENDING:
            raise ConflictError("idempotency_key", "使用此幂等键的请求正在处理，请稍后重试")
        return replayed(kept["body"])
    try:
        status, body = run()
    except BaseException:
        cache.delete(slot)  # a refused call is not remembered
        raise
    if schema is not None:
        body = schema.model_validate(body).model_dump(mode="json")  # what the client receives
    body = json.loads(json.dumps(body, default=str))
    cache.set(slot, {"state": "done", "fingerprint": fingerprint, "status": status, "body": body}, WINDOW_SECONDS)
    return status, body


def replayed(body: dict) -> HttpResponse:
    """The first answer again, marked as a replay."""
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=200, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response
