"""The organisation settings form (/administration/organisation/): the organisation's own phone
and provider number, what happens to access when monitoring ends, and the clinicians' session
timeout. The name, kind and SOR code are not here: they identify the organisation to others."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from clinic.contact_forms import clean_phone
from patients import phone
from patients.models import SESSION_TIMEOUT_LIMITS, Organisation

YDERNUMMER = re.compile(r"[0-9]{6}")


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["phone", "ydernummer", "discharge_access", "session_timeout_minutes"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "ydernummer": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "discharge_access": forms.RadioSelect,
            "session_timeout_minutes": forms.NumberInput(
                attrs={"min": SESSION_TIMEOUT_LIMITS[0], "max": SESSION_TIMEOUT_LIMITS[1]}
            ),
        }
        help_texts = {
            "session_timeout_minutes": _(
                "A clinician who does nothing in Telemed for this long is signed out and logs "
                "in again (5 to 480 minutes). Citizens are not signed out for this."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        if kind != Organisation.Kind.GP_CLINIC:
            # Only GP clinics have a provider number (ydernummer).
            del self.fields["ydernummer"]
        if kind == Organisation.Kind.GP_CLINIC:
            # Monitoring teams, and so endings of monitoring, belong to municipalities and
            # hospital departments.
            del self.fields["discharge_access"]
        self.fields["phone"].help_text = (
            _("Shown on the contact card of the patients whose GP clinic or department you are.")
            if kind != Organisation.Kind.MUNICIPALITY
            else _("Your organisation's own phone number.")
        )
        low, high = SESSION_TIMEOUT_LIMITS
        timeout = self.fields["session_timeout_minutes"]
        timeout.validators = [
            *timeout.validators,
            MinValueValidator(low, _("At least %(limit_value)s minutes.")),
            MaxValueValidator(high, _("At most %(limit_value)s minutes.")),
        ]
        # The model field's own minimum (0) would otherwise be the one the browser sees.
        timeout.widget.attrs.update({"min": low, "max": high})
        if not self.is_bound and self.initial.get("phone"):
            self.initial["phone"] = phone.shown(self.initial["phone"])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_ydernummer(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["ydernummer"])
        if value and not YDERNUMMER.fullmatch(value):
            raise forms.ValidationError(
                _("Write the clinic's provider number (ydernummer): six digits, e.g. 012345.")
            )
        return value
