"""Relative rules as rows of a plain POST form: the admin's threshold template, the doctor's
referral and the patient's thresholds tab all edit them the same way, without JavaScript.

Each row is ``r-<n>-type``, ``-direction``, ``-amount``, ``-window_days``, ``-baseline``,
``-severity`` and ``-remove``; ``r-count`` says how many rows the form had. The form shows the
rules there are and ``EXTRA_ROWS`` empty rows; a row left without a measurement (or ticked
"remove") is no rule. What was typed is shown again as typed when a save is refused, with the
problems next to the row (``alarms.threshold_templates.rule_row_problems``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from alarms.models import RelativeRule
from alarms.threshold_templates import (
    BASELINES,
    DIRECTIONS,
    MAX_WINDOW_DAYS,
    RULE_SEVERITIES,
    RuleRow,
    rule_row_problems,
)
from monitoring.models import MeasurementType
from monitoring.severity import Severity

EXTRA_ROWS = 2
MAX_ROWS = 40  # a posted count beyond this is not believed


def parse_decimal(raw: str) -> Decimal | None:
    """ "2,5" or "2.5" → Decimal("2.5"); "" → None; InvalidOperation when it is not a number."""
    raw = (raw or "").strip().replace(" ", "").replace(",", ".")
    if not raw:
        return None
    value = Decimal(raw)
    if not value.is_finite():
        raise InvalidOperation
    return value


def show_decimal(value: Decimal | None) -> str:
    """A stored value as it is typed in the reader's language (2.500 → "2,5" in Danish)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


@dataclass
class RuleFormRow:
    """One row of the rule editor as typed (strings), with its problems."""

    prefix: str
    type_key: str = ""
    direction: str = "rise"
    amount: str = ""
    window_days: str = ""
    baseline: str = "lowest"
    severity: str = "yellow"
    remove: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class RuleEditor:
    """What the template ``clinic/referrals/_rule_rows.html`` shows."""

    rows: list[RuleFormRow]
    types: list[MeasurementType]
    max_window_days: int = MAX_WINDOW_DAYS

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def directions(self) -> list[tuple[str, str]]:
        labels = dict(RelativeRule.Direction.choices)
        return [(value, str(labels[value])) for value in DIRECTIONS]

    @property
    def baselines(self) -> list[tuple[str, str]]:
        labels = dict(RelativeRule.Baseline.choices)
        return [(value, str(labels[value])) for value in BASELINES]

    @property
    def severities(self) -> list[tuple[str, str]]:
        labels = dict(Severity.choices)
        return [(value, str(labels[value])) for value in RULE_SEVERITIES]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)


def rule_editor(
    types: Sequence[MeasurementType],
    rules: Sequence[RuleRow],
    data: Mapping[str, Any] | None = None,
) -> tuple[RuleEditor, list[RuleRow], list[str]]:
    """The editor rows from posted ``data`` (kept as typed) or from ``rules`` (plus empty rows);
    also the parsed rules and every problem, checked by ``rule_row_problems``.

    Posted data without ``r-count`` (a form that had no rule editor) keeps ``rules`` as they are:
    leaving the rules out never removes them."""
    types = list(types)
    if data is not None and "r-count" not in data:
        data = None
    # A type a rule uses stays choosable even if the page offers fewer types.
    for rule in rules:
        if all(t.pk != rule.type.pk for t in types):
            types.append(rule.type)
    if data is None:
        rows = [
            RuleFormRow(
                prefix=f"r-{index}",
                type_key=rule.type.key,
                direction=rule.direction,
                amount=show_decimal(rule.amount),
                window_days=str(rule.window_days),
                baseline=rule.baseline,
                severity=rule.severity,
            )
            for index, rule in enumerate(rules)
        ]
        rows += [RuleFormRow(prefix=f"r-{len(rows) + i}") for i in range(EXTRA_ROWS)]
        return RuleEditor(rows, types), list(rules), []

    by_key = {t.key: t for t in types}
    # Posted types may be any measurement type that exists, not only those offered.
    wanted = {str(data.get(f"r-{i}-type", "")).strip() for i in range(_count(data))} - {""}
    if wanted - set(by_key):
        for more in MeasurementType.objects.filter(key__in=wanted - set(by_key)):
            by_key[more.key] = more
            types.append(more)
    rows, parsed, owners, problems = [], [], [], []
    mtype: MeasurementType | None
    for index in range(_count(data)):
        prefix = f"r-{index}"
        row = RuleFormRow(
            prefix=prefix,
            type_key=str(data.get(f"{prefix}-type", "")).strip(),
            direction=str(data.get(f"{prefix}-direction", "rise")),
            amount=str(data.get(f"{prefix}-amount", "")).strip(),
            window_days=str(data.get(f"{prefix}-window_days", "")).strip(),
            baseline=str(data.get(f"{prefix}-baseline", "lowest")),
            severity=str(data.get(f"{prefix}-severity", "yellow")),
            remove=bool(data.get(f"{prefix}-remove")),
        )
        rows.append(row)
        if row.remove or (not row.type_key and not row.amount and not row.window_days):
            continue
        mtype = by_key.get(row.type_key)
        if mtype is None:
            row.errors.append(
                _("Rule %(n)s: choose a measurement.") % {"n": index + 1}
                if not row.type_key
                else _("Rule %(n)s: “%(key)s” is not a measurement type.")
                % {"n": index + 1, "key": row.type_key}
            )
        amount = _amount(row, mtype, index)
        window = _window(row, mtype, index)
        if mtype is None or amount is None or window is None:
            continue
        parsed.append(RuleRow(mtype, row.direction, amount, window, row.baseline, row.severity))
        owners.append(row)
    for row, row_problems in zip(owners, rule_row_problems(parsed), strict=True):
        row.errors.extend(row_problems)
    for row in rows:
        problems.extend(row.errors)
    return RuleEditor(rows, types), parsed, problems


def _count(data: Mapping[str, Any]) -> int:
    raw = str(data.get("r-count", "0"))
    return min(int(raw), MAX_ROWS) if raw.isdigit() else 0


def _name(mtype: MeasurementType | None, index: int) -> str:
    return mtype.name if mtype is not None else _("Rule %(n)s") % {"n": index + 1}


def _amount(row: RuleFormRow, mtype: MeasurementType | None, index: int) -> Decimal | None:
    try:
        amount = parse_decimal(row.amount)
    except (InvalidOperation, ValueError):
        amount = None
        row.errors.append(
            _("%(name)s: “%(raw)s” is not a number.")
            % {"name": _name(mtype, index), "raw": row.amount}
        )
    else:
        if amount is None:
            row.errors.append(
                _("%(name)s: give the change, e.g. 2.") % {"name": _name(mtype, index)}
            )
    return amount


def _window(row: RuleFormRow, mtype: MeasurementType | None, index: int) -> int | None:
    if row.window_days.isdigit():
        return int(row.window_days)
    row.errors.append(
        _("%(name)s: give the window as a whole number of days (1 to %(max)s).")
        % {"name": _name(mtype, index), "max": MAX_WINDOW_DAYS}
    )
    return None
