"""/administration/reminders/: the organisation admin sets when her organisation's citizens are
reminded of a due questionnaire (notifications.ReminderPolicy). No patient data here."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.admin_forms import ReminderPolicyForm
from notifications.models import ReminderPolicy
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def reminder_policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = request.user.clinician.organisation
    # Without a row the defaults apply; the unsaved instance shows them.
    policy = ReminderPolicy.objects.filter(organisation=organisation).first() or ReminderPolicy(
        organisation=organisation
    )
    form = ReminderPolicyForm(request.POST if request.method == "POST" else None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(
            request=request,
            action="update",
            what="Reminders: policy changed",
            object_type="organisation",
            object_id=organisation.pk,
        )
        messages.success(request, _("Saved. New reminders follow the new times."))
        return redirect("patients:reminder_policy")
    return render(
        request,
        "clinic/admin/reminders.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
