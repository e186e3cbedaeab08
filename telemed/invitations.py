"""Inviting a clinician: a one-time set-up link instead of a password anybody else has seen.

The admin creates the account with an unusable password; ``invitation_send`` e-mails the
clinician (in her own e-mail language) a link with a token from Django's
PasswordResetTokenGenerator, under its own key salt so a password-reset token is never an
invitation. The token is a hash of the account's password hash, last login, e-mail and whether
it may log in, so it stops working once she has chosen her password (the hash changes), once she
has logged in, or when the account is deactivated; and it expires after INVITATION_DAYS.
Sending it again makes a new link; the earlier one keeps working until one of them is used.

Choosing the password goes through Django's SetPasswordForm (AUTH_PASSWORD_VALIDATORS), then
``password_set_done`` signs her in and sends her to her start page: the one place where MFA
enrolment hooks in once the security issue lands.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from telemed.audit import audit_record

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_days() -> int:
    """How long an invitation link works (INVITATION_DAYS, 7 by default)."""
    return int(getattr(settings, "INVITATION_DAYS", 7))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token with its own salt, its own lifetime and the account's active flag
    in the hash (a deactivated clinician's link stops working)."""

    key_salt = "telemed.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's check_token with INVITATION_DAYS instead of PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= invitation_days() * 24 * 3600


invitation_tokens = InvitationTokenGenerator()


class InvitationPasswordForm(SetPasswordForm):
    """Django's form, with what AUTH_PASSWORD_VALIDATORS say shown at the new password's
    field, next to its hint (Django puts it on the repeat field)."""

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return super(SetPasswordForm, self).clean() or {}


def invitation_path(user: User) -> str:
    return reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


def invitation_pending(user: User) -> bool:
    """The clinician has not chosen a password yet (so an invitation can be sent again)."""
    return user.is_active and not user.has_usable_password()


def _language_of(user: User) -> str:
    profile = getattr(user, "clinician", None)
    language = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else "da"


def invitation_message(user: User, *, invited_by: User) -> tuple[str, str]:
    """Subject and body in the clinician's e-mail language."""
    url = settings.TELEMED_SITE_URL.rstrip("/") + invitation_path(user)
    profile = getattr(user, "clinician", None)
    with translation.override(_language_of(user)):
        subject = _("Your Telemed account is ready")
        body = _(
            "Hello %(name)s\n\n"
            "%(admin)s has created a Telemed account for you at %(organisation)s.\n"
            "Your username is: %(username)s\n\n"
            "Open this link to choose your password (it works once, for %(days)s days):\n"
            "%(url)s\n\n"
            "If the link has expired or been used, ask your administrator to send the "
            "invitation again.\n"
        ) % {
            "name": user.get_full_name() or user.get_username(),
            "admin": invited_by.get_full_name() or invited_by.get_username(),
            "organisation": getattr(profile, "organisation", "") or "Telemed",
            "username": user.get_username(),
            "days": invitation_days(),
            "url": url,
        }
    return subject, body


def invitation_send(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """E-mail ``user`` a set-up link and record it in the audit log. Raises what the mail
    backend raises (the caller tells the admin and offers to send again)."""
    subject, body = invitation_message(user, invited_by=by)
    send_mail(subject, body, None, [user.email])
    audit_record(
        request=request,
        user=by,
        action="update",
        what="Admin: invitation sent",
        object_type="user",
        object_id=user.pk,
    )


def _invited_user(uidb64: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return get_user_model()._default_manager.get(pk=pk)
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None


def password_set_done(request: HttpRequest, user: User) -> HttpResponse:
    """After a clinician has chosen her first password: sign her in and send her to her start
    page. The one place MFA enrolment will hook in (redirect to enrolment instead)."""
    auth_login(request, user, backend=MODEL_BACKEND)
    flash.success(request, _("Your password is saved. Welcome to Telemed."))
    return redirect("home")


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page the invitation links to: choose a password, or a calm explanation when the link
    no longer works (used, expired, or the account was deactivated)."""
    user = _invited_user(uidb64)
    if (
        user is None
        or not invitation_pending(user)
        or not invitation_tokens.check_token(user, token)
    ):
        return render(request, "registration/invitation_invalid.html", status=400)
    form = InvitationPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit_record(
                request=request,
                user=user,
                action="update",
                what="Chose own password from the invitation",
            )
        return password_set_done(request, user)
    return render(
        request,
        "registration/invitation.html",
        {"form": form, "invited": user},
        status=400 if request.method == "POST" else 200,
    )
