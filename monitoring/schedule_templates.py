"""Schedule templates (skemaskabeloner): the schedules an organisation offers when a referral is
accepted. Writes and the reads they need; the rule checks are those of a patient's schedule
(``schedule_versions.rule_check``: a weekday, valid times, a grace window shorter than the
shortest gap between two occasions).

A template names its questionnaire by code; ``published_version`` finds the version published
now, so a template keeps working when a new version of its questionnaire is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import Questionnaire, Schedule, ScheduleTemplate
from monitoring.schedule_versions import ScheduleError, ScheduleRule, rule_check
from patients.models import CopdGroup, Organisation

__all__ = [
    "ScheduleError",
    "TemplateInput",
    "published_questionnaires",
    "published_version",
    "schedule_template_retire",
    "schedule_template_save",
    "schedule_templates_of",
    "template_check",
]


@dataclass(frozen=True)
class TemplateInput:
    """What the admin chose for a template."""

    name: str
    questionnaire_code: str
    weekdays: tuple[int, ...]
    times: tuple[time, ...]
    grace_minutes: int
    copd_groups: tuple[str, ...] = ()
    active: bool = True


def published_questionnaires() -> dict[str, Questionnaire]:
    """The published version of each questionnaire, by code (one query)."""
    return {
        q.code: q
        for q in Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED).order_by(
            "code"
        )
    }


def published_version(code: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(code=code, status=Questionnaire.Status.PUBLISHED).first()


def schedule_templates_of(*, organisation: Organisation) -> list[ScheduleTemplate]:
    """The organisation's templates, offered first, by name (one query)."""
    return list(
        ScheduleTemplate.objects.filter(organisation=organisation)
        .select_related("changed_by")
        .order_by("-active", "name", "pk")
    )


def template_check(
    data: TemplateInput, *, organisation: Organisation, instance: ScheduleTemplate | None = None
) -> None:
    """Refuse a template that cannot become a schedule, with the field the message belongs to."""
    if not data.name.strip():
        raise ScheduleError("name", _("Give the template a name."))
    if published_version(data.questionnaire_code) is None:
        raise ScheduleError("questionnaire_code", _("Choose a questionnaire that is published."))
    if any(group not in CopdGroup.values for group in data.copd_groups):
        raise ScheduleError("copd_groups", _("Choose COPD groups from the list."))
    rule_check(
        ScheduleRule(
            kind=Schedule.Kind.WEEKDAYS,
            weekdays=data.weekdays,
            times=data.times,
            grace_minutes=data.grace_minutes,
        ),
        starts_on=timezone.localdate(),
    )
    if data.active:
        taken = ScheduleTemplate.objects.filter(
            organisation=organisation, active=True, name__iexact=data.name.strip()
        )
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            raise ScheduleError(
                "name", _("Another offered template is called “%(name)s”.") % {"name": data.name}
            )


@transaction.atomic
def schedule_template_save(
    *,
    organisation: Organisation,
    data: TemplateInput,
    by: User,
    instance: ScheduleTemplate | None = None,
) -> ScheduleTemplate:
    """Create a template, or change ``instance`` (of the same organisation). Schedules made
    from it earlier stay as they are."""
    if instance is not None and instance.organisation_id != organisation.pk:
        raise ScheduleError(None, _("This template belongs to another organisation."))
    # Serialise saves per organisation so two admins cannot both take a name.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values("pk").first()
    template_check(data, organisation=organisation, instance=instance)
    template = instance or ScheduleTemplate(organisation=organisation)
    template.name = data.name.strip()
    template.questionnaire_code = data.questionnaire_code
    template.weekdays = sorted(set(data.weekdays))
    template.times = sorted(set(data.times))
    template.grace_minutes = data.grace_minutes
    template.copd_groups = [g for g in CopdGroup.values if g in data.copd_groups]
    template.active = data.active
    template.changed_at = timezone.now()
    template.changed_by = by
    template.save()
    return template


@transaction.atomic
def schedule_template_retire(*, template: ScheduleTemplate, by: User) -> ScheduleTemplate:
    """No longer offered when a referral is accepted; schedules made from it stay."""
    template.active = False
    template.changed_at = timezone.now()
    template.changed_by = by
    template.save(update_fields=["active", "changed_at", "changed_by"])
    return template


def templates_suggested(templates: Sequence[ScheduleTemplate], copd_group: str) -> list[int]:
    """The pks of the offered templates suggested for a referral of ``copd_group``."""
    return [t.pk for t in templates if t.active and t.applies_to(copd_group)]
