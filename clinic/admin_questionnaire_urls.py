"""Routes of one area of the organisation admin console, joined into clinic.admin_urls (namespace
"patients", under /administration/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
