"""Threshold templates per COPD group (ThresholdSet kind=template), kept by an organisation admin.

A template is never edited: saving makes the next version, based on the previous one, and the
older versions stay (a referral or a patient's set records which version it was based on). The
current template of a group is the one with the highest version.

The limit rows travel as plain ``LimitRow``/``RuleRow`` values between forms, templates,
referrals and patients; ``limits_problems`` checks them in the order the database enforces
(red_low <= yellow_low < yellow_high <= red_high) and says what is wrong in the reader's
language, before anything reaches a CheckConstraint. ``rules_problems`` does the same for the
relative rules (amount above zero, a window of 1..MAX_WINDOW_DAYS days, known choices, one rule
per type, direction and severity), so the admin's template, the doctor's referral and the
patient's thresholds tab refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alarms.models import RelativeRule, Threshold, ThresholdSet
from monitoring.models import MeasurementType
from patients.models import CopdGroup, Organisation


@dataclass(frozen=True)
class LimitRow:
    type: MeasurementType
    red_low: Decimal | None = None
    yellow_low: Decimal | None = None
    yellow_high: Decimal | None = None
    red_high: Decimal | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in self.values)

    @property
    def values(self) -> tuple[Decimal | None, ...]:
        return (self.red_low, self.yellow_low, self.yellow_high, self.red_high)


@dataclass(frozen=True)
class RuleRow:
    type: MeasurementType
    direction: str
    amount: Decimal
    window_days: int
    baseline: str
    severity: str


MAX_WINDOW_DAYS = 90
"""The longest window a relative rule may look back: a baseline older than a quarter says
little about a change, and the evaluation reads that much history per reading."""

DIRECTIONS = ("rise", "fall")
BASELINES = ("lowest", "highest", "median")
RULE_SEVERITIES = ("yellow", "red")


class ThresholdError(ValueError):
    """Limits that cannot be saved; ``problems`` are translated sentences for the user."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def limits_problems(rows: Iterable[LimitRow]) -> list[str]:
    """What is wrong with these limits, one sentence per problem (empty when they are fine)."""
    problems = []
    labels = _labels()
    for row in rows:
        name = row.type.name
        present = [(i, v) for i, v in enumerate(row.values) if v is not None]
        for (i, a), (j, b) in pairwise(present):
            # red_low may equal yellow_low and yellow_high may equal red_high; all else is strict.
            may_equal = (i, j) in {(0, 1), (2, 3)}
            if a > b or (a == b and not may_equal):
                problems.append(
                    _("%(name)s: “%(a)s” (%(va)s) must be below “%(b)s” (%(vb)s).")
                    % {"name": name, "a": labels[i], "va": a, "b": labels[j], "vb": b}
                )
        for label, value in zip(labels, row.values, strict=True):
            if value is not None and not row.type.is_plausible(value):
                problems.append(
                    _("%(name)s: %(label)s %(value)s is outside the measurable range %(range)s.")
                    % {
                        "name": name,
                        "label": label,
                        "value": value,
                        "range": f"{row.type.plausible_min.normalize()}–"
                        f"{row.type.plausible_max.normalize()}",
                    }
                )
    return problems


def rule_row_problems(rules: Sequence[RuleRow]) -> list[list[str]]:
    """What is wrong with each rule, in the order given (an empty list for a rule that is fine).

    A rule must have an amount above zero that the type can measure (below the width of its
    plausible range, and at most three decimals), a window of 1 to ``MAX_WINDOW_DAYS`` days, a
    known direction, baseline and alarm severity, and no other rule may have the same type,
    direction and severity (the database allows one; two would only differ in how sure they are).
    """
    result: list[list[str]] = []
    seen: set[tuple[int, str, str]] = set()
    for rule in rules:
        problems: list[str] = []
        name = rule.type.name
        if rule.direction not in DIRECTIONS:
            problems.append(_("%(name)s: choose rise or fall.") % {"name": name})
        if rule.baseline not in BASELINES:
            problems.append(_("%(name)s: choose a baseline.") % {"name": name})
        if rule.severity not in RULE_SEVERITIES:
            problems.append(_("%(name)s: a rule raises a yellow or a red alarm.") % {"name": name})
        if not rule.amount.is_finite() or rule.amount <= 0:
            problems.append(
                _("%(name)s: the change must be more than 0 %(unit)s.")
                % {"name": name, "unit": rule.type.display_unit}
            )
        else:
            span = rule.type.plausible_max - rule.type.plausible_min
            if rule.amount >= span:
                problems.append(
                    _(
                        "%(name)s: a change of %(amount)s %(unit)s cannot be measured "
                        "(the range is %(range)s)."
                    )
                    % {
                        "name": name,
                        "amount": rule.amount.normalize(),
                        "unit": rule.type.display_unit,
                        "range": f"{rule.type.plausible_min.normalize()}–"
                        f"{rule.type.plausible_max.normalize()}",
                    }
                )
            elif rule.amount != rule.amount.quantize(Decimal("0.001")):
                problems.append(
                    _("%(name)s: give the change with at most three decimals.") % {"name": name}
                )
        if not 1 <= rule.window_days <= MAX_WINDOW_DAYS:
            problems.append(
                _("%(name)s: the window must be 1 to %(max)s days.")
                % {"name": name, "max": MAX_WINDOW_DAYS}
            )
        key = (rule.type.pk, rule.direction, rule.severity)
        if key in seen:
            problems.append(
                _("%(name)s: there is already a rule for a %(direction)s with this severity.")
                % {"name": name, "direction": _direction_label(rule.direction)}
            )
        seen.add(key)
        result.append(problems)
    return result


