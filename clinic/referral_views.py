"""Referral pages: the doctor refers (thresholds prefilled from the municipality's template for
the COPD group), the municipality's nurses accept or reject, the doctor sees the outcome.
Organisation admins keep the threshold templates here too.

Referral pages show patient data (CPR, name, thresholds), so each request writes one audit event.
"""

from __future__ import annotations

from datetime import time
from decimal import InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alarms.models import ThresholdSet
from alarms.referrals import ReferralError, referral_accept, referral_create, referral_reject
from alarms.threshold_templates import (
    LimitRow,
    ThresholdError,
    rows_of,
    template_current,
    template_save,
    template_versions,
    templates_current,
    with_rows,
)
from clinic.forms import model_choice
from clinic.rule_forms import parse_decimal, rule_editor, show_decimal
from monitoring.models import MeasurementType, Questionnaire, ScheduleTemplate
from monitoring.schedule_templates import templates_suggested
from monitoring.schedules import describe_times
from patients import cpr as cpr_rules
from patients.models import CopdGroup, Organisation, Referral, Team
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, request_role, role_required

LIMIT_FIELDS = ("red_low", "yellow_low", "yellow_high", "red_high")
WEEKDAYS = [
    (1, gettext_lazy("Mon")),
    (2, gettext_lazy("Tue")),
    (3, gettext_lazy("Wed")),
    (4, gettext_lazy("Thu")),
    (5, gettext_lazy("Fri")),
    (6, gettext_lazy("Sat")),
    (7, gettext_lazy("Sun")),
]


def _audit(request: AuthenticatedHttpRequest, referral: Referral, action: str, what: str) -> None:
    """One audit event about a referral (and its patient, once there is one)."""
    audit_record(
        request=request,
        action=action,
        what=what,
        patient_id=referral.patient_id,
        object_type="referral",
        object_id=referral.pk,
    )


# Threshold rows in forms -----------------------------------------------------------------------


_decimal = parse_decimal
_show = show_decimal


def threshold_rows(
    types: list[MeasurementType], limits: list[LimitRow], data: Any = None
) -> tuple[list[dict[str, Any]], list[LimitRow], list[str]]:
    """Form rows (one per type) from posted ``data`` or from ``limits``; also the parsed rows and
    the problems with what was typed (kept as typed, so nothing entered is lost)."""
    by_type = {row.type.pk: row for row in limits}
    rows, parsed, problems = [], [], []
    for mtype in types:
        cells, values = [], {}
        for name in LIMIT_FIELDS:
            field = f"t-{mtype.key}-{name}"
            if data is not None:
                raw = data.get(field, "")
                try:
                    values[name] = _decimal(raw)
                    error = False
                except (InvalidOperation, ValueError):
                    values[name], error = None, True
                    problems.append(
                        _("%(name)s: “%(raw)s” is not a number.") % {"name": mtype.name, "raw": raw}
                    )
            else:
                values[name] = getattr(by_type.get(mtype.pk), name, None)
                raw, error = _show(values[name]), False
            cells.append({"name": field, "value": raw, "error": error, "field": name})
        row = LimitRow(mtype, **values)
        parsed.append(row)
        rows.append({"type": mtype, "cells": cells})
    return rows, [r for r in parsed if not r.empty], problems


def _types() -> list[MeasurementType]:
    return list(MeasurementType.objects.order_by("sort_order", "code"))


# Doctor: create -------------------------------------------------------------------------------


