"""The Polars warning-light expression equals ``domain.monitoring.warning_light`` (DOMAIN §8)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from microcredit.batch.warning import warning_light_expr
from microcredit.domain.classification import CLASSES
from microcredit.domain.monitoring import YELLOW_DAYS, principal_due_soon, warning_light


@pytest.mark.parametrize("seed", range(5))
def test_polars_light_equals_domain_on_a_random_frame(seed):
    rng = random.Random(seed)
    as_of = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    n = 2000
    frame = pl.DataFrame({
        "dpd": [rng.choice([0, 0, 0, 1, 2, 90, 91, 400]) for _ in range(n)],
        "cls": [rng.choice(CLASSES) for _ in range(n)],
        "next_due": [None if rng.random() < 0.2 else as_of + timedelta(days=rng.randrange(-5, YELLOW_DAYS + 10))
                     for _ in range(n)],
        "flag": [rng.choice([None, "", "", "death", "disaster", "migration"]) for _ in range(n)],
    }, schema={"dpd": pl.Int64, "cls": pl.Utf8, "next_due": pl.Date, "flag": pl.Utf8})
    # the close computes "principal due soon" per instalment (batch.close); here the light alone is compared
    frame = frame.with_columns(soon=pl.Series([principal_due_soon(d, as_of) for d in frame["next_due"]]))
    got = frame.select(warning_light_expr(pl.col("dpd"), pl.col("cls"), pl.col("soon"),
                                          pl.col("flag")).alias("light"))["light"].to_list()
    want = [warning_light(r["dpd"], r["cls"], r["next_due"], r["flag"], as_of) for r in frame.iter_rows(named=True)]
    assert got == want
    assert set(want) == {"red", "yellow", "green"}