def rules_problems(rules: Iterable[RuleRow]) -> list[str]:
    """What is wrong with these relative rules, one sentence per problem (see
    ``rule_row_problems``); empty when they are fine."""
    return [problem for row in rule_row_problems(list(rules)) for problem in row]


def _direction_label(direction: str) -> str:
    return _("rise") if direction == "rise" else _("fall")


def _labels() -> tuple[str, str, str, str]:
    return (_("red below"), _("yellow below"), _("yellow above"), _("red above"))


def rows_of(threshold_set: ThresholdSet | None) -> tuple[list[LimitRow], list[RuleRow]]:
    """The limit and rule rows of a set (use a set fetched with ``with_rows``)."""
    if threshold_set is None:
        return [], []
    limits = [
        LimitRow(t.type, t.red_low, t.yellow_low, t.yellow_high, t.red_high)
        for t in threshold_set.thresholds.all()
    ]
    rules = [
        RuleRow(r.type, r.direction, r.amount, r.window_days, r.baseline, r.severity)
        for r in threshold_set.relative_rules.all()
    ]
    return limits, rules


def with_rows(sets: QuerySet[ThresholdSet]) -> QuerySet[ThresholdSet]:
    return sets.prefetch_related(
        Prefetch("thresholds", queryset=Threshold.objects.select_related("type")),
        Prefetch("relative_rules", queryset=RelativeRule.objects.select_related("type")),
    )


def rows_store(
    threshold_set: ThresholdSet, limits: Iterable[LimitRow], rules: Iterable[RuleRow]
) -> None:
    """Insert the rows of a new set (empty limit rows are left out: no threshold)."""
    Threshold.objects.bulk_create(
        Threshold(
            threshold_set=threshold_set,
            type=row.type,
            red_low=row.red_low,
            yellow_low=row.yellow_low,
            yellow_high=row.yellow_high,
            red_high=row.red_high,
        )
        for row in limits
        if not row.empty
    )
    rules_store(threshold_set, rules)


def rules_store(threshold_set: ThresholdSet, rules: Iterable[RuleRow | RelativeRule]) -> None:
    """Insert the relative rules of a new set: rows from a form, or another set's rules."""
    RelativeRule.objects.bulk_create(
        RelativeRule(
            threshold_set=threshold_set,
            type_id=rule.type_id if isinstance(rule, RelativeRule) else rule.type.pk,
            direction=rule.direction,
            amount=rule.amount,
            window_days=rule.window_days,
            baseline=rule.baseline,
            severity=rule.severity,
        )
        for rule in rules
    )


def rows_copy(*, source: ThresholdSet, target: ThresholdSet) -> None:
    """Copy the limit and rule rows of one set to a new one (two inserts)."""
    Threshold.objects.bulk_create(
        Threshold(
            threshold_set=target,
            type_id=t.type_id,
            red_low=t.red_low,
            yellow_low=t.yellow_low,
            yellow_high=t.yellow_high,
            red_high=t.red_high,
        )
        for t in Threshold.objects.filter(threshold_set=source)
    )
    rules_store(target, RelativeRule.objects.filter(threshold_set=source))


def templates_current(*, organisation: Organisation) -> dict[str, ThresholdSet]:
    """The newest template version of each COPD group the organisation keeps, with its rows."""
    sets = with_rows(
        ThresholdSet.objects.filter(kind=ThresholdSet.Kind.TEMPLATE, organisation=organisation)
        .order_by("copd_group", "-version")
        .distinct("copd_group")
    )
    return {s.copd_group: s for s in sets}


def template_current(*, organisation: Organisation, copd_group: str) -> ThresholdSet | None:
    return (
        with_rows(
            ThresholdSet.objects.filter(
                kind=ThresholdSet.Kind.TEMPLATE, organisation=organisation, copd_group=copd_group
            )
        )
        .order_by("-version")
        .first()
    )


def template_versions(*, organisation: Organisation, copd_group: str) -> QuerySet[ThresholdSet]:
    return (
        ThresholdSet.objects.filter(
            kind=ThresholdSet.Kind.TEMPLATE, organisation=organisation, copd_group=copd_group
        )
        .select_related("created_by")
        .order_by("-version")
    )


@transaction.atomic
def template_save(
    *,
    organisation: Organisation,
    copd_group: str,
    limits: Sequence[LimitRow],
    rules: Sequence[RuleRow] = (),
    by: User,
    reason: str,
    name: str = "",
) -> ThresholdSet:
    """Store a new version of the organisation's template for a COPD group."""
    if copd_group not in CopdGroup.values:
        raise ThresholdError([_("Choose a COPD group.")])
    problems = limits_problems(limits) + rules_problems(rules)
    if not reason.strip():
        problems.append(_("Say why the template changes."))
    if problems:
        raise ThresholdError(problems)
    # Lock the organisation row so two admins saving at once get versions n+1 and n+2.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    previous = (
        ThresholdSet.objects.filter(
            kind=ThresholdSet.Kind.TEMPLATE, organisation=organisation, copd_group=copd_group
        )
        .order_by("-version")
        .first()
    )
    template = ThresholdSet.objects.create(
        kind=ThresholdSet.Kind.TEMPLATE,
        organisation=organisation,
        copd_group=copd_group,
        name=name or (previous.name if previous else f"KOL – {CopdGroup(copd_group).label}"),
        version=(previous.version + 1) if previous else 1,
        based_on=previous,
        valid_from=timezone.now(),
        created_by=by,
        reason=reason.strip(),
    )
    rows_store(template, limits, rules)
    return template


def next_patient_version(patient_id: int) -> int:
    top = ThresholdSet.objects.filter(
        kind=ThresholdSet.Kind.PATIENT, patient_id=patient_id
    ).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1
