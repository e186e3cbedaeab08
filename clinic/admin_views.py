"""The organisation admin's pages (not Django admin): users, teams, care relationships and the
audit log. An admin sees no clinical data: patients appear with name and masked CPR only.

The relationship and audit pages name patients, so each request writes one audit event.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.admin_forms import AuditQueryForm, CareForm, ClinicianForm, GrantForm, TeamForm
from patients import cpr as cpr_rules
from patients import selectors
from patients.models import ClinicianProfile, Patient, Team
from patients.services import (
    CareError,
    patient_access_grant,
    patient_access_withdraw,
    patient_assign_care,
)
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

admin_only = role_required(Role.ADMIN)


def _organisation(request: AuthenticatedHttpRequest):
    return request.user.clinician.organisation


# Users ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_only
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = ClinicianForm(request.POST or None, organisation=organisation)
    password = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = secrets.token_urlsafe(9)
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=data["username"],
                password=password,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_active=data["is_active"],
            )
            ClinicianProfile.objects.create(
                user=user,
                role=data["role"],
                organisation=organisation,
                title=data["title"],
                language=data["language"],
            )
            user.groups.add(*(team.group for team in data["teams"]))
        # The password is shown on this response only (not in a message cookie).
        return render(
            request,
            "clinic/admin/users.html",
            {
                "clinicians": selectors.clinicians_of(organisation),
                "form": ClinicianForm(organisation=organisation),
                "created": user,
                "password": password,
            },
        )
    return render(
        request,
        "clinic/admin/users.html",
        {"clinicians": selectors.clinicians_of(organisation), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@admin_only
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    try:
        profile = ClinicianProfile.objects.select_related("user").get(
            user_id=pk, organisation=organisation
        )
    except ClinicianProfile.DoesNotExist as exc:
        raise Http404 from exc
    user = profile.user
    initial = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": profile.role,
        "title": profile.title,
        "language": profile.language,
        "teams": Team.objects.filter(group__user=user, organisation=organisation),
        "is_active": user.is_active,
    }
    form = ClinicianForm(
        request.POST or None, organisation=organisation, editing=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if user == request.user and (data["role"] != "admin" or not data["is_active"]):
            form.add_error("role", _("You cannot remove your own admin access."))
        else:
            with transaction.atomic():
                for name in ("first_name", "last_name", "email", "is_active"):
                    setattr(user, name, data[name])
                user.save()
                profile.role, profile.title = data["role"], data["title"]
                profile.language = data["language"]
                profile.save()
                own_groups = Group.objects.filter(team__organisation=organisation)
                user.groups.remove(*own_groups)
                user.groups.add(*(team.group for team in data["teams"]))
            messages.success(request, _("Saved."))
            return redirect("patients:users")
    return render(
        request,
        "clinic/admin/user_edit.html",
        {"form": form, "profile": profile},
        status=400 if request.method == "POST" else 200,
    )


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
                Team.objects.create(group=group, organisation=organisation, name=name)
            messages.success(request, _("Team %(name)s created.") % {"name": name})
            return redirect("patients:teams")
    return render(
        request,
        "clinic/admin/teams.html",
        {"teams": selectors.teams_of(organisation), "form": form},
        status=400 if request.method == "POST" else 200,
    )


# Care relationships ---------------------------------------------------------------------------


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
    grant_form = grant_form or GrantForm(users=_grantable())
    return render(
        request,
        "clinic/admin/relationship.html",
        {"patient": patient, "care_form": care_form, "grant_form": grant_form},
        status=status,
    )


def _grantable():
    return (
        get_user_model()
        .objects.filter(clinician__role__in=["nurse", "doctor"], is_active=True)
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
            )
        except CareError as error:
            form.add_error(None, str(error))
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
    form = GrantForm(request.POST, users=_grantable())
    if form.is_valid():
        codenames = ["view_patient_data"] + (
            ["monitor_patient"] if form.cleaned_data["monitor"] else []
        )
        patient_access_grant(
            patient=patient, user=form.cleaned_data["user"], codenames=codenames, by=request.user
        )
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
        messages.error(request, str(error))
    else:
        messages.success(request, _("Access withdrawn."))
    return redirect("patients:relationship", pk=patient.pk)


# Audit log ------------------------------------------------------------------------------------


@require_GET
@admin_only
def audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log per patient (by CPR) or per user, for the organisation's patients and
    users."""
    organisation = _organisation(request)
    form = AuditQueryForm(request.GET or None)
    events, patient, subject = None, None, None
    if form.is_valid() and (form.cleaned_data["cpr"] or form.cleaned_data["username"]):
        cpr = cpr_rules.normalize(form.cleaned_data["cpr"])
        username = form.cleaned_data["username"].strip()
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
        if not form.errors:
            events = list(
                selectors.audit_events(organisation=organisation, patient=patient, user=subject)
            )
    audit_record(
        request=request,
        action="view",
        what="Admin: audit log query",
        patient_id=patient.pk if patient else None,
        object_type="user" if subject else "",
        object_id=subject.pk if subject else "",
    )
    return render(
        request,
        "clinic/admin/audit.html",
        {"form": form, "events": events, "patient": patient, "subject": subject},
        status=400 if form.errors else 200,
    )
