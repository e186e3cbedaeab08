"""drf-spectacular: describe the bearer token in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CredentialAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "interop.authentication.CredentialAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A device token issued by a nurse on the patient's Devices page "
            "(or `manage.py issue_device_token`).",
        }
