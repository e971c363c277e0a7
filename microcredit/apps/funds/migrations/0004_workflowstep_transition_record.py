"""funds.WorkflowStep becomes a core.models.TransitionRecord (issue #10 §3, ADR 0007).

from_status/to_status are renamed (rows kept), the columns widen to the record's lengths, and the
record's role, business date and via-API flag are added; existing steps get the date they were
recorded on.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
from django.db.models.functions import TruncDate

import microcredit.apps.core.clock


def date_existing_steps(apps, schema_editor):
    step = apps.get_model("funds", "WorkflowStep")
    step.objects.filter(on__isnull=True).update(on=TruncDate("at"))


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0003_claim_evidence_type_and_size"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("workflowstep", "from_status", "from_state"),
        migrations.RenameField("workflowstep", "to_status", "to_state"),
        migrations.AlterField("workflowstep", "from_state", models.CharField(max_length=20, verbose_name="原状态")),
        migrations.AlterField("workflowstep", "to_state", models.CharField(max_length=20, verbose_name="新状态")),
        migrations.AlterField("workflowstep", "action", models.CharField(max_length=20, verbose_name="操作")),
        migrations.AddField("workflowstep", "actor_role", models.CharField(blank=True, max_length=20, verbose_name="角色")),
        migrations.AddField("workflowstep", "via_api", models.BooleanField(default=False, verbose_name="经接口")),
        migrations.AddField("workflowstep", "on", models.DateField(null=True, verbose_name="业务日期")),
        migrations.RunPython(date_existing_steps, migrations.RunPython.noop),
        migrations.AlterField("workflowstep", "on", models.DateField(verbose_name="业务日期")),
        migrations.AlterField("workflowstep", "at", models.DateTimeField(default=microcredit.apps.core.clock.now,
                                                                        verbose_name="时间")),
        migrations.AlterField("workflowstep", "actor", models.ForeignKey(
            blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
            to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
    ]
