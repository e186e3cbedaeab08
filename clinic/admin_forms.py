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
from telemed.models import AuditEvent

# The date picker sends ISO dates; typed Danish dates (1.3.2026) are accepted too.
AUDIT_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]


class ClinicianForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The invitation to choose a password is sent here.")
    )
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

    def __init__(
        self, *args: Any, organisation: Organisation, editing: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        model_choice(self, "teams").queryset = Team.objects.filter(organisation=organisation)
        if editing is not None:
            self.fields["username"].disabled = True
            # Accounts made before invitations may have no address; the form does not force one.
            self.fields["email"].required = False
            self.fields["email"].help_text = ""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

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
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        required=False,
        help_text=_("Optional; kept with the change and shown to the citizen."),
    )

    def __init__(self, *args: Any, teams: Any, doctors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "monitoring_team").queryset = teams
        model_choice(self, "treating_doctor").queryset = doctors


class GrantForm(forms.Form):
    user = ClinicianChoiceField(label=_("Clinician"), queryset=get_user_model().objects.none())
    monitor = forms.BooleanField(label=_("May also act as monitoring nurse"), required=False)
    reason = forms.CharField(
        label=_("Why this clinician needs access"),
        max_length=500,
        widget=forms.TextInput,
        help_text=_("Kept with the access and shown to the citizen, e.g. covering for Dr Hansen."),
        error_messages={"required": _("Say why this clinician needs access.")},
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "user").queryset = users


class AuditQueryForm(forms.Form):
    """The audit log's filters: patient, user, action and a date range (Copenhagen days)."""

    cpr = forms.CharField(label=_("Patient's CPR number"), max_length=11, required=False)
    username = forms.CharField(label=_("Username"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditEvent.Action.choices],
        required=False,
    )
    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        input_formats=AUDIT_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2026-03-01.")},
    )
    date_to = forms.DateField(
        label=_("To (date, inclusive)"),
        required=False,
        input_formats=AUDIT_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2026-03-31.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        for name, day in (("date_from", start), ("date_to", end)):
            if day is not None and not 2000 <= day.year <= 2999:
                self.add_error(name, _("Enter a date between the years 2000 and 2999."))
                start = end = None
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


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
