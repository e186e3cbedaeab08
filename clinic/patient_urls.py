"""The patient page: /patients/<pk>/… (URL names "patient:detail" etc.)."""

from django.urls import path

from clinic import contact_views, discharge_views, ignore_views, schedule_views, search_views
from clinic import patient_views as views

app_name = "patient"

urlpatterns = [
    path("find/", search_views.patient_find, name="find"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/measurements/", views.patient_measurements, name="measurements"),
    path("<int:pk>/measurements.csv", views.patient_measurements_csv, name="measurements_csv"),
    path("<int:pk>/answers/", views.patient_answers, name="answers"),
    path("<int:pk>/results/", views.patient_results, name="results"),
    path(
        "<int:pk>/results/<int:result_pk>/acknowledge/",
        views.result_acknowledge_view,
        name="result_acknowledge",
    ),
    path(
        "<int:pk>/measurements/<int:item_pk>/ignore/",
        ignore_views.ignore_view,
        {"kind": "measurement"},
        name="measurement_ignore",
    ),
    path(
        "<int:pk>/measurements/<int:item_pk>/unignore/",
        ignore_views.ignore_undo_view,
        {"kind": "measurement"},
        name="measurement_unignore",
    ),
    path(
        "<int:pk>/results/<int:item_pk>/ignore/",
        ignore_views.ignore_view,
        {"kind": "result"},
        name="result_ignore",
    ),
    path(
        "<int:pk>/results/<int:item_pk>/unignore/",
        ignore_views.ignore_undo_view,
        {"kind": "result"},
        name="result_unignore",
    ),
    path("<int:pk>/notes/", views.patient_notes, name="notes"),
    path("<int:pk>/notes/add/", views.note_add_view, name="note_add"),
    path("<int:pk>/notes/<int:note_pk>/done/", views.note_done_view, name="note_done"),
    path("<int:pk>/thresholds/", views.patient_thresholds, name="thresholds"),
    path("<int:pk>/thresholds/change/", views.thresholds_change_view, name="thresholds_change"),
    path("<int:pk>/contact/", contact_views.patient_contact, name="contact"),
    path("<int:pk>/contact/change/", contact_views.contact_change_view, name="contact_change"),
    path("<int:pk>/schedules/", schedule_views.patient_schedules, name="schedules"),
    path(
        "<int:pk>/schedules/<int:schedule_pk>/change/",
        schedule_views.schedule_change_view,
        name="schedule_change",
    ),
    path("<int:pk>/end/", discharge_views.discharge_view, name="discharge"),
    path("<int:pk>/pause/", views.pause_view, name="pause"),
    path("<int:pk>/pause/end/", views.pause_end_view, name="pause_end"),
    path("<int:pk>/cpr/", views.patient_cpr, name="cpr"),
]
