"""The built-in outcomes a nurse chooses from when acknowledging (issue 12)."""

from django.db import migrations

from alarms.outcomes import outcome_defaults_ensure


def add_defaults(apps, schema_editor):
    outcome_defaults_ensure(apps.get_model("alarms", "Outcome"))


class Migration(migrations.Migration):
    dependencies = [("alarms", "0007_outcomes")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
