"""Walk every URL route that shows patient data: one audit event per look, 404 for outsiders.

The routes come from the URLconf at test time, so a route added tomorrow is walked tomorrow. A
route that looks like patient data (by its path) but that this test cannot build arguments for
fails, so nobody can add a patient page without deciding how it is audited.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from alarms.models import PatientNote
from alarms.referrals import referral_create
from alarms.services import AnswerInput, Reading, submission_record
from alarms.threshold_templates import LimitRow
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import (
    DoctorFactory,
    OrgAdminFactory,
    OrganisationFactory,
    PatientFactory,
    ScheduleFactory,
    measurement_type,
    questionnaire,
)

pytestmark = pytest.mark.django_db

# Paths that show (or act on) patient data.
PATIENT_DATA = re.compile(
    r"^(patients/|nurse/|doctor/|me/|api/|fhir/|referrals/|messages/"
    r"|administration/(relationships|audit"
    r"|integrations/(devices/|destinations/<int:destination_pk>/$)))"
)
# Routes under those prefixes that show no patient data, and why.
NOT_PATIENT_DATA = {
    "interop:api_schema": "OpenAPI schema",
    "interop:api_docs": "API documentation page",
    "interop:api_measurement_types": "the measurement type catalogue",
    "interop:fhir_metadata": "FHIR CapabilityStatement",
    "referrals:new": "an empty form until the doctor types a CPR number",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), namespace + entry.name


ROUTES = sorted(
    (route, name)
    for route, name in _walk(get_resolver().url_patterns)
    if PATIENT_DATA.match(route) and name not in NOT_PATIENT_DATA
)


@pytest.fixture
def world(citizen, nurse, doctor, org_municipality, outsider, org_admin):
    """One patient with data of every kind, and a stranger for every kind of route."""
    schedule = ScheduleFactory(patient=citizen)
    kol = questionnaire("kol")
    item = kol.items.filter(options__isnull=False).first()
    submission = submission_record(
        patient=citizen,
        questionnaire=kol,
        answers=[AnswerInput(item=item, option=item.options.first())],
        readings=[Reading(measurement_type("spo2"), Decimal("86"), timezone.now())],
        submitted_at=timezone.now() - timedelta(minutes=5),
        submitted_by=citizen.citizen_user,
        schedule=schedule,
    )
    referral = referral_create(
        doctor=doctor,
        cpr=citizen.cpr,
        first_name=citizen.first_name,
        last_name=citizen.last_name,
        copd_group="moderate",
        receiving_organisation=org_municipality,
        limits=[LimitRow(measurement_type("spo2"), Decimal("85"), Decimal("88"))],
    )
    note = PatientNote.objects.create(patient=citizen, author=nurse, text="Ring i morgen")
    elsewhere = OrganisationFactory(kind="municipality", name="Andeby", sor_code="900000000000099")
    stranger = PatientFactory(with_login=True)
    credentials = {}
    try:
        from interop.services import credential_issue

        credentials["allowed"] = credential_issue(
            kind="system", name="EPJ", organisation=org_municipality
        )[1]
        credentials["outsider"] = credential_issue(
            kind="system", name="Andet", organisation=elsewhere
        )[1]
        credentials["device"], credentials["device_token"] = credential_issue(
            kind="device", name="Tablet", patient=citizen
        )
        credentials["other_device_token"] = credential_issue(
            kind="device", name="Tablet", patient=stranger
        )[1]
    except ImportError:  # pragma: no cover - before the interop app exists
        pass
    extra = {}
    try:
        from interop.models import FhirDestination

        # A destination with a failed delivery of the patient's data (the admin's failed list).
        extra["destination"] = FhirDestination.objects.create(
            name="Region FHIR", base_url="https://fhir.test/r4", organisation=org_municipality
        )
        extra["destination"].entries.create(
            patient=citizen, resource_type="Observation", object_id=1, status="failed"
        )
    except ImportError:  # pragma: no cover - before the interop app exists
        pass
    return {
        **extra,
        "patient": citizen,
        "schedule": schedule,
        "submission": submission,
        "result": submission.triage_result,
        "measurement": submission.measurements.first(),
        "referral": referral,
        "note": note,
        "item": item,
        "credentials": credentials,
        "users": {
            "nurse": nurse,
            "doctor": doctor,
            "citizen": citizen.citizen_user,
            "admin": org_admin,
            "outsider": outsider,
            "other_doctor": DoctorFactory().user,
            "other_admin": OrgAdminFactory(organisation=elsewhere).user,
            "other_citizen": stranger.citizen_user,
        },
    }


def _kwargs(route: str, world) -> dict | None:
    """Arguments for the route's converters, or None when this test does not know them."""
    values = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if name == "pk":
            if route.startswith(("nurse/results/",)):
                values[name] = world["result"].pk
            elif route.startswith("referrals/"):
                values[name] = world["referral"].pk
            else:
                values[name] = world["patient"].pk
        elif name == "result_pk":
            values[name] = world["result"].pk
        elif name == "item_pk":  # what is ignored: a measurement or a result of the patient
            kind = "measurement" if "/measurements/" in route else "result"
            values[name] = world[kind].pk
        elif name == "note_pk":
            values[name] = world["note"].pk
        elif name in ("schedule_id", "schedule_pk"):
            values[name] = world["schedule"].pk
        elif name == "submission_id":
            values[name] = world["submission"].pk
        elif name == "link_id":
            values[name] = world["item"].link_id
        elif name == "user_pk":
            values[name] = world["users"]["doctor"].pk
        elif name == "destination_pk" and "destination" in world:
            values[name] = world["destination"].pk
        elif name == "credential_pk" and "device" in world["credentials"]:
            values[name] = world["credentials"]["device"].pk
        else:
            return None
    return values


