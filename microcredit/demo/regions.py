"""Step "regions": the province, its cities, the counties (青山县 first), townships, villages."""

from __future__ import annotations

import random

from microcredit.apps.regions.models import Region
from microcredit.demo.context import DemoContext
from microcredit.demo.places import TOWNSHIPS, county_names, village_names

PROVINCE_CODE = "620000000000"
CITY_CODE = "621200000000"
COUNTY_CODE = "621221000000"
COUNTIES_PER_CITY = 10
CITY_NAMES = ("云岭市", "河西市", "金城市", "陇原市", "祁连市", "白银川市", "天水湾市", "雪峰市")


def split(rng: random.Random, total: int, parts: int, spread: float = 0.45) -> list[int]:
    """``total`` split into ``parts`` positive integers of uneven size that sum to ``total``."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    raw = [w * scale for w in weights]
    sizes = [1 + int(r) for r in raw]
    by_fraction = sorted(range(parts), key=lambda i: (raw[i] - int(raw[i]), -i), reverse=True)
    for i in by_fraction[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def create_regions(ctx: DemoContext) -> None:
    rng, scale = ctx.rng, ctx.scale
    province = Region(code=PROVINCE_CODE, name="甘肃省", level="province")
    rows = [province]
    cities, counties, townships, villages = [], [], [], []
    names = county_names(rng, scale.counties)
    for c in range(scale.counties):
        city_index, within = divmod(c, COUNTIES_PER_CITY)
        if within == 0:
            code = f"{int(CITY_CODE[:4]) + city_index:04d}00000000"
            cities.append(Region(code=code, name=CITY_NAMES[city_index % len(CITY_NAMES)] if city_index < len(CITY_NAMES)
                                 else f"第{city_index + 1}市", level="city", parent=province))
        city = cities[-1]
        county = Region(code=f"{city.code[:4]}{21 + within:02d}000000", name=names[c], level="county", parent=city)
        counties.append(county)
        per_township = split(rng, scale.villages, scale.townships)
        for t in range(scale.townships):
            township = Region(code=f"{county.code[:6]}{100 + t:03d}000", name=TOWNSHIPS[t % len(TOWNSHIPS)],
                              level="township", parent=county)
            townships.append(township)
            for v, name in enumerate(village_names(rng, per_township[t])):
                village = Region(code=f"{township.code[:9]}{200 + v:03d}", name=name, level="village", parent=township)
                villages.append(village)
                ctx.village_groups[village.code] = rng.randint(3, 8)
    rows += cities + counties + townships + villages
    Region.objects.bulk_create(rows, batch_size=2000)
    ctx.province, ctx.cities, ctx.counties, ctx.townships, ctx.villages = province, cities, counties, townships, villages
    ctx.count("regions", len(rows))
    ctx.log(f"区划：{len(counties)} 个县，{len(townships)} 个乡镇，{len(villages)} 个行政村")
