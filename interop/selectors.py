"""Reads for interop: credentials and their scope, FHIR searches, outbox state.

Every search is a fixed number of queries whatever the number of rows (select_related /
prefetch_related), so a FHIR page of 1000 Observations costs the same queries as one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from alarms.models import TriageResult
from interop.fhir.impression import clinical_impression_to_fhir
from interop.fhir.observation import observation_to_fhir
from interop.fhir.questionnaire import questionnaire_response_to_fhir
from interop.models import ApiCredential, FhirDestination, OutboxEntry
from monitoring.models import Answer, Measurement, Submission
from patients.models import Organisation, Patient


def credential_for_token(token_digest: str) -> ApiCredential | None:
    return (
        ApiCredential.objects.select_related("patient", "organisation")
        .filter(token_hash=token_digest, revoked_at__isnull=True)
        .first()
    )


def credential_patients(credential: ApiCredential) -> QuerySet[Patient]:
    """The patients a credential may read or write: its one patient, or the patients its
    organisation monitors or treats."""
    if credential.patient_id is not None:
        return Patient.objects.filter(pk=credential.patient_id)
    return Patient.objects.filter(
        Q(monitoring_team__organisation_id=credential.organisation_id)
        | Q(treating_organisation_id=credential.organisation_id)
    ).distinct()


def credentials_for_patient(patient: Patient) -> list[ApiCredential]:
    return list(
        ApiCredential.objects.filter(patient=patient, kind=ApiCredential.Kind.DEVICE)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at")
    )


def _measurements() -> QuerySet[Measurement]:
    return Measurement.objects.select_related("type", "patient", "triage_result")


def observations(
    *,
    patient: Patient,
    type_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    strictly_after: bool = False,
    strictly_before: bool = False,
    offset: int = 0,
    count: int = 100,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the patient's Observations (newest first) and the total, in two queries."""
    rows = _measurements().filter(patient=patient)
    if type_ids is not None:
        rows = rows.filter(type_id__in=type_ids)
    if since is not None:
        rows = rows.filter(**{"measured_at__gt" if strictly_after else "measured_at__gte": since})
    if until is not None:
        rows = rows.filter(**{"measured_at__lt" if strictly_before else "measured_at__lte": until})
    total = rows.count()
    page = list(rows.order_by("-measured_at", "-pk")[offset : offset + count])
    return [_observation(m) for m in page], total


def _observation(measurement: Measurement) -> dict[str, Any]:
    try:
        result = measurement.triage_result
    except TriageResult.DoesNotExist:
        result = None
    return observation_to_fhir(measurement, result)


def _submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related("questionnaire", "patient").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("item", "option")),
        Prefetch("measurements", queryset=Measurement.objects.select_related("type")),
    )


def questionnaire_responses(
    *, patient: Patient, offset: int = 0, count: int = 100
) -> tuple[list[dict[str, Any]], int]:
    rows = Submission.objects.filter(patient=patient)
    total = rows.count()
    page = list(
        _submissions()
        .filter(patient=patient)
        .order_by("-submitted_at", "-pk")[offset : offset + count]
    )
    return [questionnaire_response_to_fhir(s) for s in page], total


