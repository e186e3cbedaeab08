from django.urls import path

from clinic import discharge_views, doctor_views, escalation_views, handover_views
from clinic import triage_views as views

app_name = "alarms"

urlpatterns = [
    path("nurse/", views.nurse_home, name="nurse_home"),
    path("nurse/patients/<int:pk>/row/", views.triage_row, name="triage_row"),
    path("nurse/acknowledge-green/", views.list_acknowledge_green, name="list_acknowledge_green"),
    path(
        "nurse/results/<int:pk>/acknowledge/",
        views.result_acknowledge,
        name="result_acknowledge",
    ),
    path(
        "nurse/results/<int:pk>/undo/",
        views.result_acknowledge_undo,
        name="result_acknowledge_undo",
    ),
    path(
        "nurse/patients/<int:pk>/acknowledge-green/",
        views.patient_acknowledge_green,
        name="patient_acknowledge_green",
    ),
    path("nurse/patients/<int:pk>/claim/", views.patient_claim, name="patient_claim"),
    path(
        "nurse/patients/<int:pk>/release/",
        views.patient_claim_release,
        name="patient_claim_release",
    ),
    path("nurse/handover/", handover_views.handover_page, name="handover"),
    path("nurse/escalations/", escalation_views.escalation_list, name="escalations"),
    path("nurse/ended/", discharge_views.ended_list, name="ended"),
    path("doctor/", doctor_views.doctor_home, name="doctor_home"),
]
