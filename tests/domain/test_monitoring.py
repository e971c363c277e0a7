"""Warning lights (DOMAIN §8): red — overdue or NPL; yellow — principal due within 60 days or a
risk flag; green — otherwise."""

from datetime import date

import pytest

from microcredit.domain.monitoring import YELLOW_DAYS, principal_due_soon, warning_light

AS_OF = date(2026, 3, 1)


@pytest.mark.parametrize("dpd, cls, nxt, flag, light", [
    (1, "special_mention", None, "", "red"),
    (0, "substandard", None, "", "red"),          # NPL by a manual downgrade
    (0, "doubtful", date(2026, 3, 10), "death", "red"),
    (0, "normal", date(2026, 3, 1), "", "yellow"),  # due today
    (0, "normal", date(2026, 4, 30), "", "yellow"),  # day 60
    (0, "normal", date(2026, 5, 1), "", "green"),   # day 61
    (0, "normal", None, "migration", "yellow"),
    (0, "normal", None, None, "green"),
    (0, "special_mention", None, "", "green"),
    (0, "normal", date(2026, 2, 28), "", "green"),  # a past date is not "due within"
])
def test_warning_light(dpd, cls, nxt, flag, light):
    assert warning_light(dpd, cls, nxt, flag, AS_OF) == light


def test_yellow_horizon_is_a_parameter():
    assert YELLOW_DAYS == 60
    assert warning_light(0, "normal", date(2026, 3, 31), "", AS_OF, yellow_days=30) == "yellow"
    assert warning_light(0, "normal", date(2026, 4, 1), "", AS_OF, yellow_days=30) == "green"
    assert not principal_due_soon(None, AS_OF)
