"""Step "banks": three partner banks and their branches in the demo county's townships."""

from __future__ import annotations

from microcredit.apps.reference.models import Bank, Branch
from microcredit.demo.context import DemoContext

BANKS = (
    # code, name, short name, share of townships with a branch
    ("QSRCB", "青山农村商业银行股份有限公司", "青山农商银行", 1.0),
    ("PSBC-QS", "中国邮政储蓄银行青山县支行", "邮储银行", 0.5),
    ("ABC-QS", "中国农业银行青山县支行", "农业银行", 0.25),
)


def create_banks(ctx: DemoContext) -> None:
    county_townships = [t for t in ctx.townships if t.code.startswith(ctx.county.code[:6])]
    banks = Bank.objects.bulk_create([Bank(code=c, name=n, short_name=s) for c, n, s, _ in BANKS])
    branches = []
    for bank, (_, _, short, share) in zip(banks, BANKS):
        # Every bank has a county-seat office in the first township (城关镇).
        chosen = [county_townships[0]] + sorted(
            ctx.rng.sample(county_townships[1:], max(0, round(share * len(county_townships)) - 1)),
            key=lambda t: t.code,
        )
        for township in chosen:
            suffix = "营业部" if township is county_townships[0] else f"{township.name}支行"
            branches.append(Branch(bank=bank, name=f"{short}{suffix}", region=township))
    Branch.objects.bulk_create(branches)
    ctx.banks, ctx.branches = banks, branches
    ctx.count("banks", len(banks))
    ctx.count("branches", len(branches))
