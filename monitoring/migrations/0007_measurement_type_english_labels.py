"""Short names and shown units in English too ("Puls" -> "Pulse", "slag/min" -> "beats/min").

The Danish columns keep their values (renamed with a _da suffix); the model's ``short_name`` and
``display_unit`` properties pick the active language.
"""

from django.db import migrations, models

ENGLISH = {
    "spo2": ("SpO2", "%"),
    "pulse": ("Pulse", "beats/min"),
    "weight": ("Weight", "kg"),
    "bp_systolic": ("Sys", "mmHg"),
    "bp_diastolic": ("Dia", "mmHg"),
    "temperature": ("Temp", "°C"),
    "fev1": ("FEV1", "L"),
    "fev6": ("FEV6", "L"),
    "crp": ("CRP", "mg/L"),
    "respiratory_rate": ("Resp", "/min"),
    "cat_score": ("CAT", "points"),
}


def fill(apps, schema_editor):
    MeasurementType = apps.get_model("monitoring", "MeasurementType")
    for key, (short, unit) in ENGLISH.items():
        MeasurementType.objects.filter(key=key).update(short_name_en=short, display_unit_en=unit)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_message")]

    operations = [
        migrations.RenameField("measurementtype", "short_name", "short_name_da"),
        migrations.RenameField("measurementtype", "display_unit", "display_unit_da"),
        migrations.AlterField(
            model_name="measurementtype",
            name="short_name_da",
            field=models.CharField(max_length=20, verbose_name="short name (Danish)"),
        ),
        migrations.AlterField(
            model_name="measurementtype",
            name="display_unit_da",
            field=models.CharField(max_length=20, verbose_name="unit shown (Danish)"),
        ),
        migrations.AddField(
            model_name="measurementtype",
            name="short_name_en",
            field=models.CharField(blank=True, max_length=20, verbose_name="short name (English)"),
        ),
        migrations.AddField(
            model_name="measurementtype",
            name="display_unit_en",
            field=models.CharField(blank=True, max_length=20, verbose_name="unit shown (English)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
