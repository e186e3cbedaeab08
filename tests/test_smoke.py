import pytest
from django.db import connection

from monitoring.models import MeasurementType


@pytest.mark.django_db
def test_database_is_postgresql_with_seeded_measurement_types():
    assert connection.vendor == "postgresql"
    assert MeasurementType.objects.get(code="NPU03011").key == "spo2"
