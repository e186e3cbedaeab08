"""The organisation admin's schedule template form (/administration/schedules/)."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.schedule_forms import (
    grace_minutes_field,
    times_cleaned,
    times_field,
    weekdays_field,
)
from monitoring.models import ScheduleTemplate
from monitoring.schedule_templates import (
    ScheduleError,
    TemplateInput,
    published_questionnaires,
    template_check,
)
from patients.models import CopdGroup, Organisation


class ScheduleTemplateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={"required": _("Give the template a name.")},
    )
    questionnaire_code = forms.ChoiceField(
        label=_("Questionnaire"),
        help_text=_("The version published when a referral is accepted is the one asked."),
        error_messages={"required": _("Choose a questionnaire that is published.")},
    )
    weekdays = weekdays_field()
    times = times_field()
    grace_minutes = grace_minutes_field(initial=180)
    copd_groups = forms.MultipleChoiceField(
        label=_("Suggested for COPD groups (none: for every group)"),
        choices=CopdGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(
        label=_("Offered when a referral is accepted"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        instance: ScheduleTemplate | None = None,
        **kwargs: Any,
    ) -> None:
        bound = bool(args and args[0] is not None) or kwargs.get("data") is not None
        if instance is not None and "initial" not in kwargs and not bound:
            kwargs["initial"] = {
                "name": instance.name,
                "questionnaire_code": instance.questionnaire_code,
                "weekdays": [str(day) for day in instance.weekdays],
                "times": ", ".join(at.strftime("%H:%M") for at in sorted(instance.times)),
                "grace_minutes": instance.grace_minutes,
                "copd_groups": list(instance.copd_groups),
                "active": instance.active,
            }
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance = instance
        choices = [("", "---------")] + [
            (code, f"{q.title} ({code})") for code, q in published_questionnaires().items()
        ]
        if instance is not None and instance.questionnaire_code not in dict(choices):
            # Kept visible (and refused on save) when its questionnaire is no longer published.
            choices.append((instance.questionnaire_code, instance.questionnaire_code))
        field = self.fields["questionnaire_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_times(self) -> tuple[time, ...]:
        return times_cleaned(self.cleaned_data.get("times") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        entry = TemplateInput(
            name=data["name"],
            questionnaire_code=data["questionnaire_code"],
            weekdays=tuple(int(day) for day in data.get("weekdays") or ()),
            times=data.get("times") or (),
            grace_minutes=data["grace_minutes"],
            copd_groups=tuple(data.get("copd_groups") or ()),
            active=bool(data.get("active")),
        )
        try:
            template_check(entry, organisation=self.organisation, instance=self.instance)
        except ScheduleError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        data["entry"] = entry
        return data
