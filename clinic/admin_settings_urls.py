"""Routes of one area of the organisation admin console, joined into clinic.admin_urls (namespace
"patients", under /administration/)."""

from django.urls import URLPattern, path

from clinic import admin_settings_views as views

urlpatterns: list[URLPattern] = [
    path("organisation/", views.organisation_settings, name="organisation_settings"),
]
