"""Interop fixtures: tokens for the personas' patient, and a measurement batch builder."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from interop import services
from interop.models import ApiCredential


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def device_token(citizen, nurse) -> str:
    _, token = services.credential_issue(
        kind=ApiCredential.Kind.DEVICE, name="Tablet", patient=citizen, created_by=nurse
    )
    return token


@pytest.fixture
def system_token(org_municipality) -> str:
    _, token = services.credential_issue(
        kind=ApiCredential.Kind.SYSTEM, name="Region EPJ", organisation=org_municipality
    )
    return token


@pytest.fixture
def outsider_system_token(outsider) -> str:
    """A system token of another municipality (the outsider's)."""
    _, token = services.credential_issue(
        kind=ApiCredential.Kind.SYSTEM,
        name="Andeby EPJ",
        organisation=outsider.clinician.organisation,
    )
    return token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def batch(n: int, *, start: Any = None, code: str = "NPU03011", unit: str = "%") -> list[dict]:
    start = start or timezone.now() - timedelta(days=10)
    return [
        {
            "uuid": str(uuid.uuid4()),
            "type": code,
            "value": str(90 + i % 10),
            "unit": unit,
            "measured_at": (start + timedelta(minutes=i)).isoformat(),
        }
        for i in range(n)
    ]
