"""Stored reasons (see alarms.evaluation.Reason) rendered in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from telemed import display

NUMBER_KEYS = ("value", "limit", "baseline", "change")

BASELINE_KINDS = {
    "lowest": gettext_lazy("lowest value"),
    "highest": gettext_lazy("highest value"),
    "median": gettext_lazy("median"),
}


@lru_cache(maxsize=8)
def _templates(language: str) -> dict[str, str]:
    """One table per language, built once, in that language whatever is active (a table built
    under another language would be cached wrongly for the rest of the process)."""
    with translation.override(language):
        return _template_table()


def _template_table() -> dict[str, str]:
    return {
        "no_threshold": _("%(name)s %(value)s %(unit)s: no threshold"),
        "within_limits": _("%(name)s %(value)s %(unit)s within limits"),
        "below_red": _("%(name)s %(value)s %(unit)s below red limit %(limit)s %(unit)s"),
        "above_red": _("%(name)s %(value)s %(unit)s above red limit %(limit)s %(unit)s"),
        "below_yellow": _("%(name)s %(value)s %(unit)s below yellow limit %(limit)s %(unit)s"),
        "above_yellow": _("%(name)s %(value)s %(unit)s above yellow limit %(limit)s %(unit)s"),
        "relative_rise": _(
            "%(name)s %(value)s %(unit)s rose %(change)s %(unit)s in %(days)s days "
            "(from %(baseline_kind)s %(baseline)s %(unit)s)"
        ),
        "relative_fall": _(
            "%(name)s %(value)s %(unit)s fell %(change)s %(unit)s in %(days)s days "
            "(from %(baseline_kind)s %(baseline)s %(unit)s)"
        ),
        "answer": _("%(question)s %(answer)s"),
        "missing": _("Expected %(questionnaire)s not received"),
    }


_TYPE_LABELS: dict[str, dict[str, tuple[str, str]]] = {}


def _type_labels() -> dict[str, dict[str, tuple[str, str]]]:
    """Short name and shown unit per measurement type key, per language.

    Read once per process (the types are reference data; an admin's rename shows after a
    restart). A stored reason keeps the Danish name it was written with; this shows it in the
    reader's language.
    """
    if not _TYPE_LABELS:
        from monitoring.models import MeasurementType

        for kind in MeasurementType.objects.all():
            _TYPE_LABELS[kind.key] = {
                "da": (kind.short_name_da, kind.display_unit_da),
                "en": (
                    kind.short_name_en or kind.short_name_da,
                    kind.display_unit_en or kind.display_unit_da,
                ),
            }
    return _TYPE_LABELS


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def describe(reason: Mapping[str, object], language: str | None = None) -> str:
    """One stored reason as a sentence in ``language`` (default: the active language)."""
    language = language or get_language() or "da"
    params = _Blank({key: value for key, value in reason.items() if key != "extra"})
    extra = reason.get("extra")
    if isinstance(extra, Mapping):
        params.update(extra)
    if "baseline_kind" in params:
        params["baseline_kind"] = str(BASELINE_KINDS.get(str(params["baseline_kind"]), ""))
    danish = language.startswith("da")
    type_labels = _type_labels().get(str(params.get("type") or ""))
    if type_labels:
        params["name"], params["unit"] = type_labels["da" if danish else "en"]
    # Bilingual details (a questionnaire's title, a question and its answer): the reader's
    # language, Danish when the questionnaire has no English. Older rows have one language.
    for key in ("questionnaire", "question", "answer"):
        if f"{key}_da" in params:
            params[key] = (
                params[f"{key}_da"] if danish else (params.get(f"{key}_en") or params[f"{key}_da"])
            )
    with translation.override(language):
        for key in NUMBER_KEYS:
            if params.get(key):
                params[key] = display.as_written(str(params[key]))
    template = _templates(language).get(str(reason.get("code")))
    if template is None:
        return str(reason.get("code", ""))
    return " ".join((template % params).split())


def describe_all(reasons: Iterable[Mapping[str, object]]) -> list[str]:
    language = get_language() or "da"
    return [describe(reason, language) for reason in reasons]
