"""Login hardening: lockout after repeated failures, a forced password change after a
first-login password, and login / failed-login audit events (written from Django's auth
signals, so every way of logging in is covered).

Lockout: ``LOCKOUT_ATTEMPTS`` failed logins in a row lock the account for ``LOCKOUT_MINUTES``;
while locked even the right password is refused, with a message that says what to do. A
successful login resets the count.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from telemed.audit import audit_record
from telemed.models import LoginSecurity

LOCKOUT_ATTEMPTS = 5
LOCKOUT_MINUTES = 15
SESSION_MUST_CHANGE = "must_change_password"
# Letters and digits that cannot be mistaken for each other on a printed sheet (no 0/O, 1/l/I).
SHEET_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _user_by_username(username: str) -> User | None:
    if not username:
        return None
    user_model = get_user_model()
    return user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()


def _patient_id(user: User) -> int | None:
    patient = getattr(user, "patient", None)
    return patient.pk if patient is not None else None


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many wrong passwords. For your safety the login is locked for %(minutes)s "
            "minutes. Try again later, or call your nurse if you have forgotten your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        user = _user_by_username(self.cleaned_data.get("username") or "")
        if user is not None:
            security = LoginSecurity.objects.filter(user=user).first()
            if security is not None and security.is_locked():
                audit_record(
                    request=self.request,
                    user=None,
                    action="login_failed",
                    what=f"Login refused: account {user.get_username()} is locked",
                    patient_id=_patient_id(user),
                )
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": LOCKOUT_MINUTES},
                )
        return super().clean()


class TelemedLoginView(LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True


def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """auth signal user_login_failed: count the failure, lock when too many, audit it."""
    user = _user_by_username(str(credentials.get("username") or ""))
    if user is None:
        # The typed name is not stored: people type their password in the wrong field.
        audit_record(request=request, user=None, action="login_failed", what="Failed login")
        return
    now = timezone.now()
    with transaction.atomic():
        security, _created = LoginSecurity.objects.select_for_update().get_or_create(user=user)
        if security.is_locked(now):
            return  # already audited by the form
        LoginSecurity.objects.filter(pk=security.pk).update(
            failed_attempts=F("failed_attempts") + 1, last_failed_at=now
        )
        security.refresh_from_db()
        locked = security.failed_attempts >= LOCKOUT_ATTEMPTS
        if locked:
            LoginSecurity.objects.filter(pk=security.pk).update(
                locked_until=now + timedelta(minutes=LOCKOUT_MINUTES), failed_attempts=0
            )
    audit_record(
        request=request,
        user=None,
        action="login_failed",
        what=(
            f"Failed login for {user.get_username()}; locked for {LOCKOUT_MINUTES} minutes"
            if locked
            else f"Failed login for {user.get_username()}"
        ),
        patient_id=_patient_id(user),
    )


def logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """auth signal user_logged_in: reset the failure count, flag a forced change, audit it."""
    security = LoginSecurity.objects.filter(user=user).first()
    if security is not None:
        if security.failed_attempts or security.locked_until:
            LoginSecurity.objects.filter(pk=security.pk).update(
                failed_attempts=0, locked_until=None
            )
        if security.must_change_password and request is not None:
            request.session[SESSION_MUST_CHANGE] = True
    audit_record(request=request, user=user, action="login", what="Logged in")


class PasswordChangeRequiredMiddleware:
    """After a first-login password, every page leads to "choose your own password" first."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_MUST_CHANGE):
            allowed = (
                reverse("password_first_change"),
                reverse("logout"),
                "/static/",
                "/i18n/",
            )
            if not request.path.startswith(allowed):
                return redirect("password_first_change")
        return self.get_response(request)


@require_http_methods(["GET", "POST"])
def password_first_change(request: HttpRequest) -> HttpResponse:
    """Choose your own password (shown after logging in with a first-login password)."""
    if not request.user.is_authenticated:
        return redirect("login")
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            LoginSecurity.objects.filter(user=request.user).update(must_change_password=False)
            audit_record(
                request=request,
                action="update",
                what="Changed own password after first login",
                patient_id=_patient_id(request.user),
            )
        update_session_auth_hash(request, request.user)
        request.session.pop(SESSION_MUST_CHANGE, None)
        flash.success(request, _("Your new password is saved. Use it next time you log in."))
        return redirect("home")
    return render(request, "registration/password_first_change.html", {"form": form})


def sheet_password() -> str:
    """A first-login password that is easy to read and type: three groups of four."""
    groups = ("".join(secrets.choice(SHEET_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


@transaction.atomic
def first_login_password_issue(*, user: User, issued_by: User, now: datetime | None = None) -> str:
    """Give ``user`` a new first-login password (returned once, for the printed sheet), unlock
    the account and require a new password at the next login."""
    password = sheet_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginSecurity.objects.update_or_create(
        user=user,
        defaults={
            "must_change_password": True,
            "failed_attempts": 0,
            "locked_until": None,
            "password_set_by": issued_by,
            "password_set_at": now or timezone.now(),
        },
    )
    return password
