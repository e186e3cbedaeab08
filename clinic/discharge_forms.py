"""The form that ends monitoring: a reason (required) and an optional note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alarms.services.discharge import NOTE_MAX
from patients.models import EndReason


class DischargeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does monitoring end?"),
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why monitoring ends.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
