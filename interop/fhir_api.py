"""The FHIR R4 API for external systems (a region's EPJ, another Telemed, a collection point).

Bearer tokens issued to a named system (ApiCredential kind "system"), scoped to one patient or
one organisation's patients; reads need the ``fhir:read`` scope, the transaction needs
``measurements:submit`` (403 OperationOutcome otherwise). Every read of patient data writes one
AuditEvent with the patient, like the web pages; a patient outside the token's scope reads
exactly like one that does not exist (404 for a read, an empty searchset for a search).

    GET  /fhir/metadata
    GET  /fhir/Patient/{id}            GET /fhir/Patient?identifier=urn:oid:1.2.208.176.1.2|{cpr}
    GET  /fhir/Observation?patient={id}&code=[system|]code&date=ge2025-01-01&_count=100
    GET  /fhir/QuestionnaireResponse?patient={id}
    POST /fhir/                        a transaction Bundle of Observations
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, renderers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interop import selectors, services
from interop.authentication import (
    CredentialAuthentication,
    CredentialRateThrottle,
    HasScopeForMethod,
    IsSystemCredential,
)
from interop.fhir import systems
from interop.fhir.patient import patient_to_fhir
from interop.models import ApiCredential
from interop.readings import TypeIndex
from monitoring.models import MeasurementType
from patients.models import Patient
from telemed.audit import audit_record

FHIR_JSON = "application/fhir+json"
DEFAULT_COUNT = 100
MAX_COUNT = 1000


class FhirJsonRenderer(renderers.JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FhirJsonParser(parsers.JSONParser):
    media_type = FHIR_JSON


def outcome(severity: str, code: str, diagnostics: str, expression: str = "") -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


class FhirError(Exception):
    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


@extend_schema(exclude=True)
class FhirApi(APIView):
    """Answers in application/fhir+json; every error is an OperationOutcome."""

    authentication_classes = [CredentialAuthentication]
    permission_classes = [IsSystemCredential, HasScopeForMethod]
    throttle_classes = [CredentialRateThrottle]
    renderer_classes = [FhirJsonRenderer, renderers.JSONRenderer]
    parser_classes = [FhirJsonParser, parsers.JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, FhirError):
            return Response(outcome("error", exc.code, exc.message), status=exc.status_code)
        response = super().handle_exception(exc)
        codes = {401: "login", 403: "forbidden", 404: "not-found", 429: "throttled"}
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = outcome(
            "error", codes.get(response.status_code, "invalid"), str(detail or exc)
        )
        return response

    @property
    def credential(self) -> ApiCredential:
        # CredentialAuthentication sets request.auth to the ApiCredential (IsSystemCredential
        # lets nothing else through).
        return cast(ApiCredential, self.request.auth)

    def audit(self, request: Request, what: str, patient: Patient) -> None:
        audit_record(
            request=request._request,
            action="view",
            what=f"FHIR {what} by {self.credential.name}"[:200],
            patient_id=patient.pk,
            object_type="interop.ApiCredential",
            object_id=self.credential.pk,
        )

    def patient_param(self, request: Request) -> Patient | None:
        raw = request.query_params.get("patient") or request.query_params.get("subject") or ""
        raw = raw.removeprefix("Patient/")
        if not raw:
            raise FhirError(400, "required", "The search needs patient={id}.")
        if not raw.isdigit():
            return None
        return selectors.credential_patients(self.credential).filter(pk=int(raw)).first()


def searchset(
    request: HttpRequest, resources: list[dict[str, Any]], total: int, offset: int, count: int
) -> dict[str, Any]:
    base = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.GET.items() if k not in ("_offset",)}
    links = [{"relation": "self", "url": f"{base}?{urlencode(request.GET, doseq=True)}"}]
    if offset + count < total:
        links.append(
            {
                "relation": "next",
                "url": f"{base}?{urlencode({**params, '_offset': offset + count})}",
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": request.build_absolute_uri(
                    f"/fhir/{resource['resourceType']}/{resource['id']}"
                ),
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }


def paging(request: Request) -> tuple[int, int]:
    try:
        count = int(request.query_params.get("_count", DEFAULT_COUNT))
        offset = int(request.query_params.get("_offset", 0))
    except ValueError as exc:
        raise FhirError(400, "invalid", "_count and _offset must be whole numbers.") from exc
    if count < 0 or offset < 0:
        raise FhirError(400, "invalid", "_count and _offset cannot be negative.")
    return offset, min(count, MAX_COUNT)


def _date_bound(raw: str) -> tuple[str, datetime, datetime]:
    """A FHIR date parameter: (prefix, start, end) of the moment or day it names."""
    prefix = raw[:2] if raw[:2] in {"eq", "ge", "gt", "le", "lt"} else "eq"
    value = raw[2:] if raw[:2] == prefix else raw
    day = parse_date(value) if len(value) == 10 else None
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, time.min))
        return prefix, start, start + timedelta(days=1)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FhirError(400, "invalid", f"date={raw}: not a FHIR date or dateTime.") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return prefix, moment, moment


class MetadataApi(FhirApi):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        def search(name: str, kind: str) -> dict[str, str]:
            return {"name": name, "type": kind}

        return Response(
            {
                "resourceType": "CapabilityStatement",
                "status": "active",
                "date": "2025-01-01",
                "kind": "instance",
                "fhirVersion": "4.0.1",
                "format": ["application/fhir+json", "json"],
                "rest": [
                    {
                        "mode": "server",
                        "security": {
                            "description": "Bearer token issued to a named system "
                            "(manage.py issue_device_token --kind system)."
                        },
                        "interaction": [{"code": "transaction"}],
                        "resource": [
                            {
                                "type": "Patient",
                                "interaction": [{"code": "read"}, {"code": "search-type"}],
                                "searchParam": [search("identifier", "token")],
                            },
                            {
                                "type": "Observation",
                                "interaction": [{"code": "search-type"}, {"code": "create"}],
                                "conditionalCreate": True,
                                "searchParam": [
                                    search("patient", "reference"),
                                    search("code", "token"),
                                    search("date", "date"),
                                ],
                            },
                            {
                                "type": "QuestionnaireResponse",
                                "interaction": [{"code": "search-type"}],
                                "searchParam": [search("patient", "reference")],
                            },
                        ],
                    }
                ],
            }
        )


class PatientReadApi(FhirApi):
    def get(self, request: Request, pk: int) -> Response:
        patient = selectors.credential_patients(self.credential).filter(pk=pk).first()
        if patient is None:
            raise FhirError(404, "not-found", f"Patient/{pk} is not known.")
        self.audit(request, "Patient read", patient)
        return Response(patient_to_fhir(patient))


class PatientSearchApi(FhirApi):
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("identifier", "")
        system, _, value = raw.rpartition("|")
        if not value or (system and system != systems.CPR):
            raise FhirError(400, "required", f"Search by identifier={systems.CPR}|{{CPR number}}.")
        patient = selectors.credential_patients(self.credential).filter(cpr=value).first()
        resources = []
        if patient is not None:
            self.audit(request, "Patient search", patient)
            resources = [patient_to_fhir(patient)]
        return Response(searchset(request._request, resources, len(resources), 0, len(resources)))


class ObservationSearchApi(FhirApi):
    def get(self, request: Request) -> Response:
        offset, count = paging(request)
        type_ids = self._type_ids(request)
        bounds: dict[str, Any] = {}
        for raw in request.query_params.getlist("date"):
            prefix, start, end = _date_bound(raw)
            if prefix in ("ge", "eq"):
                bounds["since"] = start
            if prefix == "gt":
                bounds.update(since=end, strictly_after=True)
            if prefix in ("lt", "eq"):
                bounds.update(until=end if prefix == "eq" else start, strictly_before=True)
            if prefix == "le":
                bounds["until"] = end
        patient = self.patient_param(request)
        if patient is None or type_ids == []:
            return Response(searchset(request._request, [], 0, offset, count))
        resources, total = selectors.observations(
            patient=patient, type_ids=type_ids, offset=offset, count=count, **bounds
        )
        self.audit(request, "Observation search", patient)
        return Response(searchset(request._request, resources, total, offset, count))

    @staticmethod
    def _type_ids(request: Request) -> list[int] | None:
        raw = request.query_params.get("code")
        if not raw:
            return None
        types = TypeIndex(MeasurementType.objects.all())
        ids = []
        for token in raw.split(","):
            system, _, code = token.rpartition("|")
            found = types.find(code)
            if found is None:
                continue
            if system and system not in (
                systems.CODE_SYSTEMS.get(found.code_system),
                systems.IEEE,
            ):
                continue
            ids.append(found.pk)
        return ids


class QuestionnaireResponseSearchApi(FhirApi):
    def get(self, request: Request) -> Response:
        offset, count = paging(request)
        patient = self.patient_param(request)
        if patient is None:
            return Response(searchset(request._request, [], 0, offset, count))
        resources, total = selectors.questionnaire_responses(
            patient=patient, offset=offset, count=count
        )
        self.audit(request, "QuestionnaireResponse search", patient)
        return Response(searchset(request._request, resources, total, offset, count))


class TransactionApi(FhirApi):
    def post(self, request: Request) -> Response:
        try:
            entries, patient_ids = services.fhir_transaction_record(
                credential=self.credential, bundle=request.data
            )
        except services.BundleRejected as exc:
            return Response(
                {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {
                            "severity": "error",
                            "code": "processing" if error.index >= 0 else "invalid",
                            "diagnostics": error.message,
                            **(
                                {"expression": [f"Bundle.entry[{error.index}]"]}
                                if error.index >= 0
                                else {}
                            ),
                        }
                        for error in exc.errors
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        for patient_id in patient_ids:
            audit_record(
                request=request._request,
                action="create",
                what=f"FHIR transaction by {self.credential.name}"[:200],
                patient_id=patient_id,
                object_type="interop.ApiCredential",
                object_id=self.credential.pk,
            )
        return Response(
            {"resourceType": "Bundle", "type": "transaction-response", "entry": entries},
            status=status.HTTP_200_OK,
        )
