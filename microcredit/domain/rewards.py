"""The reward fund 奖补资金 (DOMAIN §8, [S2 道县]): 2 % of the year's disbursed loans, paid when that
year's recovery rate is ≥ 98 %, split 3 : 2 : 4 : 1 to the township, the village, the bank and the
county's leading group.

- The unit is a village's loans of one bank in one year: base = principal disbursed in the year;
  the recovery rate is the village's (all banks) on-time recovery of the instalments due in the
  year (``domain.circuit_breakers.recovery_rate``: repaid on time ÷ due).
- Reward = round_half_up(base × 2 %) when the rate is ≥ 98 %, else 0. A village with nothing due
  in the year has no rate: no reward (nothing shows it recovered its loans).
- Split: each party's share = round_half_up(reward × weight ÷ 10), the last party (the leading
  group) absorbs the remainder so the shares sum exactly to the reward (as ``domain.loss_sharing``).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import NamedTuple

from microcredit.domain.circuit_breakers import recovery_rate
from microcredit.domain.errors import DomainError
from microcredit.domain.money import round_half_up

__all__ = [
    "PARTIES",
    "PARTY_LABELS",
    "RECOVERY_MIN",
    "REWARD_RATE",
    "SPLIT",
    "Reward",
    "reward",
    "split_reward",
]

REWARD_RATE = Decimal("0.02")
RECOVERY_MIN = Decimal("0.98")
SPLIT: tuple[tuple[str, int], ...] = (("township", 3), ("village", 2), ("bank", 4), ("leading_group", 1))
PARTIES = tuple(p for p, _ in SPLIT)
PARTY_LABELS = {"township": "乡镇", "village": "村", "bank": "承贷银行", "leading_group": "县领导小组"}


class Reward(NamedTuple):
    """One unit's reward: eligible or not (and why, in Chinese), the amount and each party's share, fen."""

    eligible: bool
    reason: str
    amount: int
    township: int
    village: int
    bank: int
    leading_group: int


def split_reward(amount: int, split: tuple[tuple[str, int], ...] = SPLIT) -> tuple[tuple[str, int], ...]:
    """Split ``amount`` (fen) by integer weights (default 3 : 2 : 4 : 1), half-up, the last absorbing
    the remainder; the shares always sum to ``amount``."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise DomainError("amount", "奖补金额必须是非负整数（分）")
    total = sum(w for _, w in split)
    if not split or total <= 0 or any(w < 0 for _, w in split):
        raise DomainError("split", "分配比例必须为非负整数且合计大于 0")
    shares = [(name, round_half_up(amount * w, total)) for name, w in split[:-1]]
    return (*shares, (split[-1][0], amount - sum(a for _, a in shares)))


def _pct(x: Fraction) -> str:
    """A rate for people, truncated (97.999 % → "97.99%": never shown as the threshold it misses)."""
    v = (Decimal(x.numerator) * 100 / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{v:.2f}%"


def reward(disbursed: int, due: int, on_time: int, *, rate: Decimal = REWARD_RATE,
           recovery_min: Decimal = RECOVERY_MIN) -> Reward:
    """The reward of a unit (DOMAIN §8): 2 % of ``disbursed`` (fen) when ``on_time`` ÷ ``due`` ≥ 98 %."""
    for name, v in (("disbursed", disbursed), ("due", due), ("on_time", on_time)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise DomainError(name, "金额必须是非负整数（分）")
    r = recovery_rate(due, on_time)
    if r is None:
        return Reward(False, "当年无到期贷款，回收率无法计算", 0, 0, 0, 0, 0)
    if r < Fraction(recovery_min):
        return Reward(False, f"回收率 {_pct(r)} 低于 {_pct(Fraction(recovery_min))}", 0, 0, 0, 0, 0)
    n, d = rate.as_integer_ratio()
    amount = round_half_up(disbursed * n, d)
    shares = dict(split_reward(amount))
    return Reward(True, f"回收率 {_pct(r)}，达到 {_pct(Fraction(recovery_min))}", amount,
                  shares["township"], shares["village"], shares["bank"], shares["leading_group"])
