"""Forms of the patient page: period, thresholds, notes, pause and acknowledgement.

Numbers are localised: a Danish user may type a decimal comma (DESIGN.md, "Rules that matter").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alarms import evaluation
from alarms.models import Outcome, PatientNote, Threshold
from alarms.outcomes import outcomes_for
from alarms.thresholds import LIMIT_FIELDS, field_label
from monitoring.models import IgnoreReason, MeasurementType


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's model choice field, to give it its queryset and labels per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


NOTE_MAX_LENGTH = 2000

RANGES = {"7d": 7, "30d": 30, "90d": 90, "1y": 365}
DEFAULT_RANGE = "30d"
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    key: str  # "7d", "30d", "90d", "1y" or "custom"
    since: datetime
    until: datetime
    first_day: date
    last_day: date

    def query(self) -> dict[str, str]:
        if self.key == "custom":
            return {
                "range": "custom",
                "from": self.first_day.isoformat(),
                "to": self.last_day.isoformat(),
            }
        return {"range": self.key}


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class DayInput(forms.DateInput):
    """A day typed as people in Denmark write it, dd.mm.åååå, whatever the browser's locale
    (a native date input shows mm/dd/yyyy in an American browser). ISO dates and -, / as
    separators are accepted too (DATE_INPUT_FORMATS in telemed/formats)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": _("dd.mm.yyyy"),
                "pattern": r"\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{4}-\d{2}-\d{2}",
                "title": _("Day, month and year, e.g. 24.12.2026"),
                "size": 10,
                **(attrs or {}),
            },
            format="%d.%m.%Y",
        )


class RangeForm(forms.Form):
    range = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("7d", _("7 days")),
            ("30d", _("30 days")),
            ("90d", _("90 days")),
            ("1y", _("1 year")),
            ("custom", _("Custom")),
        ],
    )
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def __init__(self, data=None, **kwargs) -> None:
        # The URL says from/to (short, readable); "from" is a Python keyword, so map it.
        if data is not None:
            data = {
                "range": data.get("range", ""),
                "start": data.get("from", ""),
                "end": data.get("to", ""),
            }
        super().__init__(data, **kwargs)
        self.fields["start"].widget = DayInput()
        self.fields["end"].widget = DayInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("range") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise forms.ValidationError(_("Choose both a first and a last day."))
            if end < start:
                raise forms.ValidationError(_("The last day must not be before the first day."))
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        return data

    def period(self, today: date | None = None) -> Period:
        """The chosen period, or the default (30 days) when the input was not valid."""
        today = today or timezone.localdate()
        key = DEFAULT_RANGE
        if self.is_bound and self.is_valid() and self.cleaned_data.get("range"):
            key = self.cleaned_data["range"]
        if key == "custom":
            first, last = self.cleaned_data["start"], self.cleaned_data["end"]
        else:
            first, last = today - timedelta(days=RANGES[key] - 1), today
        return Period(
            key,
            _local_midnight(first),
            _local_midnight(last + timedelta(days=1)),
            first,
            last,
        )


class ThresholdsForm(forms.Form):
    """One row of four limits per measurement type, and the reason for the change."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give a reason for the change.")},
    )

    def __init__(
        self,
        *args,
        types: list[MeasurementType],
        current: dict[int, Threshold],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.types = types
        for mtype in types:
            row = current.get(mtype.pk)
            for name in LIMIT_FIELDS:
                initial = getattr(row, name) if row is not None else None
                self.fields[f"{mtype.key}-{name}"] = forms.DecimalField(
                    label=f"{mtype.short_name}: {field_label(name)}",
                    required=False,
                    max_digits=9,
                    decimal_places=3,
                    localize=True,
                    initial=initial.normalize() if isinstance(initial, Decimal) else initial,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
                )

    def rows(self) -> list[dict]:
        """For the template: per type, its four bound fields and its errors."""
        return [
            {
                "type": mtype,
                "fields": [
                    {"label": field_label(name), "field": self[f"{mtype.key}-{name}"]}
                    for name in LIMIT_FIELDS
                ],
                "errors": self.errors.get(mtype.key, []),
            }
            for mtype in self.types
        ]

    def limits(self) -> dict[MeasurementType, evaluation.Limits]:
        return {
            mtype: evaluation.Limits(
                **{name: self.cleaned_data.get(f"{mtype.key}-{name}") for name in LIMIT_FIELDS}
            )
            for mtype in self.types
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note before saving it.")},
    )
    importance = forms.ChoiceField(
        label=_("Importance"),
        choices=PatientNote.Importance.choices,
        initial=PatientNote.Importance.NORMAL,
        widget=forms.RadioSelect,
    )
    remind_on = forms.DateField(
        label=_("Remind me on"),
        required=False,
        help_text=_("On this day the patient comes back into the triage list."),
        widget=DayInput(),
    )

    def clean_remind_on(self) -> date | None:
        day = self.cleaned_data.get("remind_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("A reminder cannot be in the past."))
        return day


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        error_messages={"required": _("Please give a reason for the pause.")},
    )
    until = forms.DateField(
        label=_("Paused until (including)"),
        widget=DayInput(),
        error_messages={"required": _("Choose the last day of the pause.")},
    )

    def clean_until(self) -> date:
        day = self.cleaned_data["until"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The last day of the pause cannot be in the past."))
        if day > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError(_("A pause can last at most a year."))
        return day

    def ends_at(self) -> datetime:
        return _local_midnight(self.cleaned_data["until"] + timedelta(days=1))


def clinician_organisation_id(user: Any) -> int | None:
    """The organisation whose outcome list a clinician acknowledges with (None: the defaults)."""
    clinician = getattr(user, "clinician", None)
    return clinician.organisation_id if clinician is not None else None


class AcknowledgeForm(forms.Form):
    """Acknowledging a result: what was done (required, from the organisation's list), a note,
    and a receipt to the citizen that may show the note. The same fields on the triage list and
    the patient page (templates/clinic/_acknowledge_fields.html)."""

    outcome = forms.ModelChoiceField(
        label=_("What was done"),
        queryset=Outcome.objects.none(),
        to_field_name="code",
        error_messages={
            "required": _("Choose what was done about the result."),
            "invalid_choice": _("Choose one of the outcomes in the list."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("The note is too long.")},
    )
    receipt_to_citizen = forms.BooleanField(
        label=_("Send a receipt to the citizen"), required=False
    )
    note_to_citizen = forms.BooleanField(
        label=_("Show the note on the citizen's receipt"), required=False
    )

    def __init__(self, *args: Any, organisation_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "outcome").queryset = outcomes_for(organisation_id)

    def first_error(self) -> str:
        return next((str(e) for errors in self.errors.values() for e in errors), "")


class IgnoreForm(forms.Form):
    """Setting a measurement or a result aside: why (required, from ``IgnoreReason``)."""

    reason = forms.ChoiceField(
        label=_("Why is it ignored?"),
        choices=[("", _("Choose …")), *IgnoreReason.choices],
        error_messages={
            "required": _("Choose why it is ignored."),
            "invalid_choice": _("Choose one of the reasons in the list."),
        },
    )

    def first_error(self) -> str:
        return next((str(e) for errors in self.errors.values() for e in errors), "")
