"""Routes of one area of the organisation admin console, joined into clinic.admin_urls (namespace
"patients", under /administration/): Integrations."""

from django.urls import URLPattern, path

from clinic import admin_integration_views as views

urlpatterns: list[URLPattern] = [
    path("integrations/", views.integrations, name="integrations"),
    path(
        "integrations/destinations/new/",
        views.destination_new,
        name="integration_destination_new",
    ),
    path(
        "integrations/destinations/<int:destination_pk>/",
        views.destination,
        name="integration_destination",
    ),
    path(
        "integrations/destinations/<int:destination_pk>/edit/",
        views.destination_edit,
        name="integration_destination_edit",
    ),
    path(
        "integrations/destinations/<int:destination_pk>/active/",
        views.destination_active,
        name="integration_destination_active",
    ),
    path(
        "integrations/destinations/<int:destination_pk>/delete/",
        views.destination_delete,
        name="integration_destination_delete",
    ),
    path(
        "integrations/destinations/<int:destination_pk>/send-again/",
        views.destination_retry,
        name="integration_destination_retry",
    ),
    path(
        "integrations/destinations/<int:destination_pk>/entries/<int:entry_pk>/send-again/",
        views.entry_retry,
        name="integration_entry_retry",
    ),
    path("integrations/clients/new/", views.client_new, name="integration_client_new"),
    path("integrations/clients/<int:credential_pk>/", views.client, name="integration_client"),
    path(
        "integrations/clients/<int:credential_pk>/rotate/",
        views.client_rotate,
        name="integration_client_rotate",
    ),
    path(
        "integrations/clients/<int:credential_pk>/revoke/",
        views.client_revoke,
        name="integration_client_revoke",
    ),
    path("integrations/devices/", views.devices, name="integration_devices"),
    path(
        "integrations/devices/<int:credential_pk>/revoke/",
        views.device_revoke,
        name="integration_device_revoke",
    ),
]
