"""/administration/organisation/: the organisation admin keeps her own organisation's details
(phone, a GP clinic's provider number), what happens to access when monitoring ends, and how
long a clinician may be idle before she is signed out. No patient data here.

Each organisation's own admin keeps her own organisation's details: a municipality's admin does
not fill in the GP clinics' phone numbers that its patients' contact cards show; the clinic's
admin does, here, as the owner of those details.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.admin_settings_forms import OrganisationSettingsForm
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def organisation_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = request.user.clinician.organisation
    posting = request.method == "POST"
    form = OrganisationSettingsForm(request.POST if posting else None, instance=organisation)
    if posting and form.is_valid():
        form.save()
        audit_record(
            request=request,
            action="update",
            what="Organisation settings changed",
            object_type="organisation",
            object_id=organisation.pk,
        )
        messages.success(request, _("Saved. A new session timeout applies at once."))
        return redirect("patients:organisation_settings")
    if posting:
        # The form failed: show what is stored, not what was typed, in the details card.
        organisation.refresh_from_db()
    return render(
        request,
        "clinic/admin/organisation.html",
        {"form": form, "organisation": organisation},
        status=400 if posting else 200,
    )
