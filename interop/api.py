"""The device API: a home collection point uploads measurements with its bearer token.

One APIView per operation with nested Input/Output serializers (STYLE.md, point 7). The
OpenAPI schema (drf-spectacular) is generated from these serializers, and schemathesis checks in
the test suite that the API answers as the schema says.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interop import selectors, services
from interop.authentication import (
    CanSubmitMeasurements,
    CredentialAuthentication,
    CredentialRateThrottle,
    IsDeviceCredential,
)
from interop.models import ApiCredential
from interop.readings import ItemInput
from monitoring.models import MeasurementType
from patients.models import Patient
from telemed.audit import audit_record

MAX_BATCH = 1000


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="Position in `measurements`.")
    field = serializers.CharField()
    code = serializers.CharField(
        help_text="unknown_type, unit_mismatch, implausible, future, duplicate_in_batch, invalid"
    )
    detail = serializers.CharField()


class BatchErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # A declared field, not Serializer.errors: DRF's metaclass moves it into _declared_fields.
    errors = ItemErrorSerializer(many=True)  # type: ignore[assignment]  # see the line above


class DeviceApi(APIView):
    authentication_classes = [CredentialAuthentication]
    permission_classes = [IsDeviceCredential, CanSubmitMeasurements]
    throttle_classes = [CredentialRateThrottle]


COMMON_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No, unknown or revoked token."),
    403: OpenApiResponse(
        ErrorSerializer, description="The token may not do this (or not for this patient)."
    ),
    429: OpenApiResponse(ErrorSerializer, description="Rate limit for this token reached."),
}


class MeasurementTypeListApi(DeviceApi):
    class MeasurementTypeSerializer(serializers.ModelSerializer):
        class Meta:
            model = MeasurementType
            fields = [
                "code",
                "code_system",
                "ieee_code",
                "key",
                "unit",
                "name_en",
                "name_da",
                "decimals",
                "plausible_min",
                "plausible_max",
            ]

    @extend_schema(
        operation_id="measurement_types_list",
        summary="Measurement types a device may send",
        responses={200: MeasurementTypeSerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        types = MeasurementType.objects.order_by("sort_order", "code")
        return Response(self.MeasurementTypeSerializer(types, many=True).data)


class MeasurementBatchCreateApi(DeviceApi):
    class MeasurementBatchInputSerializer(serializers.Serializer):
        class MeasurementItemSerializer(serializers.Serializer):
            uuid = serializers.UUIDField(
                help_text="The device's own id for this reading; a retry sends the same."
            )
            type = serializers.CharField(
                max_length=40, help_text="NPU/MCS/DNK code (NPU03011), IEEE code or key (spo2)."
            )
            value = serializers.DecimalField(max_digits=12, decimal_places=3)
            unit = serializers.CharField(max_length=20, help_text="UCUM unit, e.g. % or mm[Hg].")
            measured_at = serializers.DateTimeField(help_text="With a time zone.")

        patient = serializers.RegexField(
            r"^[0-9]{10}$",
            required=False,
            help_text="CPR number; needed only when the token serves a whole organisation.",
        )
        device_id = serializers.CharField(max_length=100, help_text="Device serial or id.")
        # many=True hands min_length/max_length on to the ListSerializer; drf-stubs do not know.
        measurements = MeasurementItemSerializer(  # type: ignore[call-arg]  # see above
            many=True, min_length=1, max_length=MAX_BATCH
        )

    class MeasurementBatchResultSerializer(serializers.Serializer):
        class MeasurementItemResultSerializer(serializers.Serializer):
            index = serializers.IntegerField()
            uuid = serializers.UUIDField()
            status = serializers.ChoiceField(["stored", "conflict"])
            id = serializers.IntegerField(allow_null=True)
            severity = serializers.ChoiceField(
                ["green", "yellow", "red", "missing"], allow_null=True
            )

        created = serializers.IntegerField(help_text="Readings stored by this request.")
        duplicates = serializers.IntegerField(help_text="Readings already stored earlier.")
        measurements = MeasurementItemResultSerializer(many=True)

    @extend_schema(
        operation_id="measurements_batch_create",
        summary="Upload a batch of 1–1000 measurements",
        description=(
            "All or nothing: a batch with any bad item stores nothing and lists every bad "
            "item with its index. Idempotent on `uuid`: a retried batch stores nothing twice "
            "and answers with the same ids and severities (201 when something was stored, "
            "200 when everything was already there). Evaluated against the patient's alarm "
            "thresholds in the same transaction."
        ),
        request=MeasurementBatchInputSerializer,
        responses={
            201: MeasurementBatchResultSerializer,
            200: MeasurementBatchResultSerializer,
            400: OpenApiResponse(BatchErrorSerializer, description="Bad batch; nothing stored."),
            **COMMON_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Two readings",
                request_only=True,
                value={
                    "device_id": "nonin-3230-5012",
                    "measurements": [
                        {
                            "uuid": "0c8f6a36-7f42-4a8b-9b1a-2f3c5d6e7f80",
                            "type": "NPU03011",
                            "value": "94",
                            "unit": "%",
                            "measured_at": "2025-03-01T08:15:00+01:00",
                        },
                        {
                            "uuid": "5b0d1e2f-3a4b-4c5d-8e6f-708192a3b4c5",
                            "type": "NPU21692",
                            "value": "82",
                            "unit": "/min",
                            "measured_at": "2025-03-01T08:15:00+01:00",
                        },
                    ],
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.MeasurementBatchInputSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(
                {
                    "detail": _("The batch was not stored: fix the items listed."),
                    "errors": flatten_errors(serializer.errors),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        data = serializer.validated_data
        # CredentialAuthentication (the only authentication class here) sets the ApiCredential.
        credential = cast(ApiCredential, request.auth)
        patient = _patient_for(credential, data.get("patient"))
        if patient is None:
            return Response(
                {"detail": _("This token may not upload for this patient.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        items = [
            ItemInput(
                code=item["type"],
                value=item["value"],
                unit=item["unit"],
                measured_at=item["measured_at"],
                client_uuid=item["uuid"],
            )
            for item in data["measurements"]
        ]
        try:
            result = services.device_batch_record(
                patient=patient, items=items, device_id=data["device_id"]
            )
        except services.UploadRejected as exc:
            return Response(
                {
                    "detail": _("The batch was not stored: fix the items listed."),
                    "errors": [error.as_dict() for error in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        audit_record(
            request=request._request,
            action="create",
            what=f"Device upload of {len(items)} measurements ({credential.name})"[:200],
            patient_id=patient.pk,
            object_type="interop.ApiCredential",
            object_id=credential.pk,
        )
        body = self.MeasurementBatchResultSerializer(
            {
                "created": result.created,
                "duplicates": result.duplicates,
                "measurements": result.items,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)


def _patient_for(credential: ApiCredential, cpr: str | None) -> Patient | None:
    """The patient this upload is for, when the credential covers them (None otherwise, the
    same for a CPR number Telemed does not know)."""
    patient = credential.patient
    if patient is not None:
        if cpr and cpr != patient.cpr:
            return None
        return patient
    if not cpr:
        return None
    return selectors.credential_patients(credential).filter(cpr=cpr).first()


def flatten_errors(errors: Any) -> list[dict[str, Any]]:
    """DRF's nested serializer errors as one list of {index, field, code, detail}."""
    flat: list[dict[str, Any]] = []
    for name, problems in errors.items():
        # DRF gives a nested list's errors as {index: {field: [...]}} (or a list of dicts).
        if name == "measurements" and isinstance(problems, dict | list):
            indexed = problems.items() if isinstance(problems, dict) else enumerate(problems)
            if all(isinstance(item, dict) for _, item in indexed):
                indexed = problems.items() if isinstance(problems, dict) else enumerate(problems)
                for index, item_errors in indexed:
                    for field, messages in item_errors.items():
                        for message in messages:
                            flat.append(_error(int(index), field, message))
                continue
        if isinstance(problems, dict):  # e.g. {"non_field_errors": [...]}
            problems = [m for ms in problems.values() for m in ms]
        for message in problems:
            flat.append(_error(None, name, message))
    return flat


def _error(index: int | None, field: str, message: Any) -> dict[str, Any]:
    return {
        "index": index,
        "field": field,
        "code": getattr(message, "code", "invalid"),
        "detail": str(message),
    }
