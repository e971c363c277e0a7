"""Fictional place names for the demo county (and the counties of the province stream)."""

from __future__ import annotations

import random

TOWNSHIPS = (
    "城关镇", "青山镇", "石门乡", "柳河镇", "白杨乡", "红崖镇", "龙泉乡", "松坪镇",
    "马莲乡", "清水镇", "杏林乡", "高桥镇", "河湾乡", "云台镇", "金川乡", "桃园乡",
)
_FIRST = "上下东西南北前后大小新老高长青白红黄石柳杨李王张刘马沙泉河岭坪沟湾峪塬"
_SECOND = "庄沟湾坪河岭山川峪台洼坡梁园寨堡营店集铺桥滩岔口坝"


def village_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct village names (two characters + 村)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + "村"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def county_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct county names, the first being 青山县."""
    names = ["青山县"]
    seen = set(names)
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice("山川河原宁安平和阳水源城") + "县"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names[:count]
