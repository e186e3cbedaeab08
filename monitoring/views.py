"""The citizen's pages (mobile-first web view)."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from monitoring import schedules
from monitoring.models import Schedule, Submission
from telemed.audit import audit_record
from telemed.roles import Role, role_required

DONE_TODAY = "done"
DUE_TODAY = "due"
NOT_DUE_TODAY = "not_due"
STATUS_LABELS = {
    DONE_TODAY: _("Done today"),
    DUE_TODAY: _("Due today"),
    NOT_DUE_TODAY: _("Not due today"),
}


def _is_due_on(schedule: Schedule, day: date) -> bool:
    """Whether the schedule has an occasion on this local calendar day."""
    try:
        rule = schedule.rule()
    except ValueError:
        # An incomplete rule (e.g. weekdays without times) never asks the citizen for anything.
        return False
    return bool(schedules.occasions_on(rule, day, timezone.now()))


@require_GET
@role_required(Role.CITIZEN)
def citizen_home(request: HttpRequest) -> HttpResponse:
    patient = request.user.patient
    today = timezone.localdate()
    last_answered = (
        Submission.objects.filter(
            patient=patient, questionnaire__code=OuterRef("questionnaire__code")
        )
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    schedules = list(
        Schedule.objects.filter(patient=patient, active=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("questionnaire")
        .annotate(last_answered_at=Subquery(last_answered))
        .order_by("questionnaire__code", "pk")
    )
    for schedule in schedules:
        answered_today = (
            schedule.last_answered_at is not None
            and timezone.localdate(schedule.last_answered_at) == today
        )
        if answered_today:
            schedule.status = DONE_TODAY
        elif _is_due_on(schedule, today):
            schedule.status = DUE_TODAY
        else:
            schedule.status = NOT_DUE_TODAY
        schedule.status_label = STATUS_LABELS[schedule.status]
    audit_record(
        request=request,
        action="view",
        what="Citizen home: own questionnaires",
        patient_id=patient.pk,
    )
    return render(
        request,
        "monitoring/citizen_home.html",
        {"patient": patient, "schedules": schedules, "today": today},
    )
