"""drf-spectacular: describe the bearer token in the OpenAPI schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.extensions import OpenApiAuthenticationExtension

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema


class CredentialAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "interop.authentication.CredentialAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A device token issued by a nurse on the patient's Devices page "
            "(or `manage.py issue_device_token`).",
        }
