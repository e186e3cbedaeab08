"""The organisation admin's pages (not Django admin): users, teams, care relationships and the
audit log. An admin sees no clinical data: patients appear with name and masked CPR only.

The relationship and audit pages name patients, so each request writes one audit event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.admin_forms import AuditQueryForm, CareForm, ClinicianForm, GrantForm, TeamForm
from patients import cpr as cpr_rules
from patients import selectors
from patients.models import CareAccess, ClinicianProfile, Patient, Team
from patients.services import (
    CareError,
    patient_access_grant,
    patient_access_withdraw,
    patient_assign_care,
)
from telemed import audit_text
from telemed.audit import audit_record
from telemed.csv_export import csv_response, csv_text
from telemed.http import AuthenticatedHttpRequest
from telemed.invitations import invitation_pending, invitation_send
from telemed.models import AuditEvent
from telemed.roles import Role, role_required

logger = logging.getLogger(__name__)

admin_only = role_required(Role.ADMIN)


def _organisation(request: AuthenticatedHttpRequest):
    return request.user.clinician.organisation


# Users ----------------------------------------------------------------------------------------


def _clinician(request: AuthenticatedHttpRequest, pk: int) -> ClinicianProfile:
    """One of the admin's own organisation's clinicians (404 for anybody else's)."""
    try:
        return ClinicianProfile.objects.select_related("user", "organisation").get(
            user_id=pk, organisation=_organisation(request)
        )
    except ClinicianProfile.DoesNotExist as exc:
        raise Http404 from exc


def _send_invitation(request: AuthenticatedHttpRequest, user: Any) -> None:
    """Send the set-up link and tell the admin; a refusing mail server is a message, not a 500
    (the account is kept and the invitation can be sent again)."""
    try:
        invitation_send(user=user, by=request.user, request=request)
    except Exception:  # whatever the mail backend raises, the admin is told
        logger.exception("Invitation e-mail to user %s failed", user.pk)
        messages.error(
            request,
            _(
                "The invitation to %(email)s could not be sent. Check the address and send "
                "the invitation again."
            )
            % {"email": user.email},
        )
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})


@require_http_methods(["GET", "POST"])
@admin_only
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's clinicians and admins, and the form that invites a new one: the
    account gets an unusable password and the clinician an e-mail with a set-up link."""
    organisation = _organisation(request)
    form = ClinicianForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=data["username"],
                password=None,  # unusable: she chooses her own through the invitation
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
            ClinicianProfile.objects.create(
                user=user,
                role=data["role"],
                organisation=organisation,
                title=data["title"],
                language=data["language"],
            )
            user.groups.add(*(team.group for team in data["teams"]))
            audit_record(
                request=request,
                action="create",
                what="Admin: user created",
                object_type="user",
                object_id=user.pk,
            )
        _send_invitation(request, user)
        return redirect("patients:user_edit", pk=user.pk)
    return render(
        request,
        "clinic/admin/users.html",
        {"clinicians": selectors.clinicians_of(organisation), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _user_page(
    request: AuthenticatedHttpRequest, profile: ClinicianProfile, form: ClinicianForm, status: int
) -> HttpResponse:
    user = profile.user
    return render(
        request,
        "clinic/admin/user_edit.html",
        {
            "form": form,
            "profile": profile,
            "is_self": user.pk == request.user.pk,
            "invitation_pending": invitation_pending(user),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@admin_only
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    profile = _clinician(request, pk)
    user = profile.user
    current_teams = Team.objects.filter(group__user=user, organisation=organisation)
    initial = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": profile.role,
        "title": profile.title,
        "language": profile.language,
        "teams": current_teams,
    }
    form = ClinicianForm(
        request.POST or None, organisation=organisation, editing=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        is_self = user.pk == request.user.pk
        added = {team.pk for team in data["teams"]} - {team.pk for team in current_teams}
        if is_self and data["role"] != ClinicianProfile.Role.ADMIN:
            form.add_error("role", _("You cannot remove your own admin access."))
        if is_self and added:
            form.add_error(
                "teams",
                _(
                    "You cannot add yourself to a team: a team sees its patients' data. "
                    "Another admin must do it."
                ),
            )
        if not form.errors:
            with transaction.atomic():
                for name in ("first_name", "last_name", "email"):
                    setattr(user, name, data[name])
                user.save()
                profile.role, profile.title = data["role"], data["title"]
                profile.language = data["language"]
                profile.save()
                own_groups = Group.objects.filter(team__organisation=organisation)
                user.groups.remove(*own_groups)
                user.groups.add(*(team.group for team in data["teams"]))
                audit_record(
                    request=request,
                    action="update",
                    what="Admin: user changed",
                    object_type="user",
                    object_id=user.pk,
                )
            messages.success(request, _("Saved."))
            return redirect("patients:users")
    return _user_page(request, profile, form, 400 if request.method == "POST" else 200)


@require_POST
@admin_only
def user_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the invitation again (a new link; she has not chosen a password yet)."""
    user = _clinician(request, pk).user
    if not invitation_pending(user):
        messages.error(
            request,
            _("%(name)s has already chosen a password or cannot log in; no invitation was sent.")
            % {"name": user.get_full_name() or user.username},
        )
    elif not user.email:
        messages.error(request, _("Enter her e-mail address first, then send the invitation."))
    else:
        _send_invitation(request, user)
    return redirect("patients:user_edit", pk=user.pk)