class ReferralForm(forms.Form):
    cpr = forms.CharField(label=gettext_lazy("CPR number"), max_length=11)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    receiving_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY),
    )
    copd_group = forms.ChoiceField(
        label=gettext_lazy("COPD group"), choices=[("", "---------"), *CopdGroup.choices]
    )
    diagnosis_code = forms.CharField(
        label=gettext_lazy("Diagnosis (SKS)"), max_length=10, initial="DJ449"
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the municipality"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean_cpr(self) -> str:
        try:
            return cpr_rules.validate(self.cleaned_data["cpr"])
        except cpr_rules.InvalidCpr as exc:
            from alarms.referrals import cpr_message

            raise forms.ValidationError(cpr_message(exc.code)) from exc


def _template_for(organisation_id: Any, copd_group: Any) -> ThresholdSet | None:
    """The receiving municipality's current template for the group, to prefill the limits."""
    if not str(organisation_id or "").isdigit() or copd_group not in CopdGroup.values:
        return None
    organisation = Organisation.objects.filter(
        pk=int(organisation_id), kind=Organisation.Kind.MUNICIPALITY
    ).first()
    if organisation is None:
        return None
    return template_current(organisation=organisation, copd_group=copd_group)


@require_http_methods(["GET", "POST"])
@role_required(Role.DOCTOR)
def referral_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    types = _types()
    source = request.POST if request.method == "POST" else request.GET
    template = _template_for(source.get("receiving_organisation"), source.get("copd_group"))
    template_limits, template_rules = rows_of(template)
    sending = request.method == "POST" and "send" in request.POST
    # Typed limits are kept unless the doctor asks for the template again.
    keep_typed = sending or (request.method == "POST" and "keep" in request.POST)
    rows, limits, problems = threshold_rows(
        types, template_limits, request.POST if keep_typed else None
    )
    editor, rules, rule_problems = rule_editor(
        types, template_rules, request.POST if keep_typed else None
    )
    problems += rule_problems
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        initial=source.dict() if request.method == "GET" else None,
    )

    if request.htmx and request.method == "GET":
        return render(
            request,
            "clinic/referrals/new.html#thresholds",
            {"rows": rows, "template": template, "editor": editor},
        )
    if sending and form.is_valid() and not problems:
        data = form.cleaned_data
        try:
            referral = referral_create(
                doctor=request.user,
                cpr=data["cpr"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                copd_group=data["copd_group"],
                receiving_organisation=data["receiving_organisation"],
                limits=limits,
                rules=rules,
                diagnosis_code=data["diagnosis_code"],
                note=data["note"],
            )
        except ReferralError as error:
            problems += error.problems
        else:
            _audit(request, referral, "create", "Referral sent")
            messages.success(
                request,
                _("The referral of %(name)s has been sent to %(org)s.")
                % {
                    "name": f"{referral.first_name} {referral.last_name}",
                    "org": referral.receiving_organisation,
                },
            )
            return redirect("referrals:detail", pk=referral.pk)
    status = 400 if sending else 200
    return render(
        request,
        "clinic/referrals/new.html",
        {
            "form": form,
            "rows": rows,
            "template": template,
            "editor": editor,
            "problems": problems if sending else [],
        },
        status=status,
    )


# Lists and detail ------------------------------------------------------------------------------


def _referrals_for(request: AuthenticatedHttpRequest):
    """The doctor's own referrals, or the municipality's inbox for its nurses."""
    role = request_role(request)
    qs = Referral.objects.select_related(
        "referring_doctor", "referring_organisation", "receiving_organisation", "decided_by"
    )
    if role == Role.DOCTOR:
        return qs.filter(referring_doctor=request.user)
    if role == Role.NURSE:
        return qs.filter(receiving_organisation=request.user.clinician.organisation)
    return qs.none()


@require_GET
@role_required(Role.DOCTOR, Role.NURSE)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "sent" if request_role(request) == Role.NURSE else "")
    referrals = _referrals_for(request)
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    else:
        status = "all"
    referrals = list(referrals[:200])
    audit_record(request=request, action="view", what="Referrals list", object_type="referral")
    return render(
        request,
        "clinic/referrals/list.html",
        {
            "referrals": referrals,
            "status": status,
            "statuses": Referral.Status.choices,
            "is_inbox": request_role(request) == Role.NURSE,
        },
    )


def _get_referral(request: AuthenticatedHttpRequest, pk: int) -> Referral:
    try:
        return _referrals_for(request).select_related("threshold_set").get(pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404 from exc


class ScheduleTemplateChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ScheduleTemplate) -> str:
        days = " ".join(str(label) for day, label in WEEKDAYS if day in obj.weekdays)
        return f"{obj.name} ({days} {describe_times(tuple(obj.times))})"


class AcceptForm(forms.Form):
    team = forms.ModelChoiceField(
        label=gettext_lazy("Monitoring team"), queryset=Team.objects.none()
    )
    schedule_templates = ScheduleTemplateChoice(
        label=gettext_lazy("Schedule templates"),
        queryset=ScheduleTemplate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Each makes a schedule with its days, times and grace window, for the questionnaire's "
            "published version."
        ),
    )
    questionnaires = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Questionnaires"),
        queryset=Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("On these days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[1, 2, 3, 4, 5, 6, 7],
        required=False,
    )
    at = forms.TimeField(
        label=gettext_lazy("At"),
        initial=time(9, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    create_login = forms.BooleanField(
        label=gettext_lazy("Create the citizen's login"), required=False, initial=True
    )
    username = forms.CharField(
        label=gettext_lazy("Username for the citizen"), max_length=150, required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "team").queryset = Team.objects.filter(organisation=organisation)
        templates = ScheduleTemplate.objects.filter(organisation=organisation, active=True)
        model_choice(self, "schedule_templates").queryset = templates.order_by("name", "pk")
        if not templates.exists():
            del self.fields["schedule_templates"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the doctor sees it)"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _detail(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    *,
    accept_form=None,
    reject_form=None,
    problems=(),
    status=200,
) -> HttpResponse:
    limits, rules = rows_of(with_rows(ThresholdSet.objects.filter(referral=referral)).first())
    can_decide = request_role(request) == Role.NURSE and referral.status == Referral.Status.SENT
    if can_decide:
        organisation = request.user.clinician.organisation
        suggested = f"{referral.first_name}.{referral.last_name}".lower().replace(" ", "")
        templates = list(
            ScheduleTemplate.objects.filter(organisation=organisation, active=True).order_by(
                "name", "pk"
            )
        )
        preselected = templates_suggested(templates, referral.copd_group)
        accept_form = accept_form or AcceptForm(
            organisation=organisation,
            initial={
                "username": suggested,
                "schedule_templates": preselected,
                # By hand only when no template is suggested (one questionnaire, one schedule).
                "questionnaires": []
                if preselected
                else Questionnaire.objects.filter(
                    status=Questionnaire.Status.PUBLISHED, code="kol"
                ),
            },
        )
        reject_form = reject_form or RejectForm()
    return render(
        request,
        "clinic/referrals/detail.html",
        {
            "referral": referral,
            "limits": limits,
            "rules": rules,
            "can_decide": can_decide,
            "accept_form": accept_form,
            "reject_form": reject_form,
            "problems": problems,
        },
        status=status,
    )


def _kol_published():
    return Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED, code="kol")


