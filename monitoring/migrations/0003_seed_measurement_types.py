"""Seed the measurement types from DESIGN.md (codes from the FUT IG and MedCom terminology).

IEEE 11073-10101 codes are given where the type has a standard device code; the plausible
ranges are physical limits (a value outside is a typing or device error), not alarm limits.
"""

from decimal import Decimal

from django.db import migrations

# code, system, ieee, key, ucum, shown unit, da, en, short, decimals, min, max
TYPES = [
    ("NPU03011", "NPU", "150456", "spo2", "%", "%", "Iltmætning (SpO2)", "Oxygen saturation (SpO2)", "SpO2", 0, "50", "100"),
    ("NPU21692", "NPU", "149530", "pulse", "/min", "slag/min", "Puls", "Pulse", "Puls", 0, "20", "250"),
    ("NPU03804", "NPU", "188736", "weight", "kg", "kg", "Vægt", "Body weight", "Vægt", 1, "20", "300"),
    ("DNK05472", "DNK", "150021", "bp_systolic", "mm[Hg]", "mmHg", "Blodtryk, systolisk", "Blood pressure, systolic", "Sys", 0, "50", "300"),
    ("DNK05473", "DNK", "150022", "bp_diastolic", "mm[Hg]", "mmHg", "Blodtryk, diastolisk", "Blood pressure, diastolic", "Dia", 0, "20", "200"),
    ("NPU08676", "NPU", "150364", "temperature", "Cel", "°C", "Temperatur", "Body temperature", "Temp", 1, "30", "45"),
    ("MCS88015", "MCS", "", "fev1", "L", "L", "FEV1", "FEV1", "FEV1", 2, "0.1", "8"),
    ("MCS88100", "MCS", "", "fev6", "L", "L", "FEV6", "FEV6", "FEV6", 2, "0.1", "10"),
    ("NPU19748", "NPU", "", "crp", "mg/L", "mg/L", "CRP", "C-reactive protein (CRP)", "CRP", 0, "0", "500"),
    ("MCS88122", "MCS", "151562", "respiratory_rate", "/min", "/min", "Respirationsfrekvens", "Respiratory rate", "Resp", 0, "4", "80"),
    ("MCS88137", "MCS", "", "cat_score", "{score}", "point", "CAT-score", "CAT score", "CAT", 0, "0", "40"),
]


def seed(apps, schema_editor):
    MeasurementType = apps.get_model("monitoring", "MeasurementType")
    # Run at 0003 the columns are short_name/display_unit; 0007 renamed them to *_da. The test
    # suite re-runs this seed against the current models (tests/browser/conftest.py).
    suffix = "_da" if hasattr(MeasurementType, "short_name_da") else ""
    for order, row in enumerate(TYPES):
        code, system, ieee, key, unit, shown, da, en, short, decimals, low, high = row
        MeasurementType.objects.update_or_create(
            code=code,
            defaults={
                "code_system": system,
                "ieee_code": ieee,
                "key": key,
                "unit": unit,
                "display_unit" + suffix: shown,
                "name_da": da,
                "name_en": en,
                "short_name" + suffix: short,
                "decimals": decimals,
                "plausible_min": Decimal(low),
                "plausible_max": Decimal(high),
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "MeasurementType").objects.filter(
        code__in=[row[0] for row in TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
