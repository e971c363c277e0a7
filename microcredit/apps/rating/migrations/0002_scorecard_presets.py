"""Ship version 1 of the five DOMAIN §3 scorecard presets."""

from django.db import migrations


def add_presets(apps, schema_editor):
    from microcredit.domain.scorecards import PRESETS, scorecard_to_dict

    ScorecardVersion = apps.get_model("rating", "ScorecardVersion")
    for card in PRESETS.values():
        if not ScorecardVersion.objects.filter(code=card.code).exists():
            ScorecardVersion.objects.create(code=card.code, version=1, name=card.name,
                                            definition=scorecard_to_dict(card), note="预置评分卡（DOMAIN §3）")


class Migration(migrations.Migration):
    dependencies = [("rating", "0001_initial")]
    operations = [migrations.RunPython(add_presets, migrations.RunPython.noop)]
