"""The citizen's own account: change the password (/me/password/).

Django's PasswordChangeForm asks for the current password and checks the new one with
AUTH_PASSWORD_VALIDATORS. ``update_session_auth_hash`` keeps this session signed in; every
other session of the citizen (a lost phone, a shared tablet) ends, because Django checks the
password-derived session hash on each request.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from citizen.access import get_own_patient
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

NEW_PASSWORD_FIELDS = ("new_password1", "new_password2")


class CitizenPasswordChangeForm(PasswordChangeForm):
    """Django's form, with what AUTH_PASSWORD_VALIDATORS say about the new password shown at
    the new password's field, next to its hint (Django puts it on the repeat field)."""

    def clean(self) -> dict[str, Any] | None:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return super(SetPasswordForm, self).clean()


def _kept(form: CitizenPasswordChangeForm) -> dict[str, Any]:
    """The new password as typed, when only the current one was wrong: nothing else is lost."""
    if not form.is_bound or any(form.errors.get(name) for name in NEW_PASSWORD_FIELDS):
        return {}
    return {name: form.data.get(name, "") for name in NEW_PASSWORD_FIELDS}


@sensitive_post_parameters("old_password", *NEW_PASSWORD_FIELDS)
@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CitizenPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = request.user.patient
        with transaction.atomic():
            form.save()
            audit_record(
                request=request, action="update", what="Changed own password", patient_id=patient.pk
            )
        update_session_auth_hash(request, form.user)
        flash.success(request, _("Your new password is saved. Use it next time you log in."))
        return redirect("monitoring:citizen_home")
    get_own_patient(request, what="Citizen: change password")
    return render(request, "citizen/password.html", {"form": form, "kept": _kept(form)})