@require_POST
@admin_only
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Deactivate (she can no longer log in, and her sessions end at their next request:
    Django's ModelBackend no longer returns an inactive user) or reactivate an account."""
    user = _clinician(request, pk).user
    active = request.POST.get("active") == "1"
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    elif user.is_active != active:
        with transaction.atomic():
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit_record(
                request=request,
                action="update",
                what="Admin: user reactivated" if active else "Admin: user deactivated",
                object_type="user",
                object_id=user.pk,
            )
        name = user.get_full_name() or user.username
        messages.success(
            request,
            (_("%(name)s can log in again.") if active else _("%(name)s can no longer log in."))
            % {"name": name},
        )
    return redirect("patients:user_edit", pk=user.pk)


# Teams ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_only
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"].strip()
        if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
            form.add_error("name", _("There is already a team with this name."))
        else:
            with transaction.atomic():
                group = Group.objects.create(name=f"team:{organisation.sor_code}:{name}"[:150])
                team = Team.objects.create(group=group, organisation=organisation, name=name)
                audit_record(
                    request=request,
                    action="create",
                    what="Admin: team created",
                    object_type="team",
                    object_id=team.pk,
                )
            messages.success(request, _("Team %(name)s created.") % {"name": name})
            return redirect("patients:teams")
    return render(
        request,
        "clinic/admin/teams.html",
        {"teams": selectors.teams_of(organisation), "form": form},
        status=400 if request.method == "POST" else 200,
    )


# Care relationships ---------------------------------------------------------------------------


def care_error_message(error: CareError) -> str:
    """The service's refusal in the reader's language."""
    translated = {
        "self_grant": _(
            "You cannot give yourself access to a patient's data. Another admin must do it."
        ),
        "own_team": _(
            "You are a member of this team, so you cannot make it responsible for a patient. "
            "Another admin must do it."
        ),
        "no_reason": _("Say why this clinician needs access."),
        "not_a_doctor": _("The treating doctor must be a doctor."),
        "not_municipal": _("The monitoring team must belong to a municipality."),
        "treating_doctor": _("This is the treating doctor; change the treating doctor instead."),
        "not_a_clinician": _("Only clinicians can be given access to a patient."),
        "bad_permission": _("Unknown permission."),
    }
    return str(translated.get(error.code, str(error)))


@require_GET
@admin_only
def relationships(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    patients = list(selectors.patients_related_to(organisation)[:500])
    audit_record(
        request=request, action="view", what="Admin: care relationships list", object_type="patient"
    )
    return render(request, "clinic/admin/relationships.html", {"patients": patients})


def _related_patient(request: AuthenticatedHttpRequest, pk: int) -> Patient:
    try:
        return selectors.patients_related_to(_organisation(request)).get(pk=pk)
    except Patient.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class GrantRow:
    """One clinician with direct access to the patient, and the record of why."""

    user: Any
    permissions: list[str]
    is_treating_doctor: bool
    access: CareAccess | None


def _grant_rows(patient: Patient) -> list[GrantRow]:
    records = {
        access.user_id: access
        for access in CareAccess.objects.filter(
            patient=patient, ended_at__isnull=True, user__isnull=False
        ).select_related("granted_by")
    }
    rows: dict[int, GrantRow] = {}
    for grant in patient.direct_grants:  # type: ignore[attr-defined]  # prefetched to_attr
        row = rows.get(grant.user_id)
        if row is None:
            row = rows[grant.user_id] = GrantRow(
                user=grant.user,
                permissions=[],
                is_treating_doctor=grant.user_id == patient.treating_doctor_id,
                access=records.get(grant.user_id),
            )
        row.permissions.append(grant.permission.name)
    return list(rows.values())


def _relationship_page(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    *,
    care_form=None,
    grant_form=None,
    status=200,
) -> HttpResponse:
    organisation = _organisation(request)
    teams = Team.objects.filter(organisation=organisation)
    care_form = care_form or CareForm(
        teams=teams,
        doctors=selectors.doctors(),
        initial={
            "monitoring_team": patient.monitoring_team_id,
            "treating_doctor": patient.treating_doctor_id,
        },
    )
    grant_form = grant_form or GrantForm(users=_grantable(request))
    return render(
        request,
        "clinic/admin/relationship.html",
        {
            "patient": patient,
            "care_form": care_form,
            "grant_form": grant_form,
            "grants": _grant_rows(patient),
        },
        status=status,
    )


def _grantable(request: AuthenticatedHttpRequest):
    return (
        get_user_model()
        .objects.filter(clinician__role__in=["nurse", "doctor"], is_active=True)
        .exclude(pk=request.user.pk)
        .select_related("clinician__organisation")
        .order_by("last_name", "first_name")
    )


@require_GET
@admin_only
def relationship(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = _related_patient(request, pk)
    audit_record(
        request=request, action="view", what="Admin: care relationship", patient_id=patient.pk
    )
    return _relationship_page(request, patient)


@require_POST
@admin_only
def relationship_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = _related_patient(request, pk)
    teams = Team.objects.filter(organisation=_organisation(request))
    form = CareForm(request.POST, teams=teams, doctors=selectors.doctors())
    if form.is_valid():
        try:
            patient_assign_care(
                patient=patient,
                monitoring_team=form.cleaned_data["monitoring_team"],
                treating_doctor=form.cleaned_data["treating_doctor"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except CareError as error:
            field = {"own_team": "monitoring_team", "self_grant": "treating_doctor"}.get(error.code)
            form.add_error(field, care_error_message(error))
        else:
            messages.success(request, _("Care relationship saved; access follows it."))
            return redirect("patients:relationship", pk=patient.pk)
    audit_record(
        request=request, action="view", what="Admin: care relationship", patient_id=patient.pk
    )
    return _relationship_page(request, patient, care_form=form, status=400)


@require_POST
@admin_only
def relationship_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = _related_patient(request, pk)
    form = GrantForm(request.POST, users=_grantable(request))
    if form.is_valid():
        codenames = ["view_patient_data"] + (
            ["monitor_patient"] if form.cleaned_data["monitor"] else []
        )
        try:
            patient_access_grant(
                patient=patient,
                user=form.cleaned_data["user"],
                codenames=codenames,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except CareError as error:
            form.add_error(
                "reason" if error.code == "no_reason" else "user", care_error_message(error)
            )
        else:
            messages.success(request, _("Access granted."))
            return redirect("patients:relationship", pk=patient.pk)
    audit_record(
        request=request, action="view", what="Admin: care relationship", patient_id=patient.pk
    )
    return _relationship_page(request, patient, grant_form=form, status=400)


@require_POST
@admin_only
def relationship_withdraw(request: AuthenticatedHttpRequest, pk: int, user_pk: int) -> HttpResponse:
    patient = _related_patient(request, pk)
    user = get_user_model().objects.filter(pk=user_pk).first()
    if user is None:
        raise Http404
    try:
        patient_access_withdraw(patient=patient, user=user, by=request.user)
    except CareError as error:
        messages.error(request, care_error_message(error))
    else:
        messages.success(request, _("Access withdrawn."))
    return redirect("patients:relationship", pk=patient.pk)


# Audit log ------------------------------------------------------------------------------------

AUDIT_PER_PAGE = 50
# The CSV export holds at most this many events; the page says so when a search has more.
AUDIT_CSV_MAX = 50_000
AUDIT_FILTERS = ("cpr", "username", "action", "date_from", "date_to")


@dataclass
class AuditQuery:
    """A valid audit-log search: the events it selects, and what it was about."""

    events: QuerySet[AuditEvent]
    patient: Patient | None
    subject: Any
    query: str  # the filters as a query string (pages, the CSV link)


def _audit_query(request: AuthenticatedHttpRequest, form: AuditQueryForm) -> AuditQuery | None:
    """The search the form describes, or None (with errors on the form) when it cannot run."""
    organisation = _organisation(request)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    patient, subject = None, None
    cpr = cpr_rules.normalize(data["cpr"])
    username = data["username"].strip()
    if cpr:
        patient = selectors.patients_related_to(organisation).filter(cpr=cpr).first()
        if patient is None:
            form.add_error(
                "cpr", _("No patient with this CPR number is related to your organisation.")
            )
    if username:
        subject = (
            get_user_model()
            .objects.filter(username__iexact=username, clinician__organisation=organisation)
            .first()
        ) or get_user_model().objects.filter(
            username__iexact=username, patient__in=selectors.patients_related_to(organisation)
        ).first()
        if subject is None:
            form.add_error("username", _("No user with this username in your organisation."))
    if form.errors:
        return None
    zone = timezone.get_default_timezone()
    start = end = None
    if data["date_from"]:
        start = datetime.combine(data["date_from"], time.min, tzinfo=zone)
    if data["date_to"]:
        end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
    events = selectors.audit_events(
        organisation=organisation,
        patient=patient,
        user=subject,
        action=data["action"],
        start=start,
        end=end,
    )
    query = urlencode({name: request.GET[name] for name in AUDIT_FILTERS if request.GET.get(name)})
    return AuditQuery(events=events, patient=patient, subject=subject, query=query)


def _audit_path(request: AuthenticatedHttpRequest) -> str:
    """The request's path for the audit event, without the searched CPR number."""
    kept = {k: v for k, v in request.GET.items() if k != "cpr" and v}
    return request.path + (f"?{urlencode(kept)}" if kept else "")


@require_GET
@admin_only
def audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log of the organisation's patients and users, filtered by patient (CPR), user,
    action and dates (Copenhagen days), newest first, a page at a time. Each search is itself
    recorded."""
    searched = any(request.GET.get(name) for name in AUDIT_FILTERS)
    form = AuditQueryForm(request.GET if searched else None)
    result = _audit_query(request, form) if searched else None
    page, events = None, None
    if result is not None:
        page = Paginator(result.events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
        # Read before this search is recorded, so the page and its count agree.
        events = list(page.object_list)
    audit_record(
        request=request,
        action="view",
        what="Admin: audit log query",
        patient_id=result.patient.pk if result and result.patient else None,
        object_type="user" if result and result.subject else "",
        object_id=result.subject.pk if result and result.subject else "",
        path=_audit_path(request),
    )
    return render(
        request,
        "clinic/admin/audit.html",
        {
            "form": form,
            "page": page,
            "events": events,
            "patient": result.patient if result else None,
            "subject": result.subject if result else None,
            "page_query": result.query if result else "",
            "csv_max": AUDIT_CSV_MAX,
        },
        status=400 if form.errors else 200,
    )


def _audit_csv_write(writer: Any, events: QuerySet[AuditEvent]) -> None:
    writer.writerow(
        [
            _("When"),
            _("Who"),
            _("Role"),
            _("Organisation"),
            _("Action"),
            _("What"),
            _("Patient"),
            _("From"),
        ]
    )
    actions = dict(AuditEvent.Action.choices)
    # Bounded, and read in chunks: a year of a large municipality's log stays a few megabytes.
    for event in events[:AUDIT_CSV_MAX].iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(event.occurred_at).strftime("%d.%m.%Y %H:%M:%S"),
                csv_text(event.user_display),
                csv_text(audit_text.role_label(event.role)),
                csv_text(event.organisation),
                str(actions.get(event.action, event.action)),
                csv_text(audit_text.describe(event.what)),
                event.patient.masked_cpr if event.patient else "",
                event.ip_address or "",
            ]
        )


@require_GET
@admin_only
def audit_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered audit log as CSV (at most AUDIT_CSV_MAX events, newest first);
    the download is itself recorded as an export."""
    form = AuditQueryForm(request.GET)
    result = _audit_query(request, form)
    if result is None:
        messages.error(request, _("Correct the search before downloading it."))
        return redirect(f"{reverse('patients:audit')}?{urlencode(request.GET)}")
    audit_record(
        request=request,
        action="export",
        what="Admin: audit log exported as CSV",
        patient_id=result.patient.pk if result.patient else None,
        object_type="user" if result.subject else "",
        object_id=result.subject.pk if result.subject else "",
        path=_audit_path(request),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response, writer = csv_response(f"audit-log-{stamp}.csv")
    _audit_csv_write(writer, result.events)
    return response
