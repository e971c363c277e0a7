"""The one error type of the loan arithmetic: a field name plus a Chinese message.

Rules that validate return lists of :class:`FieldError` (beancount style); functions that
cannot go on raise :class:`DomainError`, a ``ValueError`` carrying the same two parts, so the
edges (calculator, forms, API) can name the field without parsing the text.
"""

from __future__ import annotations

from typing import NamedTuple


class FieldError(NamedTuple):
    """One broken rule: which input field, and what is wrong with it (Chinese)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}：{self.message}"


class DomainError(ValueError):
    """A ``ValueError`` naming the input field it is about (message in Chinese)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}：{message}")
        self.field = field
        self.message = message

    @classmethod
    def from_errors(cls, errors: list[FieldError]) -> "DomainError":
        """The first of ``errors`` as an exception (callers raise it)."""
        first = errors[0]
        return cls(first.field, first.message)


class ConflictError(DomainError):
    """A refusal because of how things stand, not because of the input's form: a workflow step the
    state, role, scope or segregation of duties does not allow, a key already used for something else.

    The API answers every ``ConflictError`` with 409 and every other :class:`DomainError` with 422
    (``apps/core/api_errors.py``, ADR 0006).
    """
