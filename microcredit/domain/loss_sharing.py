"""Sharing a compensated loss between the fund, the bank and others (DOMAIN §7).

Each party's share = round_half_up(loss × ratio); the last listed party absorbs the rounding,
so the shares always sum to the loss. Ratios are fractions (``Decimal("0.7")``) and must be
non-negative and sum to exactly 1. Recoveries after payout are shared the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.money import round_half_up

__all__ = ["PARTY_LABELS", "SHARING_PRESETS", "SHARING_PRESET_LABELS", "validate_parties",
           "share_loss"]

PARTY_LABELS = {
    "fund": "风险补偿金",
    "bank": "合作银行",
    "insurer": "保险公司",
    "agri_guarantor": "农业信贷担保公司",
    "provincial_guarantor": "省级担保公司",
}

SHARING_PRESETS: dict[str, tuple[tuple[str, Decimal], ...]] = {
    "fund_bank_70_30": (("fund", Decimal("0.7")), ("bank", Decimal("0.3"))),
    "fund_bank_80_20": (("fund", Decimal("0.8")), ("bank", Decimal("0.2"))),
    "zheng_yin_bao": (("fund", Decimal("0.2")), ("bank", Decimal("0.3")),
                      ("insurer", Decimal("0.5"))),
    "siwei_yiti_household": (("fund", Decimal("0.2")), ("bank", Decimal("0.1")),
                             ("agri_guarantor", Decimal("0.5")),
                             ("provincial_guarantor", Decimal("0.2"))),
    "siwei_yiti_enterprise": (("fund", Decimal("0.2")), ("bank", Decimal("0.2")),
                              ("agri_guarantor", Decimal("0.4")),
                              ("provincial_guarantor", Decimal("0.2"))),
}
"""DOMAIN §7: 70/30 [S0, S1]; 80/20 deep-poverty areas [S0 四川]; 政银保 20/30/50 and
四位一体 20/10/50/20 (households), 20/20/40/20 (enterprises) [S0 卢氏]."""

SHARING_PRESET_LABELS = {
    "fund_bank_70_30": "风险补偿金 70% / 银行 30%",
    "fund_bank_80_20": "深度贫困地区 风险补偿金 80% / 银行 20%",
    "zheng_yin_bao": "政银保 20% / 30% / 50%",
    "siwei_yiti_household": "四位一体（农户）20% / 10% / 50% / 20%",
    "siwei_yiti_enterprise": "四位一体（企业）20% / 20% / 40% / 20%",
}


def validate_parties(parties: Sequence[tuple[str, Decimal]]) -> list[FieldError]:
    """Errors (Chinese, naming ``parties`` fields) in a sharing scheme (DOMAIN §7)."""
    errors: list[FieldError] = []
    if not parties:
        return [FieldError("parties", "分担方不能为空")]
    total = Decimal(0)
    for k, (name, ratio) in enumerate(parties):
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError(f"parties[{k}].name", "分担方名称不能为空"))
        if not isinstance(ratio, Decimal) or not ratio.is_finite():
            errors.append(FieldError(f"parties[{k}].ratio", "分担比例必须是十进制数"))
            continue
        if ratio < 0:
            errors.append(FieldError(f"parties[{k}].ratio", "分担比例不能为负数"))
        total += ratio
    if not errors and total != 1:
        errors.append(FieldError("parties", f"各方分担比例之和必须等于 1（现为 {total}）"))
    return errors


def share_loss(loss: int, parties: Sequence[tuple[str, Decimal]]) -> tuple[tuple[str, int], ...]:
    """Split ``loss`` (fen) by ``parties`` ((name, ratio), …) (DOMAIN §7).

    Raises:
        DomainError: (a ``ValueError``) when ratios do not sum to 1, are negative, or the
            loss is not an integer.
    """
    if isinstance(loss, bool) or not isinstance(loss, int):
        raise DomainError("loss", "损失金额必须是整数（分）")
    errors = validate_parties(parties)
    if errors:
        raise DomainError.from_errors(errors)
    shares: list[tuple[str, int]] = []
    for name, ratio in parties[:-1]:
        n, d = ratio.as_integer_ratio()
        shares.append((name, round_half_up(loss * n, d)))
    shares.append((parties[-1][0], loss - sum(a for _, a in shares)))
    return tuple(shares)
