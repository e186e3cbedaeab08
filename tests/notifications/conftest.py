"""Fixtures for the reminder tests: the citizen's daily 09:00 KOL schedule since 1 January."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from monitoring.models import Schedule
from tests.factories import ScheduleFactory

# Monday 5 January 2026, 09:00 Copenhagen = 08:00 UTC; grace 3 hours -> deadline 11:00 UTC.
DUE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
BEFORE = DUE + timedelta(hours=2, minutes=30)  # 30 minutes before the deadline


@pytest.fixture
def schedule(citizen) -> Schedule:
    citizen.email = "dorte@example.dk"
    citizen.save()
    return ScheduleFactory(patient=citizen, starts_on=date(2026, 1, 1), grace_minutes=180)
