"""Forms for the organisation admin's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from alarms.models import Outcome
from clinic.forms import model_choice
from notifications.models import ReminderPolicy
from patients.models import ClinicianProfile, Organisation, Team


class ClinicianForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ClinicianProfile.Role.choices)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    language = forms.ChoiceField(
        label=_("Language of e-mails"), choices=settings.LANGUAGES, initial="da"
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_active = forms.BooleanField(label=_("Can log in"), required=False, initial=True)

    def __init__(
        self, *args: Any, organisation: Organisation, editing: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        model_choice(self, "teams").queryset = Team.objects.filter(organisation=organisation)
        if editing is not None:
            self.fields["username"].disabled = True

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        others = get_user_model().objects.filter(username__iexact=username)
        if self.editing is not None:
            others = others.exclude(pk=self.editing.pk)
        if others.exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)


class DoctorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.clinician.organisation})"


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        clinician = obj.clinician
        return f"{obj.get_full_name()} – {clinician.get_role_display()}, {clinician.organisation}"


class CareForm(forms.Form):
    monitoring_team = forms.ModelChoiceField(
        label=_("Monitoring team"), queryset=Team.objects.none(), required=False
    )
    treating_doctor = DoctorChoiceField(
        label=_("Treating doctor"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args: Any, teams: Any, doctors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "monitoring_team").queryset = teams
        model_choice(self, "treating_doctor").queryset = doctors


class GrantForm(forms.Form):
    user = ClinicianChoiceField(label=_("Clinician"), queryset=get_user_model().objects.none())
    monitor = forms.BooleanField(label=_("May also act as monitoring nurse"), required=False)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "user").queryset = users


class AuditQueryForm(forms.Form):
    cpr = forms.CharField(label=_("Patient's CPR number"), max_length=11, required=False)
    username = forms.CharField(label=_("Username"), max_length=150, required=False)


class AlarmHandlingForm(forms.ModelForm):
    """The organisation's escalation limits, second tier and claim time."""

    class Meta:
        model = Organisation
        fields = [
            "escalation_minutes",
            "second_escalation_minutes",
            "second_escalation_team",
            "claim_minutes",
        ]
        widgets = {
            "escalation_minutes": forms.NumberInput(attrs={"min": 5, "max": 10080}),
            "second_escalation_minutes": forms.NumberInput(attrs={"min": 5, "max": 10080}),
            "claim_minutes": forms.NumberInput(attrs={"min": 5, "max": 1440}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "second_escalation_team").queryset = Team.objects.filter(
            organisation=self.instance
        )
        for name, low, high in (
            ("escalation_minutes", 5, 10080),
            ("second_escalation_minutes", 5, 10080),
            ("claim_minutes", 5, 1440),
        ):
            field = self.fields[name]
            field.validators = [
                *field.validators,
                MinValueValidator(low, _("At least %(limit_value)s minutes.")),
                MaxValueValidator(
                    high,
                    _("At most %(limit_value)s minutes (a week).")
                    if high == 10080
                    else _("At most %(limit_value)s minutes."),
                ),
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        minutes, team = data.get("second_escalation_minutes"), data.get("second_escalation_team")
        if minutes and not team:
            self.add_error("second_escalation_team", _("Choose who the second tier tells."))
        if team and not minutes:
            self.add_error(
                "second_escalation_minutes",
                _("Say after how many minutes the second tier is told."),
            )
        return data


class OutcomeForm(forms.Form):
    label_da = forms.CharField(label=_("Label (Danish)"), max_length=100)
    label_en = forms.CharField(label=_("Label (English)"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Outcome.Kind.choices)


class OutcomeChangeForm(OutcomeForm):
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000)
    active = forms.BooleanField(label=_("Offered when acknowledging"), required=False)


class ReminderPolicyForm(forms.ModelForm):
    """When the organisation's citizens are reminded of a due questionnaire."""

    LIMITS = {
        "minutes_before_deadline": (0, 720),
        "overdue_every_minutes": (5, 240),
        "overdue_max_reminders": (0, 10),
    }

    class Meta:
        model = ReminderPolicy
        fields = [
            "enabled",
            "minutes_before_deadline",
            "overdue_every_minutes",
            "overdue_max_reminders",
        ]
        widgets = {
            "minutes_before_deadline": forms.NumberInput(attrs={"min": 0, "max": 720}),
            "overdue_every_minutes": forms.NumberInput(attrs={"min": 5, "max": 240}),
            "overdue_max_reminders": forms.NumberInput(attrs={"min": 0, "max": 10}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            field = self.fields[name]
            field.validators = [
                *field.validators,
                MinValueValidator(low, _("At least %(limit_value)s.")),
                MaxValueValidator(high, _("At most %(limit_value)s.")),
            ]
