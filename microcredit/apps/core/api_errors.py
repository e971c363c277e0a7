"""The one ``DomainError`` → HTTP mapping of the API (ADR 0006, issue #10 §6).

Every refusal a service or a domain rule raises reaches the client the same way, whichever
endpoint it came through:

- a :class:`~microcredit.domain.errors.ConflictError` (a workflow step the state, role, scope or
  segregation of duties does not allow; an idempotency key already used) → **409**;
- any other :class:`~microcredit.domain.errors.DomainError` (a value that breaks a rule) → **422**;

with the body ``{"detail": message, "field": field}`` plus, when the exception carries them, the
lists every broken rule at once: ``failures`` (policy rules) and ``errors`` (field errors, or the
"第N行 列X" lines of a refused file). Endpoints do not translate ``DomainError`` themselves.
"""

from __future__ import annotations

from microcredit.domain.errors import ConflictError, DomainError

__all__ = ["install", "domain_error_status", "domain_error_body"]

_LISTS = ("failures", "errors")
"""Attributes of an exception that list every broken rule; the body repeats them under the same name."""


def domain_error_status(exc: DomainError) -> int:
    """409 for a conflict with how things stand, 422 for a value that breaks a rule."""
    return 409 if isinstance(exc, ConflictError) else 422


def _item(item: object) -> object:
    if hasattr(item, "_asdict"):  # FieldError, PolicyFailure (named tuples)
        return item._asdict()
    return item if isinstance(item, (str, dict)) else str(item)


def domain_error_body(exc: DomainError) -> dict:
    """``{"detail", "field"}`` and, if the exception carries them, ``failures`` / ``errors``."""
    body = {"detail": exc.message, "field": exc.field}
    for name in _LISTS:
        items = getattr(exc, name, None)
        if isinstance(items, (list, tuple)):
            body[name] = [_item(i) for i in items]
    return body


def install(api) -> None:
    """Register the handler on the ``NinjaAPI`` (called once, by ``web/api.py``)."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, domain_error_body(exc), status=domain_error_status(exc))
