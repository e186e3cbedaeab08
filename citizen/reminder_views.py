"""/me/reminders/: the citizen chooses how she is reminded of a due questionnaire (e-mail,
text message, or only on her page = opted out of both). Audited like every citizen page."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citizen.access import get_own_patient
from citizen.reminders import ReminderChannelForm
from notifications import services
from notifications.channels import channel_for
from notifications.models import Channel
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def citizen_reminders(request: AuthenticatedHttpRequest) -> HttpResponse:
    saving = request.method == "POST"
    patient = get_own_patient(
        request,
        what="Citizen: reminder channel changed" if saving else "Citizen: reminder settings",
        action="update" if saving else "view",
    )
    form = ReminderChannelForm(
        request.POST if saving else None,
        patient=patient,
        initial={"channel": services.channel_of(patient)},
    )
    if saving and form.is_valid():
        services.preference_set(patient=patient, channel=form.cleaned_data["channel"])
        flash.success(request, _("Saved. You will be reminded the way you chose."))
        return redirect("citizen:reminders")
    return render(
        request,
        "citizen/reminders.html",
        {
            "patient": patient,
            "form": form,
            "email": channel_for(Channel.EMAIL).address_of(patient),
            "phone": channel_for(Channel.SMS).address_of(patient),
        },
        status=400 if saving else 200,
    )
