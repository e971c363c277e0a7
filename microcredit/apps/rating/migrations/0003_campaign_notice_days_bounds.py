"""Notice lengths of rating campaigns within the county bounds (DOMAIN §3, §12; issue #9).

Campaigns opened through the old API could carry any ``notice_days`` (0 skipped both notices);
rows outside [5, 30] are set to the default 7 before the check constraint is added.
"""

from django.db import migrations, models

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 5, 30, 7  # frozen copies of domain.workflow's figures


def clamp_notice_days(apps, schema_editor):
    RatingCampaign = apps.get_model("rating", "RatingCampaign")
    RatingCampaign.objects.exclude(notice_days__gte=MIN_DAYS, notice_days__lte=MAX_DAYS).update(
        notice_days=DEFAULT_DAYS)


class Migration(migrations.Migration):

    dependencies = [
        ("rating", "0002_scorecard_presets"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ratingcampaign",
            name="notice_days",
            field=models.PositiveIntegerField(default=7, verbose_name="每轮公示天数（县设置）"),
        ),
        migrations.RunPython(clamp_notice_days, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ratingcampaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("notice_days__gte", 5), ("notice_days__lte", 30)),
                name="rating_campaign_notice_days_bounds",
            ),
        ),
    ]
