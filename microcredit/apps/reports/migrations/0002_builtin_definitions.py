"""Seed the built-in report definitions (REPORTS.md §1–§7); a definition already there is left alone
(a county may have edited it)."""

from django.db import migrations

from microcredit.apps.reports.builtins import BUILTINS


def seed(apps, schema_editor):
    ReportDefinition = apps.get_model("reports", "ReportDefinition")
    for code, (name, spec) in BUILTINS.items():
        ReportDefinition.objects.get_or_create(code=code, defaults={"name": name, "spec": spec, "builtin": True})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_definitions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
