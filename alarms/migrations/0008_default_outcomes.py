"""The built-in outcomes a nurse chooses from when acknowledging (issue 12)."""

from django.db import migrations

from alarms.outcomes import DEFAULTS


def add_defaults(apps, schema_editor):
    Outcome = apps.get_model("alarms", "Outcome")
    for order, (code, label_da, label_en, kind) in enumerate(DEFAULTS):
        Outcome.objects.update_or_create(
            organisation=None,
            code=code,
            defaults={
                "label_da": label_da,
                "label_en": label_en,
                "kind": str(kind),
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("alarms", "0007_outcomes")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
