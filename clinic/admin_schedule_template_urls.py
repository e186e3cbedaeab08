"""Routes of one area of the organisation admin console, joined into clinic.admin_urls (namespace
"patients", under /administration/): schedule templates."""

from django.urls import URLPattern, path

from clinic import admin_schedule_template_views as views

urlpatterns: list[URLPattern] = [
    path("schedules/", views.schedule_templates, name="schedule_templates"),
    path("schedules/new/", views.schedule_template_new, name="schedule_template_new"),
    path("schedules/<int:pk>/", views.schedule_template_edit, name="schedule_template_edit"),
    path(
        "schedules/<int:pk>/retire/",
        views.schedule_template_retire_view,
        name="schedule_template_retire",
    ),
]
