"""Rating notice lengths and the bank's stages (DOMAIN §3, §12; issue #9)."""

import pytest

from microcredit.domain.errors import DomainError
from microcredit.domain.workflow import RATING_CAMPAIGN, forward_states, rating_notice_days


@pytest.mark.parametrize("setting, days", [(None, 7), ("", 7), (" 10 ", 10), ("5", 5), ("30", 30)])
def test_notice_days_from_the_county_setting(setting, days):
    assert rating_notice_days(setting) == days


@pytest.mark.parametrize("setting", ["0", "-10", "4", "31", str(2**40), "7.5", "七", "１０"])
def test_a_setting_that_would_shorten_or_stall_the_notice_is_refused(setting):
    with pytest.raises(DomainError, match="公示天数") as info:
        rating_notice_days(setting)
    assert info.value.field == "notice_days"


def test_the_bank_sees_its_review_and_what_follows():
    assert forward_states(RATING_CAMPAIGN, "bank_review") == {"bank_review", "approved", "notice2", "effective"}
    assert "county_review" not in forward_states(RATING_CAMPAIGN, "bank_review")
    assert forward_states(RATING_CAMPAIGN, "effective") == {"effective"}
