"""Plausible Chinese names for the demo: surnames weighted by frequency, given-name characters.

The surname weights follow the rough national frequency ranking (per mille, rounded); the
given-name characters are common ones split by the sex they are usually given to. Names are
fictional combinations.
"""

from __future__ import annotations

import itertools
import random

_SURNAMES = (
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 45), ("杨", 32), ("黄", 22), ("赵", 20),
    ("吴", 20), ("周", 19), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 12), ("胡", 11), ("郭", 11),
    ("何", 10), ("高", 10), ("林", 10), ("罗", 9), ("郑", 8), ("梁", 8), ("谢", 7), ("宋", 6),
    ("唐", 6), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6), ("曹", 6), ("彭", 5), ("曾", 5),
    ("肖", 5), ("田", 5), ("董", 5), ("袁", 5), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4),
    ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 3),
    ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2),
    ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("牛", 2), ("祁", 1), ("包", 1),
    ("安", 1), ("苟", 1), ("麻", 1), ("左", 1), ("党", 1), ("焦", 1), ("巩", 1), ("冉", 1),
)
SURNAMES = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in _SURNAMES))

MALE_CHARS = (
    "建国军华明伟强磊勇杰涛斌超刚平辉鹏波林海峰亮东文武志红兵忠祥福贵生富荣发成德顺"
    "宝山永春新民正义学智俊龙飞宏彬浩宇轩博昊睿晨阳泽鑫凯"
)
FEMALE_CHARS = (
    "秀英芳娟敏静丽艳玲霞燕红梅兰琴花桂珍凤云翠娥芬萍莉婷雪慧颖倩丹彤琳欣怡佳悦涵萱"
    "淑惠巧玉金银春菊香月"
)


def surname(rng: random.Random) -> str:
    """A surname drawn by frequency."""
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, male: bool) -> str:
    """One or two given-name characters (two in about 70% of names)."""
    chars = MALE_CHARS if male else FEMALE_CHARS
    if rng.random() < 0.7:
        return rng.choice(chars) + rng.choice(chars)
    return rng.choice(chars)


def full_name(rng: random.Random, male: bool, family: str | None = None) -> str:
    """A full name; ``family`` fixes the surname (children take their father's)."""
    return (family or surname(rng)) + given_name(rng, male)
