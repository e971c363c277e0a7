"""`python -m microcredit demo-data --seed N [--scale test|county|province] [--if-empty]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from microcredit.demo.runner import generate, registry_is_empty
from microcredit.demo.scales import SCALES, scale_for


class Command(BaseCommand):
    help = "生成演示县数据（青山县：区划、合作银行、建档立卡农户、各角色演示账号）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--scale", choices=sorted(SCALES), default="county",
                            help="规模：test（测试）、county（一个县约2万户）、province（全省100万户，分块写入）")
        parser.add_argument("--households", type=int, default=None, help="改变农户总数（省级规模按每县2万户增加县）")
        parser.add_argument("--if-empty", action="store_true", help="已有农户数据时什么也不做")

    def handle(self, *args, seed, scale, households, if_empty, **options):
        if not registry_is_empty():
            if if_empty:
                self.stdout.write("已有农户数据，跳过演示数据生成（--if-empty）。")
                return
            raise CommandError("数据库中已有农户数据；演示数据只能生成到空库（或加 --if-empty 跳过）。")
        preset = scale_for(scale, households)
        ctx = generate(seed=seed, scale=preset, progress=self.stderr._out)
        counts = "，".join(f"{k} {v:,}" for k, v in ctx.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已生成（种子 {seed}，规模 {preset.name}，{ctx.extra['seconds']} 秒）：{counts}"
        ))
