"""Changing a patient's alarm thresholds: every change is a new ThresholdSet version.

The new version copies the rows of the set in force (limits and relative rules), replaces the
limits that were changed (and the relative rules, when the caller gives them), and records who,
when and why. The older sets stay, so the results
already judged keep the limits they were judged by, and the charts show a change as a step at
the moment it came into force (DESIGN.md, "Rules that matter").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from alarms import evaluation
from alarms.models import RelativeRule, Threshold, ThresholdSet
from alarms.services import limits_of
from alarms.threshold_templates import RuleRow, rules_problems, rules_store
from monitoring.models import MeasurementType
from patients.models import Patient

LIMIT_FIELDS = ("red_low", "yellow_low", "yellow_high", "red_high")


class ThresholdChangeError(ValueError):
    """The change was refused; ``errors`` maps a measurement type key (or "reason", or
    "__all__") to translated messages for the form."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def field_label(name: str) -> str:
    return {
        "red_low": _("red below"),
        "yellow_low": _("yellow below"),
        "yellow_high": _("yellow above"),
        "red_high": _("red above"),
    }[name]


def problem_message(code: str) -> str:
    """A broken order rule from ``evaluation.Limits.problems()`` in plain words."""
    strict = "<=" not in code
    low, high = code.replace("<=", "<").split("<")
    if strict:
        return _("“%(low)s” must be lower than “%(high)s”.") % {
            "low": field_label(low),
            "high": field_label(high),
        }
    return _("“%(low)s” must not be higher than “%(high)s”.") % {
        "low": field_label(low),
        "high": field_label(high),
    }


def patient_sets(patient_id: int) -> list[ThresholdSet]:
    """The patient's threshold sets, newest first, with rows and authors (three queries)."""
    return list(
        ThresholdSet.objects.filter(kind=ThresholdSet.Kind.PATIENT, patient_id=patient_id)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("thresholds", queryset=Threshold.objects.select_related("type")),
            Prefetch("relative_rules", queryset=RelativeRule.objects.select_related("type")),
        )
        .order_by("-valid_from", "-version")
    )


def _rule_key(rule: RelativeRule | RuleRow) -> tuple[int, str, str, str, int, str]:
    """What makes two rules the same (the amount normalised: 2 and 2.000 are one amount)."""
    type_id = rule.type_id if isinstance(rule, RelativeRule) else rule.type.pk
    return (
        type_id,
        rule.direction,
        str(rule.amount.normalize()),
        rule.baseline,
        rule.window_days,
        rule.severity,
    )


def _same(threshold: Threshold | None, limits: evaluation.Limits) -> bool:
    if threshold is None:
        return all(getattr(limits, name) is None for name in LIMIT_FIELDS)
    return limits_of(threshold) == limits


@transaction.atomic
def patient_thresholds_change(
    *,
    patient: Patient,
    user: User,
    limits: Mapping[MeasurementType, evaluation.Limits],
    reason: str,
    rules: Sequence[RuleRow] | None = None,
    now: datetime | None = None,
) -> ThresholdSet:
    """Put a new version of the patient's thresholds in force from ``now``.

    ``limits`` holds the types whose limits are edited (all four empty removes the type's
    limits); every other row is copied from the set in force. ``rules`` is the complete new list
    of relative rules (empty removes them all); None copies the rules in force. Raises
    ThresholdChangeError with translated messages when the reason is missing, a type's limits
    are out of order (red_low <= yellow_low < yellow_high <= red_high), a rule is refused
    (``rules_problems``, under the key "rules") or nothing changed.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = [_("Please give a reason for the change.")]
    for mtype, type_limits in limits.items():
        problems = type_limits.problems()
        if problems:
            errors[mtype.key] = [problem_message(code) for code in problems]
    if rules is not None and (rule_problems := rules_problems(rules)):
        errors["rules"] = rule_problems
    if errors:
        raise ThresholdChangeError(errors)

    # Serialise changes per patient, so two doctors saving at once get versions n+1 and n+2.
    Patient.objects.select_for_update().filter(pk=patient.pk).values("pk").first()
    current = (
        ThresholdSet.objects.filter(
            kind=ThresholdSet.Kind.PATIENT, patient=patient, valid_from__lte=now
        )
        .prefetch_related("thresholds", "relative_rules")
        .order_by("-valid_from", "-version")
        .first()
    )
    rows = {t.type_id: t for t in current.thresholds.all()} if current else {}
    old_rules = sorted(map(_rule_key, current.relative_rules.all())) if current else []
    rules_same = rules is None or sorted(map(_rule_key, rules)) == old_rules
    if rules_same and all(
        _same(rows.get(mtype.pk), type_limits) for mtype, type_limits in limits.items()
    ):
        raise ThresholdChangeError({"__all__": [_("Nothing was changed.")]})

    version = (
        ThresholdSet.objects.filter(kind=ThresholdSet.Kind.PATIENT, patient=patient).aggregate(
            Max("version")
        )["version__max"]
        or 0
    ) + 1
    new_set = ThresholdSet.objects.create(
        kind=ThresholdSet.Kind.PATIENT,
        patient=patient,
        copd_group=patient.copd_group,
        version=version,
        based_on=current,
        valid_from=now,
        created_by=user,
        reason=reason[:500],
    )
    edited = {mtype.pk: type_limits for mtype, type_limits in limits.items()}
    new_rows = []
    for type_id in sorted(set(rows) | set(edited)):
        if type_id in edited:
            values = {name: getattr(edited[type_id], name) for name in LIMIT_FIELDS}
        else:
            values = {name: getattr(rows[type_id], name) for name in LIMIT_FIELDS}
        if all(value is None for value in values.values()):
            continue
        new_rows.append(Threshold(threshold_set=new_set, type_id=type_id, **values))
    Threshold.objects.bulk_create(new_rows)
    if rules is not None:
        rules_store(new_set, rules)
    elif current is not None:
        rules_store(new_set, current.relative_rules.all())
    return new_set
