"""Bearer-token authentication for the device API and the FHIR API, and per-credential
rate limits.

A missing, unknown or revoked token is 401 with ``WWW-Authenticate: Bearer``; a valid token of
the wrong kind, or a system token without the scope the request needs (``fhir:read`` to read,
``measurements:submit`` to write), is 403. Neither depends on which patient is asked for, so
neither tells a caller whether a patient exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request

from interop import selectors, services
from interop.models import ApiCredential


class CredentialAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``; ``request.auth`` is the ApiCredential."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiCredential] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            token = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Malformed token.") from exc
        credential = selectors.credential_for_token(services.token_hash(token))
        if credential is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        # At most one write a minute per credential for "last used".
        if credential.last_used_at is None or (now - credential.last_used_at).total_seconds() > 60:
            ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        return AnonymousUser(), credential

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="telemed"'


class _HasCredential(permissions.BasePermission):
    kind: str = ""
    message = "This token may not be used here."

    def has_permission(self, request: Request, view: Any) -> bool:
        credential = request.auth
        if not isinstance(credential, ApiCredential):
            # No token: DRF answers 401 because the authenticator sets WWW-Authenticate.
            raise exceptions.NotAuthenticated("A bearer token is required.")
        return credential.kind == self.kind


class IsDeviceCredential(_HasCredential):
    kind = ApiCredential.Kind.DEVICE


class IsSystemCredential(_HasCredential):
    kind = ApiCredential.Kind.SYSTEM


class HasScopeForMethod(permissions.BasePermission):
    """FHIR reads (GET, HEAD) need ``fhir:read``; writes (POST) need ``measurements:submit``."""

    read_scope: str | None = ApiCredential.Scope.FHIR_READ
    message = "This token may not be used here."

    def has_permission(self, request: Request, view: Any) -> bool:
        credential = request.auth
        if not isinstance(credential, ApiCredential):
            raise exceptions.NotAuthenticated("A bearer token is required.")
        if request.method in permissions.SAFE_METHODS:
            scope = self.read_scope
        else:
            scope = ApiCredential.Scope.MEASUREMENTS_SUBMIT
        if scope is None or credential.has_scope(scope):
            return True
        # DRF reads the message off the instance when it denies.
        self.message = f"This token lacks the scope {scope}."
        return False


class CanSubmitMeasurements(HasScopeForMethod):
    """The device API: the measurement type catalogue is open to any device token; uploads
    need ``measurements:submit`` (which every device token has)."""

    read_scope = None


class CredentialRateThrottle(throttling.SimpleRateThrottle):
    """Requests per credential (not per IP: a collection point may sit behind a shared NAT)."""

    scope = "credential"

    def get_rate(self) -> str:
        # Read per request so tests and deployments can change it (INTEROP_API_RATE).
        return getattr(settings, "INTEROP_API_RATE", "120/min")

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        credential = request.auth
        if not isinstance(credential, ApiCredential):
            return None
        return self.cache_format % {"scope": self.scope, "ident": credential.pk}