@require_GET
@role_required(Role.DOCTOR, Role.NURSE)
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _get_referral(request, pk)
    _audit(request, referral, "view", "Referral")
    return _detail(request, referral)


@require_POST
@role_required(Role.NURSE)
def referral_accept_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _get_referral(request, pk)
    form = AcceptForm(request.POST, organisation=request.user.clinician.organisation)
    problems: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            acceptance = referral_accept(
                referral=referral,
                by=request.user,
                team=data["team"],
                questionnaires=list(data["questionnaires"]),
                weekdays=data["weekdays"] or [],
                at=data["at"],
                schedule_templates=list(data.get("schedule_templates") or []),
                create_login=data["create_login"],
                username=data["username"],
            )
        except ReferralError as error:
            problems = error.problems
        else:
            referral.refresh_from_db()
            audit_record(
                request=request,
                action="create",
                what="Referral accepted",
                patient_id=acceptance.patient.pk,
                object_type="referral",
                object_id=referral.pk,
            )
            messages.success(
                request,
                _("Accepted. %(name)s is now monitored by %(team)s.")
                % {"name": acceptance.patient.full_name, "team": data["team"].name},
            )
            return render(
                request,
                "clinic/referrals/accepted.html",
                {"referral": referral, "acceptance": acceptance},
            )
    _audit(request, referral, "view", "Referral (accept refused)")
    return _detail(request, referral, accept_form=form, problems=problems, status=400)


@require_POST
@role_required(Role.NURSE)
def referral_reject_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _get_referral(request, pk)
    form = RejectForm(request.POST)
    problems: list[str] = []
    if form.is_valid():
        try:
            referral_reject(referral=referral, by=request.user, reason=form.cleaned_data["reason"])
        except ReferralError as error:
            problems = error.problems
        else:
            _audit(request, referral, "update", "Referral rejected")
            messages.success(
                request, _("The referral was rejected; the doctor can see your reason.")
            )
            return redirect(reverse("referrals:list"))
    _audit(request, referral, "view", "Referral (reject refused)")
    return _detail(request, referral, reject_form=form, problems=problems, status=400)


# Organisation admin: threshold templates ------------------------------------------------------


@require_GET
@role_required(Role.ADMIN)
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = request.user.clinician.organisation
    current = templates_current(organisation=organisation)
    groups = []
    for value, label in CopdGroup.choices:
        template = current.get(value)
        limits, rules = rows_of(template)
        groups.append(
            {"value": value, "label": label, "template": template, "limits": limits, "rules": rules}
        )
    return render(request, "clinic/referrals/templates.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def template_edit(request: AuthenticatedHttpRequest, copd_group: str) -> HttpResponse:
    if copd_group not in CopdGroup.values:
        raise Http404
    organisation = request.user.clinician.organisation
    current = template_current(organisation=organisation, copd_group=copd_group)
    limits, rules = rows_of(current)
    posted = request.POST if request.method == "POST" else None
    types = _types()
    rows, parsed, problems = threshold_rows(types, limits, posted)
    editor, parsed_rules, rule_problems = rule_editor(types, rules, posted)
    problems += rule_problems
    reason = posted.get("reason", "") if posted is not None else ""
    if posted is not None and not problems:
        try:
            template = template_save(
                organisation=organisation,
                copd_group=copd_group,
                limits=parsed,
                rules=parsed_rules,
                by=request.user,
                reason=reason,
            )
        except ThresholdError as error:
            problems = error.problems
        else:
            audit_record(
                request=request,
                action="update",
                what="Threshold template saved",
                object_type="threshold_set",
                object_id=template.pk,
            )
            messages.success(
                request, _("Saved as version %(version)s.") % {"version": template.version}
            )
            return redirect("referrals:templates")
    return render(
        request,
        "clinic/referrals/template_edit.html",
        {
            "group_label": CopdGroup(copd_group).label,
            "copd_group": copd_group,
            "current": current,
            "rows": rows,
            "editor": editor,
            "reason": reason,
            "problems": problems,
            "versions": template_versions(organisation=organisation, copd_group=copd_group),
        },
        status=400 if problems else 200,
    )
