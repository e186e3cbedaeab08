"""Forms for the organisation admin's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clinic.forms import model_choice
from patients.models import ClinicianProfile, Organisation, Team


class ClinicianForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ClinicianProfile.Role.choices)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
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
