"""The exchange's refusal (422)."""

from microcredit.domain.errors import DomainError


class ExchangeError(DomainError):
    """A request the exchange refuses (422)."""
