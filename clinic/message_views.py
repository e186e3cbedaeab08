"""Clinician pages for the citizen side: the message thread with a patient, the inbox of
unread citizen messages, and the printable first-login sheet.

Every page goes through patients.access (care relationship, 404 for outsiders, one audit event).
Only the patient's monitoring team writes to the citizen; the treating doctor may read.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from monitoring import services
from monitoring.models import Message
from patients.access import get_patient_for_user, patients_monitored_by
from patients.models import Patient
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


def _is_on_team(request: AuthenticatedHttpRequest, patient: Patient) -> bool:
    return patients_monitored_by(request.user).filter(pk=patient.pk).exists()


@require_http_methods(["GET", "POST"])
@role_required(Role.NURSE, Role.DOCTOR)
def patient_messages(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The thread with one patient. A team nurse opening it marks the citizen's messages read."""
    sending = request.method == "POST"
    patient = get_patient_for_user(
        request,
        pk,
        what="Message to citizen" if sending else "Messages with citizen",
        action="create" if sending else "view",
    )
    on_team = _is_on_team(request, patient)
    body = ""
    error = ""
    if sending:
        if not on_team:
            raise Http404  # only the monitoring team writes to the citizen
        body = request.POST.get("body", "")
        try:
            services.message_send(patient=patient, sender=request.user, body=body)
        except services.MessageError as exc:
            error = exc.message
        else:
            flash.success(request, _("Message sent to %(name)s.") % {"name": patient.full_name})
            return HttpResponseRedirect(
                reverse("patient_messages:thread", args=[patient.pk]) + "#latest"
            )
    unread_before = 0
    if not sending and on_team:
        unread_before = services.messages_mark_read(
            patient=patient, reader_is_citizen=False, reader=request.user
        )
    thread = list(Message.objects.filter(patient=patient).order_by("created_at", "pk"))
    return render(
        request,
        "clinic/patient_messages.html",
        {
            "patient": patient,
            "thread": thread,
            "on_team": on_team,
            "body": body,
            "error": error,
            "unread_before": unread_before,
            "max_length": services.MESSAGE_MAX,
        },
    )


@require_GET
@role_required(Role.NURSE)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Patients of my teams with messages, unread citizen messages first (one query)."""
    unread = Q(messages__sender_is_citizen=True, messages__read_by_team_at__isnull=True)
    patients = list(
        patients_monitored_by(request.user)
        .filter(messages__isnull=False)
        .annotate(
            unread_count=Count("messages", filter=unread),
            last_message_at=Max("messages__created_at"),
        )
        .order_by("-unread_count", "-last_message_at", "pk")[:200]
    )
    audit_record(request=request, action="view", what="Message inbox: patients of my teams")
    return render(request, "clinic/message_inbox.html", {"patients": patients})


@require_http_methods(["GET", "POST"])
@role_required(Role.NURSE)
def first_login_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give the citizen a new first-login password and print the sheet to hand over."""
    issuing = request.method == "POST"
    patient = get_patient_for_user(
        request,
        pk,
        what="First-login password issued" if issuing else "First-login sheet",
        action="update" if issuing else "view",
    )
    if not _is_on_team(request, patient):
        raise Http404
    if not issuing:
        return render(request, "clinic/first_login.html", {"patient": patient})
    user, password = services.citizen_login_issue(patient=patient, issued_by=request.user)
    login_url = request.build_absolute_uri(reverse("login"))
    response = render(
        request,
        "clinic/first_login_sheet.html",
        {
            "patient": patient,
            "username": user.get_username(),
            "password": password,
            "login_url": login_url,
        },
    )
    # The password is on this page only: never keep it in a cache.
    response["Cache-Control"] = "no-store"
    return response
