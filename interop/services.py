"""Writes for interop: credentials, device uploads, FHIR transaction Bundles and the outbox."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from alarms.services import Reading, measurements_record
from interop import selectors
from interop.fhir.common import FhirError
from interop.fhir.observation import observation_from_fhir
from interop.models import ApiCredential, FhirDestination, OutboxEntry
from interop.readings import ItemError, ItemInput, TypeIndex, check_items, type_for_codes
from monitoring.models import Measurement, MeasurementType, Source
from patients.models import Organisation, Patient

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "tlm_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Credentials ----------------------------------------------------------------------------------


class CredentialError(ValueError):
    pass


def _clean_scopes(kind: str, scopes: Sequence[str] | None) -> list[str]:
    if kind != ApiCredential.Kind.SYSTEM:
        return []
    if scopes is None:  # callers from before scopes (commands, tests): what a system could do
        return list(ApiCredential.Scope.values)
    unknown = set(scopes) - set(ApiCredential.Scope.values)
    if unknown:
        raise CredentialError(f"Unknown scopes: {sorted(unknown)}")
    if not scopes:
        raise CredentialError("A system credential needs at least one scope.")
    return [scope for scope in ApiCredential.Scope.values if scope in scopes]


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def credential_issue(
    *,
    kind: str,
    name: str,
    patient: Patient | None = None,
    organisation: Organisation | None = None,
    created_by: User | None = None,
    scopes: Sequence[str] | None = None,
) -> tuple[ApiCredential, str]:
    """A new credential and its token. The token is returned once and stored only hashed.

    ``scopes`` applies to system credentials (None: every scope); a device token only ever
    uploads for its patient(s)."""
    name = name.strip()
    if not name:
        raise CredentialError("A credential needs a name.")
    if (patient is None) == (organisation is None):
        raise CredentialError("A credential is scoped to one patient or one organisation.")
    token = _new_token()
    credential = ApiCredential.objects.create(
        kind=kind,
        name=name[:200],
        prefix=token[:12],
        token_hash=token_hash(token),
        patient=patient,
        organisation=organisation,
        created_by=created_by,
        scopes=_clean_scopes(kind, scopes),
    )
    return credential, token


@transaction.atomic
def credential_rotate(
    *, credential: ApiCredential, now: datetime | None = None
) -> tuple[ApiCredential, str]:
    """A new token for the same credential; the old one stops working with this commit (only
    its hash was stored, and that is replaced). A revoked credential is not rotated."""
    token = _new_token()
    updated = ApiCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        prefix=token[:12],
        token_hash=token_hash(token),
        rotated_at=now or timezone.now(),
        last_used_at=None,
    )
    if not updated:
        raise CredentialError("A revoked credential cannot get a new secret.")
    credential.refresh_from_db()
    return credential, token


@transaction.atomic
def credential_revoke(
    *, credential: ApiCredential, user: User | None, now: datetime | None = None
) -> bool:
    """Revoke at once; False when it was already revoked."""
    updated = ApiCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_by=user
    )
    credential.refresh_from_db()
    return bool(updated)


# FHIR destinations -----------------------------------------------------------------------------


class DestinationInUse(ValueError):
    """A destination with outbox rows is kept (the rows are the delivery history)."""


def destination_delete(*, destination: FhirDestination) -> None:
    with transaction.atomic():
        if OutboxEntry.objects.filter(destination=destination).exists():
            raise DestinationInUse(destination.name)
        destination.delete()


def destination_set_active(*, destination: FhirDestination, active: bool) -> bool:
    """Enable or pause; False when it already was. Paused destinations get no new rows and
    their waiting rows wait."""
    updated = FhirDestination.objects.filter(pk=destination.pk, active=not active).update(
        active=active
    )
    destination.refresh_from_db()
    return bool(updated)


# Device upload ---------------------------------------------------------------------------------


class UploadRejected(ValueError):
    def __init__(self, errors: Sequence[ItemError]) -> None:
        super().__init__(f"{len(errors)} item(s) rejected")
        self.errors = list(errors)


@dataclass
class UploadResult:
    created: int
    duplicates: int
    items: list[dict[str, Any]] = field(default_factory=list)


def _record_with_retry(
    *, patient: Patient, readings: Sequence[Reading], source: str, device_id: str
) -> tuple[int, int]:
    """measurements_record, retried once when a concurrent upload of the same UUIDs won the
    race to the unique constraint (the retry's pre-check then sees them as duplicates)."""
    try:
        batch = measurements_record(
            patient=patient, readings=readings, source=source, device_id=device_id
        )
    except IntegrityError:
        batch = measurements_record(
            patient=patient, readings=readings, source=source, device_id=device_id
        )
    return len(batch.measurements), batch.duplicates


def _stored(
    patient: Patient, source: str, uuids: Sequence[Any]
) -> dict[Any, tuple[int, str | None]]:
    return {
        row[0]: (row[1], row[2])
        for row in Measurement.objects.filter(
            patient=patient, source=source, client_uuid__in=list(uuids)
        ).values_list("client_uuid", "pk", "severity")
    }


def device_batch_record(
    *, patient: Patient, items: Sequence[ItemInput], device_id: str, now: datetime | None = None
) -> UploadResult:
    """Store a collection point's batch, all or nothing, evaluated in the same transaction.

    Idempotent: items whose UUID is already stored from a device are not stored again, and the
    answer lists the same measurement id and severity for every item as the first time.
    Raises UploadRejected with every bad item's index and reason.
    """
    types = TypeIndex(MeasurementType.objects.all())
    readings, errors = check_items(items, types, now=now or timezone.now())
    if errors:
        raise UploadRejected(errors)
    created, duplicates = _record_with_retry(
        patient=patient, readings=readings, source=Source.DEVICE, device_id=device_id
    )
    stored = _stored(patient, Source.DEVICE, [item.client_uuid for item in items])
    result_items = []
    for index, item in enumerate(items):
        pk, severity = stored.get(item.client_uuid, (None, None))
        result_items.append(
            {
                "index": index,
                "uuid": item.client_uuid,
                # A UUID another patient's device already used is not this patient's reading.
                "status": "stored" if pk is not None else "conflict",
                "id": pk,
                "severity": severity,
            }
        )
    return UploadResult(created=created, duplicates=duplicates, items=result_items)


# FHIR transaction Bundle -------------------------------------------------------------------------


@dataclass
class BundleEntryError:
    index: int
    message: str


class BundleRejected(ValueError):
    def __init__(self, errors: Sequence[BundleEntryError]) -> None:
        super().__init__(f"{len(errors)} entr(y/ies) rejected")
        self.errors = list(errors)


def _resolve_patient(data: Any, in_scope: dict[str, Patient], by_cpr: dict[str, Patient]) -> Any:
    if data.patient_reference.startswith("Patient/"):
        found = in_scope.get(data.patient_reference.removeprefix("Patient/"))
        # A reference that means another server's id may still carry the CPR identifier.
        if found is not None and (not data.patient_cpr or found.cpr == data.patient_cpr):
            return found
    if data.patient_cpr:
        return by_cpr.get(data.patient_cpr)
    return None


def fhir_transaction_record(
    *, credential: ApiCredential, bundle: Any, now: datetime | None = None
) -> tuple[list[dict[str, Any]], list[int]]:
    """Store a transaction Bundle of Observations (conditional create on the identifier).

    All or nothing. Returns the transaction-response entries and the ids of the patients
    written to. Raises BundleRejected naming every entry that cannot be used; a patient the
    credential may not see reads exactly like one that does not exist.
    """
    now = now or timezone.now()
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleRejected([BundleEntryError(-1, "The body must be a FHIR Bundle.")])
    if bundle.get("type") != "transaction":
        raise BundleRejected([BundleEntryError(-1, "Bundle.type must be 'transaction'.")])
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not entries:
        raise BundleRejected([BundleEntryError(-1, "The Bundle has no entries.")])
    if len(entries) > 1000:
        raise BundleRejected([BundleEntryError(-1, "At most 1000 entries per Bundle.")])

    parsed: list[tuple[int, Any]] = []
    errors: list[BundleEntryError] = []
    for index, entry in enumerate(entries):
        path = f"Bundle.entry[{index}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        request = (entry.get("request") or {}) if isinstance(entry, dict) else {}
        if request.get("method", "POST") != "POST":
            errors.append(BundleEntryError(index, f"{path}.request.method must be POST."))
            continue
        try:
            data = observation_from_fhir(resource, f"{path}.resource")
        except FhirError as exc:
            errors.append(BundleEntryError(index, str(exc)))
            continue
        if data.client_uuid is None:
            errors.append(
                BundleEntryError(
                    index,
                    f"{path}.resource.identifier: needs a urn:uuid identifier "
                    "(system urn:ietf:rfc:3986) for conditional create.",
                )
            )
            continue
        parsed.append((index, data))

    scope = selectors.credential_patients(credential)
    references = {d.patient_reference.removeprefix("Patient/") for _, d in parsed}
    cprs = {d.patient_cpr for _, d in parsed if d.patient_cpr}
    ids = [r for r in references if r.isdigit()]
    candidates = list(scope.filter(Q(pk__in=ids) | Q(cpr__in=cprs))) if (ids or cprs) else []
    in_scope = {str(p.pk): p for p in candidates}
    by_cpr = {p.cpr: p for p in candidates}
    types = TypeIndex(MeasurementType.objects.all())

    groups: dict[tuple[int, str, str], list[tuple[int, ItemInput]]] = defaultdict(list)
    patients: dict[int, Patient] = {}
    for index, data in parsed:
        patient = _resolve_patient(data, in_scope, by_cpr)
        if patient is None:
            errors.append(
                BundleEntryError(index, f"Bundle.entry[{index}].resource.subject: unknown patient.")
            )
            continue
        patients[patient.pk] = patient
        source = _source_of(entries[index].get("resource", {}))
        item = ItemInput(
            code=type_for_codes(data.codes, types),
            value=data.value,
            unit=data.unit,
            measured_at=data.measured_at,
            client_uuid=data.client_uuid,
        )
        groups[(patient.pk, source, data.device_id)].append((index, item))

    readings_by_group: dict[tuple[int, str, str], list[Reading]] = {}
    for key, indexed in groups.items():
        readings, item_errors = check_items([item for _, item in indexed], types, now=now)
        for item_error in item_errors:
            errors.append(
                BundleEntryError(
                    indexed[item_error.index][0],
                    f"Bundle.entry[{indexed[item_error.index][0]}].resource: {item_error.message}",
                )
            )
        readings_by_group[key] = readings
    if errors:
        raise BundleRejected(sorted(errors, key=lambda e: e.index))

    def store() -> dict[int, bool]:
        created: dict[int, bool] = {}
        with transaction.atomic():
            for (patient_id, source, device_id), readings in readings_by_group.items():
                seen = set(
                    Measurement.objects.filter(
                        source=source, client_uuid__in=[r.client_uuid for r in readings]
                    ).values_list("client_uuid", flat=True)
                )
                measurements_record(
                    patient=patients[patient_id],
                    readings=readings,
                    source=source,
                    device_id=device_id,
                )
                for index, item in groups[(patient_id, source, device_id)]:
                    created[index] = item.client_uuid not in seen
        return created

    try:
        created = store()
    except IntegrityError:
        created = store()

    stored: dict[Any, int] = {}
    for (patient_id, source, _device), indexed in groups.items():
        stored.update(
            {
                k: v[0]
                for k, v in _stored(
                    patients[patient_id], source, [item.client_uuid for _, item in indexed]
                ).items()
            }
        )
    response_entries = []
    for index, data in parsed:
        pk = stored.get(data.client_uuid)
        response_entries.append(
            {
                "response": {
                    "status": "201 Created" if created.get(index) else "200 OK",
                    "location": f"Observation/{pk}" if pk else "",
                }
            }
        )
    return response_entries, sorted(patients)


def _source_of(resource: dict[str, Any]) -> str:
    """Keep the source a sending Telemed tagged; anything else is device data."""
    for tag in (resource.get("meta") or {}).get("tag") or []:
        if (
            isinstance(tag, dict)
            and tag.get("system", "").endswith("/measurement-source")
            and tag.get("code") in Source.values
        ):
            return tag["code"]
    return Source.DEVICE


# Outbox -------------------------------------------------------------------------------------------

OUTBOX_BATCH = 100
MAX_ATTEMPTS = 12
CLAIM_TIMEOUT = timedelta(minutes=10)
SEND_TIMEOUT = 30


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def outbox_enqueue(
    *,
    patient_id: int,
    measurement_ids: Sequence[int],
    submission_id: int | None,
    result_ids: Sequence[int],
) -> list[int]:
    """Outbox rows for new data, per active destination that wants it (call inside the storing
    transaction). Returns the destination ids that got rows."""
    destinations = list(FhirDestination.objects.filter(active=True))
    if not destinations:
        return []
    organisation_id = (
        Patient.objects.filter(pk=patient_id)
        .values_list("monitoring_team__organisation_id", flat=True)
        .first()
    )
    objects = [("Observation", pk) for pk in measurement_ids]
    if submission_id is not None:
        objects.append(("QuestionnaireResponse", submission_id))
    objects += [("ClinicalImpression", pk) for pk in result_ids]
    rows = []
    used = []
    for destination in destinations:
        if destination.organisation_id and destination.organisation_id != organisation_id:
            continue
        wanted = [(t, pk) for t, pk in objects if destination.wants(t)]
        rows += [
            OutboxEntry(
                destination=destination, patient_id=patient_id, resource_type=t, object_id=pk
            )
            for t, pk in wanted
        ]
        if wanted:
            used.append(destination.pk)
    OutboxEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return used


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    failed: bool = False
    error: str = ""
    retry_in: timedelta | None = None


def outbox_claim(*, destination_id: int, now: datetime, limit: int = OUTBOX_BATCH) -> list[int]:
    """Claim due rows with a conditional update, so two workers never send the same row.

    A row in 'sending' whose claim is older than CLAIM_TIMEOUT belonged to a worker that died
    (acks_late re-delivers its task, or the beat picks it up) and may be claimed again. A sent
    row is never claimed again.
    """
    due = Q(status=OutboxEntry.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxEntry.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    candidates = list(
        OutboxEntry.objects.filter(due, destination_id=destination_id)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    with transaction.atomic():
        claimed = list(
            OutboxEntry.objects.filter(due, pk__in=candidates)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        OutboxEntry.objects.filter(pk__in=claimed).update(status="sending", claimed_at=now)
    return claimed


def outbox_deliver(*, destination_id: int, now: datetime | None = None) -> DeliveryReport:
    """Send this destination's due rows as one FHIR transaction Bundle; record the outcome."""
    from django.db.models import F

    now = now or timezone.now()
    destination = FhirDestination.objects.filter(pk=destination_id, active=True).first()
    if destination is None:
        return DeliveryReport()
    claimed = outbox_claim(destination_id=destination_id, now=now)
    report = DeliveryReport(claimed=len(claimed))
    if not claimed:
        return report
    entries = list(OutboxEntry.objects.filter(pk__in=claimed).order_by("created_at", "pk"))
    try:
        bundle = selectors.outbox_bundle(entries)
        headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
        if destination.bearer_token:
            headers["Authorization"] = f"Bearer {destination.bearer_token}"
        response = requests.post(
            destination.base_url.rstrip("/") + "/",
            json=bundle,
            headers=headers,
            timeout=SEND_TIMEOUT,
        )
        if response.status_code >= 300:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:500]}")
    except (requests.RequestException, DeliveryError, ValueError) as exc:
        attempts = max(e.attempts for e in entries) + 1
        give_up = attempts >= MAX_ATTEMPTS
        OutboxEntry.objects.filter(pk__in=claimed, status="sending").update(
            status=OutboxEntry.Status.FAILED if give_up else OutboxEntry.Status.PENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + backoff(attempts),
            last_error=str(exc)[:2000],
            claimed_at=None,
        )
        logger.warning("outbox to %s failed: %s", destination, exc)
        report.failed = True
        report.error = str(exc)
        report.retry_in = None if give_up else backoff(attempts)
        destination_failing_notify(destination=destination, error=str(exc), now=now)
        return report
    report.sent = OutboxEntry.objects.filter(pk__in=claimed, status="sending").update(
        status=OutboxEntry.Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
    )
    destination_recovered(destination=destination)
    return report


@transaction.atomic
def outbox_retry_failed(*, destination_id: int, now: datetime | None = None) -> int:
    """An admin's 'try again now' for rows that gave up or wait for their next attempt."""
    return OutboxEntry.objects.filter(
        destination_id=destination_id,
        status__in=[OutboxEntry.Status.FAILED, OutboxEntry.Status.PENDING],
    ).update(status=OutboxEntry.Status.PENDING, next_attempt_at=now or timezone.now())


@transaction.atomic
def outbox_retry_entry(*, destination_id: int, entry_id: int, now: datetime | None = None) -> bool:
    """'Send again' for one row that gave up or waits for its next attempt."""
    return bool(
        OutboxEntry.objects.filter(
            pk=entry_id,
            destination_id=destination_id,
            status__in=[OutboxEntry.Status.FAILED, OutboxEntry.Status.PENDING],
        ).update(status=OutboxEntry.Status.PENDING, next_attempt_at=now or timezone.now())
    )


class DeliveryError(Exception):
    pass


# Telling the admins ------------------------------------------------------------------------------


def _failure_summary(error: str) -> str:
    """The kind of failure without the receiver's response body, which may echo patient data."""
    return error.split(":", 1)[0].strip()[:120] or "error"


def _failing_message(destination: FhirDestination, error: str, language: str) -> tuple[str, str]:
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    with translation.override(language):
        details = {
            "name": destination.name,
            "url": destination.base_url,
            "error": _failure_summary(error),
            # A destination for every patient is the operators': they watch the outbox page.
            "link": settings.TELEMED_SITE_URL.rstrip("/")
            + (
                reverse("patients:integration_destination", args=[destination.pk])
                if destination.organisation_id
                else reverse("interop:outbox")
            ),
        }
        subject = _("Telemed: deliveries to %(name)s are failing") % details
        body = (
            _(
                "Telemed could not deliver new data to the FHIR server %(name)s (%(url)s).\n\n"
                "The error: %(error)s\n\n"
                "Telemed keeps trying with growing pauses. See the failed deliveries and send "
                "them again under Integrations:\n%(link)s\n\n"
                "This is the only e-mail about it until deliveries to %(name)s work again."
            )
            % details
        )
    return subject, body + "\n"


def destination_failing_notify(
    *, destination: FhirDestination, error: str, now: datetime | None = None
) -> int:
    """Mark the destination failing; the call that marks it e-mails the organisation's admins,
    each in her own language (a destination for every patient: the operators, settings.ADMINS).
    Later failures before a success send nothing. Returns the number of e-mails sent."""
    from django.conf import settings
    from django.core.mail import mail_admins, send_mail

    from patients.models import ClinicianProfile

    now = now or timezone.now()
    flipped = FhirDestination.objects.filter(pk=destination.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    if not flipped:
        return 0
    sent = 0
    try:
        if destination.organisation_id is None:
            subject, body = _failing_message(destination, error, "en")
            mail_admins(subject, body)
            return len(settings.ADMINS)
        people = (
            ClinicianProfile.objects.filter(
                organisation_id=destination.organisation_id,
                role=ClinicianProfile.Role.ADMIN,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", "language")
        )
        for email, language in sorted(people):
            subject, body = _failing_message(destination, error, language or "da")
            send_mail(subject, body, None, [email])
            sent += 1
    except Exception:  # the mail server is down: the page still shows the failing destination
        logger.exception("could not e-mail the admins about destination %s", destination.pk)
    return sent


def destination_recovered(*, destination: FhirDestination) -> None:
    if destination.failing_since is not None:
        FhirDestination.objects.filter(pk=destination.pk).update(failing_since=None)
