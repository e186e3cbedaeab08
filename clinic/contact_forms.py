"""The contact card's form: the citizen's phones, address, e-mail and language, GP clinic and
hospital department, and next of kin (a formset). Danish phone numbers, with or without +45."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import model_choice
from patients import phone
from patients.models import NextOfKin, Organisation, Patient

PHONE_ERROR = _("Write a Danish phone number of eight digits, e.g. 20 30 40 50 or +45 20304050.")


def clean_phone(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return phone.normalise(value)
    except ValueError as exc:
        raise forms.ValidationError(PHONE_ERROR) from exc


class ContactForm(forms.ModelForm):
    # Longer than the column, so a mistyped code gets our message rather than "at most 4".
    postal_code = forms.CharField(
        label=_("postal code"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )

    class Meta:
        model = Patient
        fields = [
            "phone",
            "phone_other",
            "email",
            "address",
            "postal_code",
            "city",
            "language",
            "gp_clinic",
            "hospital_department",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "phone_other": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "gp_clinic").queryset = Organisation.objects.filter(
            kind=Organisation.Kind.GP_CLINIC
        )
        model_choice(self, "hospital_department").queryset = Organisation.objects.filter(
            kind=Organisation.Kind.HOSPITAL_DEPARTMENT
        )
        # What is shown is what was stored: +45 numbers grouped as people read them.
        if not self.is_bound:
            for name in ("phone", "phone_other"):
                if self.initial.get(name):
                    self.initial[name] = phone.shown(self.initial[name])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_phone_other(self) -> str:
        return clean_phone(self.cleaned_data["phone_other"])

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].strip()
        if code and not (code.isdigit() and len(code) == 4):
            raise forms.ValidationError(_("A Danish postal code is four digits, e.g. 8000."))
        return code


class NextOfKinForm(forms.ModelForm):
    class Meta:
        model = NextOfKin
        fields = ["name", "relation", "phone", "may_contact"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}
        error_messages = {
            "name": {"required": _("Give the person's name.")},
            "relation": {"required": _("Say how this person is related, e.g. daughter.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial.get("phone"):
            self.initial["phone"] = phone.shown(self.initial["phone"])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wanted = self.has_changed() and not data.get("DELETE")
        if wanted and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give a phone number the team can call."))
        return data


NextOfKinFormSet = forms.inlineformset_factory(
    Patient,
    NextOfKin,
    form=NextOfKinForm,
    extra=1,
    max_num=4,
    can_delete=True,
)
