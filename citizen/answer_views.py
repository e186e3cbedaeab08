"""The citizen's pages that write: answering a questionnaire (evaluated on arrival) and messages.

Every screen is a plain form that works without JavaScript; the draft is kept in the session
(alarms/citizen_flow.py), so a reload or a lost connection loses nothing already answered.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alarms.models import TriageResult
from alarms.services import ReadingError, submission_record
from citizen import flow
from citizen.access import get_own_patient
from monitoring import answers, services
from monitoring.models import Message, Schedule, Source, Submission
from patients.models import Patient
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


def _schedule(patient: Patient, schedule_id: int) -> Schedule:
    """The schedule being answered: the version in force, or one replaced while the citizen
    was answering (never one stopped when monitoring ended)."""
    return get_object_or_404(
        Schedule.objects.select_related("questionnaire").filter(
            Q(valid_until__isnull=True) | Q(replaced_by__isnull=False)
        ),
        pk=schedule_id,
        patient=patient,
        active=True,
    )


def _step_url(schedule_id: int, link_id: str) -> str:
    return reverse("citizen:answer_step", args=[schedule_id, link_id])


@require_GET
@role_required(Role.CITIZEN)
def answer_start(request: AuthenticatedHttpRequest, schedule_id: int) -> HttpResponse:
    """Go to the first unanswered question (so "Answer now" also means "continue")."""
    patient = get_own_patient(request, what="Citizen: start answering a questionnaire")
    schedule = _schedule(patient, schedule_id)
    items = flow.load_items(schedule)
    draft = flow.draft_get(request.session, schedule.pk)
    flow.draft_save(request.session, schedule.pk, draft)
    for item in flow.steps(items, draft["values"]):
        if not flow.is_answered(item, draft["values"].get(item.link_id)):
            return redirect(_step_url(schedule.pk, item.link_id))
    return redirect("citizen:answer_summary", schedule.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def answer_step(request: AuthenticatedHttpRequest, schedule_id: int, link_id: str) -> HttpResponse:
    """One question. POST saves it in the draft and moves on (or back)."""
    patient = get_own_patient(
        request,
        what="Citizen: answer a question",
        action="update" if request.method == "POST" else "view",
    )
    schedule = _schedule(patient, schedule_id)
    items = flow.load_items(schedule)
    draft = flow.draft_get(request.session, schedule.pk)
    values = draft["values"]
    current = flow.steps(items, values)
    item = next((i for i in current if i.link_id == link_id), None)
    if item is None:
        # A question that is no longer asked (its condition changed) or an unknown link.
        return redirect("citizen:answer_start", schedule.pk)

    errors: dict[str, str] = {}
    recheck: dict[str, str] = {}
    shown = values.get(item.link_id, {})
    if request.method == "POST":
        going_back = request.POST.get("action") == "back"
        result = flow.read_step(item, request.POST, patient_id=patient.pk, validate=not going_back)
        shown = result.value
        if going_back or result.ok:
            values[item.link_id] = result.value
            flow.draft_save(request.session, schedule.pk, draft)
            # The step list can change with this answer (a conditional question).
            current = flow.steps(items, values)
            index = next(n for n, i in enumerate(current) if i.link_id == item.link_id)
            if going_back:
                if index == 0:
                    return redirect("monitoring:citizen_home")
                return redirect(_step_url(schedule.pk, current[index - 1].link_id))
            if request.POST.get("to_summary") or index + 1 == len(current):
                return redirect("citizen:answer_summary", schedule.pk)
            return redirect(_step_url(schedule.pk, current[index + 1].link_id))
        errors, recheck = result.errors, result.recheck
        # Keep what was typed even when it is refused, so a reload shows it again.
        values[item.link_id] = result.value
        flow.draft_save(request.session, schedule.pk, draft)

    index = next(n for n, i in enumerate(current) if i.link_id == item.link_id)
    fields = []
    for measurement_type in item.measurement_types.all():
        key = measurement_type.key
        fields.append(
            {
                "type": measurement_type,
                "name": f"m_{key}",
                "value": (shown.get("m") or {}).get(key, ""),
                "error": errors.get(key, ""),
                "recheck": recheck.get(key, ""),
                "limits": flow.limits_of(measurement_type),
                "decimal": measurement_type.decimals > 0 or key == "spo2",
            }
        )
    context = {
        "patient": patient,
        "schedule": schedule,
        "item": item,
        "number": index + 1,
        "total": len(current),
        "progress": round(100 * index / len(current)),
        "shown": shown,
        "errors": errors,
        "error_list": list(errors.values()),
        "fields": fields,
        "from_summary": request.GET.get("from") == "summary" or request.POST.get("to_summary"),
    }
    return render(request, "citizen/answer_step.html", context, status=200)


@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def answer_summary(request: AuthenticatedHttpRequest, schedule_id: int) -> HttpResponse:
    """Everything answered, to check before sending. POST sends it (evaluated on arrival)."""
    sending = request.method == "POST"
    patient = get_own_patient(
        request,
        what="Citizen: send questionnaire" if sending else "Citizen: check answers before sending",
        action="create" if sending else "view",
    )
    schedule = _schedule(patient, schedule_id)
    items = flow.load_items(schedule)
    draft = flow.draft_get(request.session, schedule.pk)
    values = draft["values"]
    rows = flow.summary_rows(items, values)
    missing = [row for row in rows if not row["answered"]]

    if sending:
        if missing:
            flash.error(request, _("Please answer this question before sending."))
            return redirect(_step_url(schedule.pk, missing[0]["item"].link_id))
        try:
            answer_inputs, readings = flow.build_submission(items, values)
            now = timezone.now()
            submission = submission_record(
                patient=patient,
                questionnaire=schedule.questionnaire,
                answers=answer_inputs,
                readings=readings,
                submitted_at=now,
                source=Source.TYPED,
                submitted_by=request.user,
                schedule=schedule,
                due_at=flow.occasion_for(schedule, now),
                client_uuid=flow.uuid.UUID(draft["uuid"]),
            )
        except (answers.AnswerError, ReadingError):
            # A draft edited behind our back, or limits changed meanwhile: show where.
            flash.error(request, _("One of the answers could not be read. Please check it."))
            return redirect("citizen:answer_start", schedule.pk)
        flow.draft_clear(request.session, schedule.pk)
        return redirect("citizen:answer_sent", submission.pk)

    return render(
        request,
        "citizen/answer_summary.html",
        {
            "patient": patient,
            "schedule": schedule,
            "rows": rows,
            "missing": missing,
            "total": len(rows),
        },
    )


@require_GET
@role_required(Role.CITIZEN)
def answer_sent(request: AuthenticatedHttpRequest, submission_id: int) -> HttpResponse:
    patient = get_own_patient(request, what="Citizen: questionnaire sent")
    submission = get_object_or_404(
        Submission.objects.select_related("questionnaire"), pk=submission_id, patient=patient
    )
    return render(
        request, "citizen/answer_sent.html", {"patient": patient, "submission": submission}
    )


# Messages -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def citizen_messages(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's thread with the monitoring team. Opening it marks the team's messages read."""
    sending = request.method == "POST"
    patient = get_own_patient(
        request,
        what="Citizen: send message" if sending else "Citizen: read messages",
        action="create" if sending else "view",
    )
    body = ""
    error = ""
    if sending:
        body = request.POST.get("body", "")
        try:
            services.message_send(patient=patient, sender=request.user, body=body)
        except services.MessageError as exc:
            error = exc.message
        else:
            flash.success(request, _("Your message has been sent to your nurses."))
            return HttpResponseRedirect(reverse("citizen:messages") + "#latest")
    else:
        services.messages_mark_read(patient=patient, reader_is_citizen=True)
    thread = list(Message.objects.filter(patient=patient).order_by("created_at", "pk"))
    return render(
        request,
        "citizen/messages.html",
        {
            "patient": patient,
            "thread": thread,
            "body": body,
            "error": error,
            "max_length": services.MESSAGE_MAX,
        },
    )


@require_POST
@role_required(Role.CITIZEN)
def answer_discard(request: AuthenticatedHttpRequest, schedule_id: int) -> HttpResponse:
    """Throw the draft away and start again."""
    patient = get_own_patient(request, what="Citizen: discard draft answers", action="delete")
    schedule = _schedule(patient, schedule_id)
    flow.draft_clear(request.session, schedule.pk)
    return redirect("monitoring:citizen_home")


# Receipts -------------------------------------------------------------------------------------


@require_GET
@role_required(Role.CITIZEN)
def citizen_receipts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Receipts the nurses chose to send: "Your nurse has seen your answers of Tuesday"."""
    patient = get_own_patient(request, what="Citizen: receipts from the nurses")
    receipts = list(
        TriageResult.objects.filter(
            patient=patient, receipt_to_citizen=True, acknowledged_at__isnull=False
        )
        .select_related("acknowledged_by", "submission__questionnaire", "measurement__type")
        .order_by("-acknowledged_at")[:100]
    )
    return render(request, "citizen/receipts.html", {"patient": patient, "receipts": receipts})
