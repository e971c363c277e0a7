"""Ship the reference rates (DOMAIN §11, from domain/rates.SHIPPED_RATES) and the three policy
eras (DOMAIN §4) as version-1 rows. Counties add fixings / revise eras through the services,
which keep these rows as history."""

from datetime import date
from decimal import Decimal

from django.db import migrations

SHIPPED_REASON = "随系统发布的初始数据（DOMAIN §4、§11）"

# The 2026 era's cap is "a setting" in policy; 3.0000 % is our chosen default (ADR 0001).
POLICY_ERAS = [
    dict(
        code="fupin2014", name="扶贫小额信贷", effective_from=date(2014, 1, 1),
        max_amount=5_000_000, max_term_months=36, rate_basis="benchmark", cap_rate=None,
        eligible_statuses=["poor", "exited"], subsidy_ratio=Decimal("1.0"), risk_fund_leverage=10,
    ),
    dict(
        code="tuopin2021", name="脱贫人口小额信贷", effective_from=date(2021, 1, 1),
        max_amount=5_000_000, max_term_months=36, rate_basis="lpr", cap_rate=None,
        eligible_statuses=["exited", "edge", "monitored", "poor"], subsidy_ratio=Decimal("1.0"),
        risk_fund_leverage=10,
    ),
    dict(
        code="bangfu2026", name="帮扶小额信贷", effective_from=date(2026, 1, 1),
        max_amount=10_000_000, max_term_months=36, rate_basis="setting", cap_rate=Decimal("3.0000"),
        eligible_statuses=["exited", "edge", "monitored", "poor", "general"],
        subsidy_ratio=Decimal("1.0"), risk_fund_leverage=10,
    ),
]


def ship(apps, schema_editor):
    from microcredit.domain.rates import SHIPPED_RATES

    ReferenceRate = apps.get_model("reference", "ReferenceRate")
    PolicyEra = apps.get_model("reference", "PolicyEra")
    ReferenceRate.objects.bulk_create(
        ReferenceRate(kind=f.kind, tenor=f.tenor, effective_from=f.effective_from, rate=f.rate,
                      reason=SHIPPED_REASON)
        for f in SHIPPED_RATES
    )
    PolicyEra.objects.bulk_create(
        PolicyEra(min_age=18, max_age=65, subsidy_max_years=3, reason=SHIPPED_REASON, **era)
        for era in POLICY_ERAS
    )


def unship(apps, schema_editor):
    apps.get_model("reference", "ReferenceRate").objects.filter(
        reason=SHIPPED_REASON, superseded_by__isnull=True).delete()
    apps.get_model("reference", "PolicyEra").objects.filter(
        reason=SHIPPED_REASON, superseded_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_tenor_lpr_5y")]
    operations = [migrations.RunPython(ship, unship)]
