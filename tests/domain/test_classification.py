"""DOMAIN §5.4: five-category classification by days past due."""

import pytest

from microcredit.domain.classification import (CLASS_LABELS, CLASSES, DEFAULT_BANDS, Band,
                                               classify, is_npl, worse_of)
from microcredit.domain.errors import DomainError


@pytest.mark.parametrize("days, cls", [
    (0, "normal"), (1, "special_mention"), (90, "special_mention"), (91, "substandard"),
    (270, "substandard"), (271, "doubtful"), (360, "doubtful"), (361, "loss"), (5000, "loss"),
])
def test_default_bands_and_their_boundaries(days, cls):
    assert classify(days) == cls


@pytest.mark.parametrize("cls, npl", [
    ("normal", False), ("special_mention", False), ("substandard", True), ("doubtful", True),
    ("loss", True),
])
def test_npl_is_substandard_doubtful_loss(cls, npl):
    assert is_npl(cls) is npl


def test_labels_are_chinese():
    assert [CLASS_LABELS[c] for c in CLASSES] == ["正常", "关注", "次级", "可疑", "损失"]


def test_county_bands():
    bands = (Band(1, 60, "special_mention"), Band(61, 180, "substandard"),
             Band(181, 360, "doubtful"), Band(361, None, "loss"))
    assert classify(61, bands) == "substandard"
    assert classify(61, DEFAULT_BANDS) == "special_mention"


def test_negative_days_and_unknown_class_are_errors():
    with pytest.raises(DomainError):
        classify(-1)
    with pytest.raises(DomainError):
        is_npl("bad")


def test_worse_of():
    assert worse_of("normal", "doubtful") == "doubtful"
    assert worse_of("loss", "special_mention") == "loss"
