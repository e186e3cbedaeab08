"""Forms of the organisation admin's Integrations area: FHIR destinations and API clients."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from interop.models import ApiCredential, FhirDestination


class DestinationForm(forms.ModelForm):
    """Name, base URL, how Telemed authenticates, which resources, enabled.

    The bearer token is write-only: the field is never filled in from the stored token, and
    leaving it empty keeps the token the destination already has.
    """

    NONE = "none"
    BEARER = "bearer"

    base_url = forms.URLField(
        label=_("FHIR base URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://fhir.example.dk/fhir"}),
    )
    authentication = forms.ChoiceField(
        label=_("Authentication"),
        choices=[(NONE, _("None")), (BEARER, _("Bearer token"))],
        initial=NONE,
    )
    bearer_token = forms.CharField(
        label=_("Bearer token"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    resource_types = forms.MultipleChoiceField(
        label=_("Send (none ticked: all)"),
        choices=[
            ("Observation", _("Measurements (Observation)")),
            ("QuestionnaireResponse", _("Questionnaire answers (QuestionnaireResponse)")),
            ("ClinicalImpression", _("Triage results (ClinicalImpression)")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = FhirDestination
        fields = ["name", "base_url", "authentication", "bearer_token", "resource_types", "active"]
        labels = {"active": _("Enabled: new data is sent to it")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_token = bool(self.instance.pk and self.instance.bearer_token)
        if self.has_token:
            self.fields["authentication"].initial = self.BEARER

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the destination a name."))
        return name

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"].strip()
        # Patient data leaves Telemed here: only encrypted, except on a developer's machine.
        if not settings.DEBUG and urlsplit(url).scheme != "https":
            raise forms.ValidationError(
                _("The URL must start with https://, so patient data is encrypted on the way.")
            )
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wants_token = data.get("authentication") == self.BEARER
        if wants_token and not data.get("bearer_token") and not self.has_token:
            self.add_error(
                "bearer_token", _("Enter the token the FHIR server gave you, or choose None.")
            )
        return data

    def save(self, commit: bool = True) -> FhirDestination:
        destination = super().save(commit=False)
        data = self.cleaned_data
        if data["authentication"] == self.NONE:
            destination.bearer_token = ""
        elif data.get("bearer_token"):
            destination.bearer_token = data["bearer_token"]
        else:
            # Left empty: keep the stored token (ModelForm would have blanked it).
            destination.bearer_token = (
                FhirDestination.objects.filter(pk=destination.pk)
                .values_list("bearer_token", flat=True)
                .first()
                or ""
            )
        if commit:
            destination.save()
        return destination


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Region Hovedstaden EPJ")}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Allowed to"),
        choices=ApiCredential.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one thing the system may do.")},
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the system a name."))
        return name
