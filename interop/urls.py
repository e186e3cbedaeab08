from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from interop import api, fhir_api, views

app_name = "interop"

urlpatterns = [
    path("patients/<int:pk>/devices/", views.devices, name="devices"),
    path("patients/<int:pk>/devices/issue/", views.device_issue, name="device_issue"),
    path(
        "patients/<int:pk>/devices/<int:credential_pk>/revoke/",
        views.device_revoke,
        name="device_revoke",
    ),
    path("administration/outbox/", views.outbox, name="outbox"),
    path(
        "administration/outbox/<int:destination_pk>/retry/",
        views.outbox_retry,
        name="outbox_retry",
    ),
    # Device API
    path("api/v1/measurements/", api.MeasurementBatchCreateApi.as_view(), name="api_measurements"),
    path(
        "api/v1/measurement-types/",
        api.MeasurementTypeListApi.as_view(),
        name="api_measurement_types",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="interop:api_schema"),
        name="api_docs",
    ),
    # FHIR R4
    path("fhir/", fhir_api.TransactionApi.as_view(), name="fhir_transaction"),
    path("fhir/metadata", fhir_api.MetadataApi.as_view(), name="fhir_metadata"),
    path("fhir/Patient", fhir_api.PatientSearchApi.as_view(), name="fhir_patient_search"),
    path("fhir/Patient/<int:pk>", fhir_api.PatientReadApi.as_view(), name="fhir_patient"),
    path("fhir/Observation", fhir_api.ObservationSearchApi.as_view(), name="fhir_observations"),
    path(
        "fhir/QuestionnaireResponse",
        fhir_api.QuestionnaireResponseSearchApi.as_view(),
        name="fhir_questionnaire_responses",
    ),
]
