"""/administration/schedules/: the organisation admin's schedule templates, offered to the nurse
who accepts a referral (monitoring.schedule_templates). No patient data here; every change is
audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.admin_schedule_template_forms import ScheduleTemplateForm
from clinic.schedule_forms import WEEKDAY_CHOICES
from monitoring.models import ScheduleTemplate
from monitoring.schedule_templates import (
    ScheduleError,
    published_questionnaires,
    schedule_template_retire,
    schedule_template_save,
    schedule_templates_of,
)
from monitoring.schedules import describe_times
from patients.models import CopdGroup
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@dataclass(frozen=True)
class TemplateRow:
    """One line of the list, as shown."""

    template: ScheduleTemplate
    questionnaire: str
    published: bool
    days: str
    times: str
    groups: str


def _rows(templates: list[ScheduleTemplate]) -> list[TemplateRow]:
    published = published_questionnaires()
    day_names = dict(WEEKDAY_CHOICES)
    group_names = dict(CopdGroup.choices)
    rows = []
    for template in templates:
        questionnaire = published.get(template.questionnaire_code)
        rows.append(
            TemplateRow(
                template=template,
                questionnaire=questionnaire.title if questionnaire else template.questionnaire_code,
                published=questionnaire is not None,
                days=", ".join(str(day_names[str(day)]) for day in sorted(template.weekdays)),
                times=describe_times(tuple(template.times)),
                groups=", ".join(str(group_names[g]) for g in template.copd_groups)
                or _("every group"),
            )
        )
    return rows


def _get_template(request: AuthenticatedHttpRequest, pk: int) -> ScheduleTemplate:
    """The admin's own organisation's template, or 404."""
    template = ScheduleTemplate.objects.filter(
        pk=pk, organisation=request.user.clinician.organisation
    ).first()
    if template is None:
        raise Http404
    return template


@require_GET
@role_required(Role.ADMIN)
def schedule_templates(request: AuthenticatedHttpRequest) -> HttpResponse:
    templates = schedule_templates_of(organisation=request.user.clinician.organisation)
    return render(request, "clinic/admin/schedule_templates.html", {"rows": _rows(templates)})


def _edit(request: AuthenticatedHttpRequest, instance: ScheduleTemplate | None) -> HttpResponse:
    organisation = request.user.clinician.organisation
    posted = request.method == "POST"
    form = ScheduleTemplateForm(
        request.POST if posted else None, organisation=organisation, instance=instance
    )
    if posted and form.is_valid():
        try:
            template = schedule_template_save(
                organisation=organisation,
                data=form.cleaned_data["entry"],
                by=request.user,
                instance=instance,
            )
        except ScheduleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            audit_record(
                request=request,
                action="create" if instance is None else "update",
                what="Schedule template created"
                if instance is None
                else "Schedule template changed",
                object_type="schedule_template",
                object_id=template.pk,
            )
            messages.success(
                request,
                _("Saved. Referrals accepted from now on can use “%(name)s”.")
                % {"name": template.name},
            )
            return redirect("patients:schedule_templates")
    return render(
        request,
        "clinic/admin/schedule_template_edit.html",
        {"form": form, "template": instance},
        status=400 if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def schedule_template_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def schedule_template_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _get_template(request, pk))


@require_POST
@role_required(Role.ADMIN)
def schedule_template_retire_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = _get_template(request, pk)
    if template.active:
        schedule_template_retire(template=template, by=request.user)
        audit_record(
            request=request,
            action="update",
            what="Schedule template retired",
            object_type="schedule_template",
            object_id=template.pk,
        )
        messages.success(
            request,
            _("“%(name)s” is no longer offered. Schedules made from it stay as they are.")
            % {"name": template.name},
        )
    return redirect("patients:schedule_templates")
