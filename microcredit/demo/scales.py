"""Scale presets of the demo generator (``--scale``)."""

from __future__ import annotations

from typing import NamedTuple


class Scale(NamedTuple):
    """How much to generate.

    ``households`` is the total; it is spread over ``counties`` × ``townships`` × ``villages``
    (villages per county, distributed over its townships). ``streamed`` scales never hold
    all households in memory: they are written chunk by chunk, each chunk in its own
    transaction, and ``DemoContext.households`` stays empty (later steps read the database).
    """

    name: str
    counties: int
    townships: int
    villages: int
    households: int
    streamed: bool = False


SCALES = {
    "test": Scale("test", counties=1, townships=2, villages=6, households=120),
    "county": Scale("county", counties=1, townships=12, villages=150, households=20_000),
    "province": Scale("province", counties=50, townships=12, villages=150, households=1_000_000, streamed=True),
}

HOUSEHOLDS_PER_COUNTY = 20_000


def scale_for(name: str, households: int | None = None) -> Scale:
    """The preset ``name``, optionally with another household total (the province stream adds
    counties of 20,000 households to reach it)."""
    scale = SCALES[name]
    if households is None:
        return scale
    if scale.streamed:
        counties = max(1, -(-households // HOUSEHOLDS_PER_COUNTY))
        return scale._replace(counties=counties, households=households)
    return scale._replace(households=households)
