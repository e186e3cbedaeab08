"""Forms of the questionnaire library: a draft's details, a question, its answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import validate_slug
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from clinic.forms import model_choice
from monitoring.models import MeasurementType, Questionnaire, QuestionnaireItem
from monitoring.questionnaire_editor import ItemData, OptionData
from monitoring.severity import Severity

Kind = QuestionnaireItem.Kind
SEVERITIES = [(s.value, s.label) for s in (Severity.GREEN, Severity.YELLOW, Severity.RED)]


class MeasurementTypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class MeasurementTypesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.display_unit})"


class QuestionnaireForm(forms.Form):
    """A new draft (with its code) or a draft's details (the code stays)."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short and stable, e.g. kol or cat: the questionnaire's name in FHIR."),
    )
    title_da = forms.CharField(label=_("Title (Danish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    description_da = forms.CharField(
        label=_("Description (Danish)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    score_type = MeasurementTypeChoice(
        label=_("Score stored as"),
        queryset=MeasurementType.objects.order_by("sort_order", "code"),
        required=False,
        empty_label=_("No score"),
        help_text=_(
            "For a scored questionnaire such as the CAT: the sum of the answers' scores is "
            "stored as this measurement and judged against the patient's thresholds."
        ),
    )

    def __init__(self, *args: Any, editing: Questionnaire | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().lower()
        if Questionnaire.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("This code is taken. Open that questionnaire and make a new version instead.")
            )
        return code


def _slug(value: str) -> str:
    return slugify(value).replace("-", "_")[:40]


class ItemForm(forms.Form):
    """One question. Which fields it has depends on the kind, chosen when it is added."""

    link_id = forms.CharField(
        label=_("Link id"),
        max_length=40,
        required=False,
        validators=[validate_slug],
        help_text=_(
            "The question's stable id in FHIR and in the answers. Leave it empty to make one "
            "from the English text. Keep it when a new version asks the same question."
        ),
    )
    text_da = forms.CharField(label=_("Question (Danish)"), max_length=500)
    text_en = forms.CharField(label=_("Question (English)"), max_length=500)
    help_da = forms.CharField(label=_("Help text (Danish)"), max_length=500, required=False)
    help_en = forms.CharField(label=_("Help text (English)"), max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    number_min = forms.DecimalField(
        label=_("Lowest answer"), max_digits=9, decimal_places=3, required=False, localize=True
    )
    number_max = forms.DecimalField(
        label=_("Highest answer"), max_digits=9, decimal_places=3, required=False, localize=True
    )
    measurement_types = MeasurementTypesChoice(
        label=_("Measurements asked for"),
        queryset=MeasurementType.objects.order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    condition = forms.ChoiceField(label=_("Ask only if"), required=False)

    def __init__(
        self,
        *args: Any,
        kind: str,
        questionnaire: Questionnaire,
        item: QuestionnaireItem | None = None,
        earlier: list[QuestionnaireItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.questionnaire = questionnaire
        self.item = item
        if kind != Kind.NUMBER:
            del self.fields["number_min"], self.fields["number_max"]
        if kind != Kind.MEASUREMENT:
            del self.fields["measurement_types"]
        else:
            model_choice(self, "measurement_types").required = True
            self.fields["measurement_types"].error_messages["required"] = _(
                "Choose at least one measurement."
            )
        choices: list[tuple[str, str]] = [("", str(_("Always")))]
        for other in earlier:
            for option in other.options.all():
                choices.append((f"{other.pk}:{option.code}", f"“{other.text}” = {option.text}"))
        if item is not None and item.enable_when_item_id is not None:
            current = f"{item.enable_when_item_id}:{item.enable_when_option_code}"
            if current not in dict(choices):
                choices.append((current, str(_("(the present condition, no longer valid)"))))
        self.fields["condition"].choices = choices  # type: ignore[attr-defined]

    def clean_link_id(self) -> str:
        link_id: str = self.cleaned_data["link_id"].strip()
        others = self.questionnaire.items.filter(link_id=link_id)
        if self.item is not None:
            others = others.exclude(pk=self.item.pk)
        if link_id and others.exists():
            raise forms.ValidationError(_("Another question of this draft has this link id."))
        return link_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("number_min"), data.get("number_max")
        if low is not None and high is not None and low >= high:
            self.add_error("number_max", _("The highest answer must be above the lowest."))
        return data

    def item_data(self, options: list[OptionData]) -> ItemData:
        data = self.cleaned_data
        condition = None
        if data.get("condition"):
            pk, code = str(data["condition"]).split(":", 1)
            condition = (int(pk), code)
        low: Decimal | None = data.get("number_min")
        high: Decimal | None = data.get("number_max")
        return ItemData(
            link_id=data.get("link_id") or "",
            text_da=data["text_da"],
            text_en=data["text_en"],
            help_da=data.get("help_da") or "",
            help_en=data.get("help_en") or "",
            required=bool(data.get("required")),
            number_min=low,
            number_max=high,
            measurement_types=list(data.get("measurement_types") or []),
            condition=condition,
            options=options,
        )


class OptionForm(forms.Form):
    """One answer of a single-choice question (a row of the answers table)."""

    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    text_da = forms.CharField(label=_("Answer (Danish)"), max_length=200, required=False)
    text_en = forms.CharField(label=_("Answer (English)"), max_length=200, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=SEVERITIES, initial="green")
    score = forms.IntegerField(label=_("Score"), required=False, min_value=-99, max_value=99)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.cleaned_data.get("DELETE"):
            return data
        if not data.get("text_da"):
            self.add_error("text_da", _("Write the answer in Danish."))
        if not data.get("text_en"):
            self.add_error("text_en", _("Write the answer in English."))
        code = (data.get("code") or "").strip() or _slug(data.get("text_en") or "")
        code = code or _slug(data.get("text_da") or "")
        try:
            validate_slug(code)
        except forms.ValidationError:
            self.add_error(
                "code", _("Use letters, digits, hyphens and underscores only, e.g. much_more.")
            )
        data["code"] = code
        return data


class YesNoOptionForm(OptionForm):
    """Yes or no: the code is fixed (FHIR maps "yes" to true); texts, severity, score change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].disabled = True


class BaseOptionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [
            form.cleaned_data["code"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise forms.ValidationError(
                _("Two answers have the code “%(code)s”; give each its own.")
                % {"code": duplicates[0]}
            )

    def options(self) -> list[OptionData]:
        return [
            OptionData(
                code=form.cleaned_data["code"],
                text_da=form.cleaned_data["text_da"],
                text_en=form.cleaned_data["text_en"],
                severity=form.cleaned_data["severity"],
                score=form.cleaned_data.get("score"),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


ChoiceOptionFormSet = forms.formset_factory(
    OptionForm, formset=BaseOptionFormSet, extra=3, can_delete=True
)
YesNoOptionFormSet = forms.formset_factory(YesNoOptionForm, formset=BaseOptionFormSet, extra=0)


def option_formset(
    kind: str, item: QuestionnaireItem | None, data: Any = None
) -> BaseOptionFormSet | None:
    """The answers table of a yes/no or single-choice question (None for other kinds)."""
    if kind not in (Kind.BOOLEAN, Kind.CHOICE):
        return None
    if item is not None:
        initial = [
            {
                "code": o.code,
                "text_da": o.text_da,
                "text_en": o.text_en,
                "severity": o.severity,
                "score": o.score,
            }
            for o in item.options.all()
        ]
    elif kind == Kind.BOOLEAN:
        initial = [
            {"code": "yes", "text_da": "Ja", "text_en": "Yes", "severity": "green"},
            {"code": "no", "text_da": "Nej", "text_en": "No", "severity": "green"},
        ]
    else:
        initial = []
    formset_class = YesNoOptionFormSet if kind == Kind.BOOLEAN else ChoiceOptionFormSet
    formset = formset_class(data, initial=initial, prefix="options")
    assert isinstance(formset, BaseOptionFormSet)
    return formset
