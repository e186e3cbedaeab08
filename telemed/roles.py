"""Who the signed-in user is in Telemed: nurse, doctor, organisation admin, citizen or superuser.

One place decides the role, so the home redirect, the navigation and the role-gated views agree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    DOCTOR = "doctor", _("Doctor")
    ADMIN = "admin", _("Organisation admin")
    CITIZEN = "citizen", _("Citizen")
    SUPERUSER = "superuser", _("System administrator")


def user_role(user: Any) -> Role | None:
    """The user's role, or None for anonymous users and accounts without one."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return Role(user.clinician.role)
    except ObjectDoesNotExist:
        pass
    try:
        user.patient  # noqa: B018 - the reverse one-to-one raises when there is none
        return Role.CITIZEN
    except ObjectDoesNotExist:
        pass
    if user.is_superuser:
        return Role.SUPERUSER
    return None


_ROLE_CACHE_ATTR = "_telemed_role"


def request_role(request: HttpRequest) -> Role | None:
    """``user_role`` for the request's user, worked out once per request."""
    # Cached on the request under an attribute of our own (HttpRequest does not declare it).
    if not hasattr(request, _ROLE_CACHE_ATTR):
        setattr(request, _ROLE_CACHE_ATTR, user_role(request.user))
    role: Role | None = getattr(request, _ROLE_CACHE_ATTR)
    return role


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous users go to the login page; signed-in users with another role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request_role(request) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