def outbox_bundle(entries: Sequence[OutboxEntry]) -> dict[str, Any]:
    """A FHIR transaction Bundle of the entries' resources (conditional create on identifier
    for Observations and QuestionnaireResponses; ClinicalImpressions PUT by id)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        ids[entry.resource_type].append(entry.object_id)
    resources: dict[tuple[str, int], dict[str, Any]] = {}
    if ids.get("Observation"):
        for measurement in _measurements().filter(pk__in=ids["Observation"]):
            resources[("Observation", measurement.pk)] = _observation(measurement)
    if ids.get("QuestionnaireResponse"):
        for submission in _submissions().filter(pk__in=ids["QuestionnaireResponse"]):
            resources[("QuestionnaireResponse", submission.pk)] = questionnaire_response_to_fhir(
                submission
            )
    if ids.get("ClinicalImpression"):
        for result in TriageResult.objects.select_related("patient").filter(
            pk__in=ids["ClinicalImpression"]
        ):
            resources[("ClinicalImpression", result.pk)] = clinical_impression_to_fhir(result)
    bundle_entries: list[dict[str, Any]] = []
    for entry in entries:
        resource = resources.get((entry.resource_type, entry.object_id))
        if resource is None:
            continue  # deleted since (a test patient removed): nothing left to send
        resource = dict(resource)
        local_id = resource.pop("id")
        if entry.resource_type == "ClinicalImpression":
            request = {"method": "PUT", "url": f"ClinicalImpression/telemed-{local_id}"}
            resource["id"] = f"telemed-{local_id}"
        else:
            identifier = resource["identifier"]
            identifier = identifier[0] if isinstance(identifier, list) else identifier
            request = {
                "method": "POST",
                "url": entry.resource_type,
                "ifNoneExist": f"identifier={identifier['system']}|{identifier['value']}",
            }
        bundle_entries.append(
            {
                "fullUrl": f"urn:uuid:{entry.resource_type.lower()}-{local_id}",
                "resource": resource,
                "request": request,
            }
        )
    for item in bundle_entries:
        item["fullUrl"] = _uuid_url(item["fullUrl"])
    return {"resourceType": "Bundle", "type": "transaction", "entry": bundle_entries}


def _uuid_url(seed: str) -> str:
    import uuid

    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


@dataclass
class DestinationState:
    destination: FhirDestination
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    oldest_waiting: datetime | None = None
    last_sent: datetime | None = None
    last_error: str = ""

    @property
    def healthy(self) -> bool:
        return self.failed == 0 and not self.last_error


def outbox_state(
    destinations: QuerySet[FhirDestination] | None = None,
) -> list[DestinationState]:
    """Per destination: rows by status, the oldest waiting row, the last success and the latest
    error. Three queries whatever the number of destinations and rows."""
    if destinations is None:
        destinations = FhirDestination.objects.all()
    states = {
        d.pk: DestinationState(destination=d) for d in destinations.select_related("organisation")
    }
    if not states:
        return []
    waiting = Q(status__in=["pending", "sending"])
    for row in (
        OutboxEntry.objects.filter(destination_id__in=list(states))
        .values("destination_id")
        .annotate(
            pending=Count("pk", filter=Q(status="pending")),
            sending=Count("pk", filter=Q(status="sending")),
            sent=Count("pk", filter=Q(status="sent")),
            failed=Count("pk", filter=Q(status="failed")),
            oldest_waiting=Min("created_at", filter=waiting),
            last_sent=Max("sent_at"),
        )
    ):
        state = states.get(row["destination_id"])
        if state is not None:
            for key in ("pending", "sending", "sent", "failed", "oldest_waiting", "last_sent"):
                setattr(state, key, row[key])
    errors = (
        OutboxEntry.objects.filter(destination_id__in=list(states))
        .exclude(last_error="")
        .filter(status__in=["pending", "failed"])
        .order_by("destination_id", "-next_attempt_at")
        .distinct("destination_id")
        .values_list("destination_id", "last_error")
    )
    for destination_id, error in errors:
        if destination_id in states:
            states[destination_id].last_error = error
    return list(states.values())


def destinations_of(organisation: Organisation) -> QuerySet[FhirDestination]:
    """The destinations an organisation admin configures: her organisation's own."""
    return FhirDestination.objects.filter(organisation=organisation)


def destinations_visible_to(organisation: Organisation | None) -> QuerySet[FhirDestination]:
    """The outbox page: an admin sees her organisation's destinations and those for every
    patient (set up by the operators); an operator (None) sees all."""
    if organisation is None:
        return FhirDestination.objects.all()
    return FhirDestination.objects.filter(
        Q(organisation=organisation) | Q(organisation__isnull=True)
    )


def failed_q() -> Q:
    """Rows that gave up, or wait for another attempt after an error."""
    return Q(status=OutboxEntry.Status.FAILED) | Q(
        ~Q(last_error=""), status=OutboxEntry.Status.PENDING
    )


def failed_entries(destination: FhirDestination, *, limit: int = 200) -> list[OutboxEntry]:
    """The newest failed rows of a destination with their patient, in one query."""
    return list(
        OutboxEntry.objects.filter(failed_q(), destination=destination)
        .select_related("patient")
        .order_by("-created_at", "-pk")[:limit]
    )


def system_clients(organisation: Organisation) -> list[ApiCredential]:
    return list(
        ApiCredential.objects.filter(kind=ApiCredential.Kind.SYSTEM, organisation=organisation)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "name", "pk")
    )


def device_credentials_of(organisation: Organisation) -> QuerySet[ApiCredential]:
    """Device tokens for the organisation's patients (monitored or treated there) and those
    issued to the organisation itself; active first. One query however many."""
    return (
        ApiCredential.objects.filter(kind=ApiCredential.Kind.DEVICE)
        .filter(
            Q(organisation=organisation)
            | Q(patient__monitoring_team__organisation=organisation)
            | Q(patient__treating_organisation=organisation)
        )
        .select_related("patient", "created_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def now() -> datetime:
    return timezone.now()
