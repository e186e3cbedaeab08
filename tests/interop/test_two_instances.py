"""Two Telemed instances on one machine exchanging data through FHIR.

Instance A is this test process (the municipality). Instance B (a region) is a real second
Telemed: a subprocess running the app on its own database, created on the same PostgreSQL
server with CREATE DATABASE. A's outbox pushes new measurements to B's FHIR endpoint with a
token B issued; then A reads the patient's Observations back from B over FHIR.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from interop import services
from interop.fhir.validate import errors
from interop.models import FhirDestination, OutboxEntry
from tests.interop.helpers import record_spo2, with_spo2_limits
from tests.processes import database_url, free_port

BASE_DIR = Path(__file__).resolve().parents[2]

SETUP_B = """
from patients.models import Organisation, Patient, Team
from django.contrib.auth.models import Group
region = Organisation.objects.create(name="Region Midt", kind="hospital_department",
                                     sor_code="{sor}")
team = Team.objects.create(group=Group.objects.create(name="KOL Region"), organisation=region,
                           name="KOL")
Patient.objects.create(cpr="{cpr}", first_name="Dorte", last_name="Borger", copd_group="moderate",
                       state="active", monitoring_team=team)
"""


@pytest.fixture
def instance_b(db):
    """A second Telemed (web server on its own database); yields (base_url, token, cpr)."""
    settings = connection.settings_dict
    name = f"telemed_b_{uuid.uuid4().hex[:8]}"
    admin_url = database_url(settings, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(settings, name),
        "DJANGO_SETTINGS_MODULE": "telemed.settings",
        "TELEMED_DATA_DIR": str(BASE_DIR / ".data" / name),
    }
    env.pop("PYTEST_VERSION", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    server = None
    try:
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=300)
        cpr = "2512489996"
        subprocess.run(
            [*manage, "shell", "-c", SETUP_B.format(sor="900000000000099", cpr=cpr)],
            env=env,
            check=True,
            timeout=120,
        )
        token = subprocess.run(
            [
                *manage,
                "issue_device_token",
                "--kind",
                "system",
                "--organisation",
                "900000000000099",
                "--name",
                "Testrup Kommune",
            ],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/fhir"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/metadata", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("instance B did not start")
            time.sleep(0.3)
        yield base, token, cpr
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_outbox_pushes_to_a_second_instance_which_then_serves_the_data(instance_b, citizen):
    base, token, cpr = instance_b
    citizen.cpr = cpr
    citizen.save()
    with_spo2_limits(citizen)
    destination = FhirDestination.objects.create(
        name="Region Midt", base_url=base, bearer_token=token, resource_types=["Observation"]
    )

    record_spo2(citizen, [96, 87])
    assert OutboxEntry.objects.filter(destination=destination).count() == 2
    report = services.outbox_deliver(destination_id=destination.pk)
    assert (report.sent, report.failed) == (2, False), report.error
    # Sent once: delivering again sends nothing.
    assert services.outbox_deliver(destination_id=destination.pk).claimed == 0

    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    found = requests.get(
        f"{base}/Patient",
        params={"identifier": f"urn:oid:1.2.208.176.1.2|{cpr}"},
        headers=headers,
        timeout=10,
    ).json()
    patient_id = found["entry"][0]["resource"]["id"]
    bundle = requests.get(
        f"{base}/Observation", params={"patient": patient_id}, headers=headers, timeout=10
    ).json()

    assert bundle["total"] == 2
    values = sorted(e["resource"]["valueQuantity"]["value"] for e in bundle["entry"])
    assert values == [87, 96]
    for entry in bundle["entry"]:
        assert errors(entry["resource"]) == []
        assert entry["resource"]["code"]["coding"][0]["code"] == "NPU03011"
        assert entry["resource"]["meta"]["tag"][0]["code"] == "device"
    # B judged the values against its own thresholds (none there: green, "no threshold").
    assert {e["resource"]["interpretation"][0]["text"] for e in bundle["entry"]} == {"green"}