def _personas(route: str) -> tuple[str, str]:
    """Who may see the route's data, and a stranger of the same kind."""
    if route.startswith("me/"):
        return "citizen", "other_citizen"
    if route.startswith("administration/"):
        return "admin", "other_admin"
    if route.startswith(("doctor/", "referrals/")):
        return "doctor", "outsider" if route.startswith("referrals/") else "other_doctor"
    return "nurse", "outsider"


def _get(client, world, route, url, who):
    if route.startswith(("api/", "fhir/")):
        # The device API is for a patient's own device; FHIR for an organisation's systems.
        if route.startswith("api/"):
            key = "device_token" if who != "stranger" else "other_device_token"
        else:
            key = "allowed" if who != "stranger" else "outsider"
        token = world["credentials"].get(key)
        if token is None:
            pytest.fail(f"{route}: no API credential service to call it with")
        query = {"patient": world["patient"].pk}
        if route == "fhir/Patient":
            query = {"identifier": f"urn:oid:1.2.208.176.1.2|{world['patient'].cpr}"}
        return client.get(url, query, HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(url)


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _, name in ROUTES])
def test_route_audits_each_look_once_and_hides_the_patient_from_strangers(
    client, world, route, name
):
    kwargs = _kwargs(route, world)
    assert kwargs is not None, (
        f"{name} ({route}) looks like a patient-data route but this test does not know how to "
        "call it: teach tests/test_audit_walk.py its arguments, or list it in NOT_PATIENT_DATA"
    )
    url = reverse(name, kwargs=kwargs)
    allowed, stranger = _personas(route)
    patient = world["patient"]

    # The person with the care relationship: exactly one audit event per request.
    if not route.startswith(("api/", "fhir/")):
        login(client, world["users"][allowed])
    before = AuditEvent.objects.count()
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = _get(client, world, route, url, "allowed")
    if response.status_code == 405:
        # POST-only (an action); reading is tested by its page. A stranger must still get 404.
        assert AuditEvent.objects.count() == before
        client.logout()
        if not route.startswith(("api/", "fhir/")):
            login(client, world["users"][stranger])
        if any(k in kwargs for k in ("pk", "result_pk", "schedule_id", "submission_id")):
            denied = client.post(url, {})
            assert denied.status_code in (403, 404), (name, denied.status_code)
            assert not AuditEvent.objects.filter(pk__gt=mark, patient=patient).exists(), name
        return
    assert response.status_code in (200, 302), (name, response.status_code)
    if response.status_code == 200:
        assert AuditEvent.objects.count() == before + 1, (
            f"{name}: {AuditEvent.objects.count() - before} audit events for one request"
        )

    # A stranger: 404 for anything addressed to this patient, and never the patient's data.
    client.logout()
    if not route.startswith(("api/", "fhir/")):
        login(client, world["users"][stranger])
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    denied = _get(client, world, route, url, "stranger")
    addressed = any(k in kwargs for k in ("pk", "result_pk", "schedule_id", "submission_id"))
    if addressed and not route.startswith("administration/audit"):
        assert denied.status_code == 404, (name, denied.status_code)
    assert not AuditEvent.objects.filter(pk__gt=mark, patient=patient).exists(), name
    if denied.status_code == 200 and denied.get("Content-Type", "").startswith("text/html"):
        assert patient.full_name not in denied.content.decode(), name


def test_the_walk_covers_the_patient_pages():
    names = {name for _, name in ROUTES}
    assert {"doctor:patient", "referrals:detail", "patients:relationship"} <= names
    assert len(ROUTES) >= 10


def test_every_description_the_walk_wrote_reads_in_danish(client, world):
    """Walk the routes once more as the care persona and check each event's description is
    known to telemed.audit_text, so the citizen's log and the admin's log show it translated."""
    from django.utils import translation

    from telemed.audit_text import describe, is_known

    for route, name in ROUTES:
        kwargs = _kwargs(route, world)
        if kwargs is None:
            continue
        allowed, _stranger = _personas(route)
        if not route.startswith(("api/", "fhir/")):
            login(client, world["users"][allowed])
        _get(client, world, route, reverse(name, kwargs=kwargs), "allowed")
    unknown = sorted(
        what
        for what in AuditEvent.objects.values_list("what", flat=True).distinct()
        if not is_known(what)
    )
    assert not unknown, f"teach telemed/audit_text.py these descriptions: {unknown}"
    with translation.override("da"):
        assert describe("Patient page: charts") == "Patientside: grafer"
        assert describe("Acknowledged result 20702") == "Kvitterede for resultat 20702"
        assert describe("Ignored measurement 7 (measurement_error)") == (
            "Så bort fra måling 7 (Målefejl)"
        )
