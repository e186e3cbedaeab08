from django.contrib import admin
from django.http import HttpRequest

from interop.models import ApiCredential, FhirDestination, OutboxEntry


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "prefix",
        "scopes",
        "patient",
        "organisation",
        "created_at",
        "revoked_at",
    ]
    list_filter = ["kind"]
    list_select_related = ["patient", "organisation"]
    # Tokens are issued on the Devices page or with manage.py issue_device_token (the admin
    # cannot show a token: only its hash is stored).
    readonly_fields = [
        "prefix",
        "token_hash",
        "created_at",
        "created_by",
        "rotated_at",
        "last_used_at",
    ]
    raw_id_fields = ["patient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FhirDestination)
class FhirDestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "base_url", "organisation", "active", "failing_since"]
    readonly_fields = ["failing_since"]


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = ["destination", "resource_type", "object_id", "status", "attempts", "sent_at"]
    list_filter = ["status", "destination", "resource_type"]
    list_select_related = ["destination"]
    readonly_fields = [f.name for f in OutboxEntry._meta.fields]
