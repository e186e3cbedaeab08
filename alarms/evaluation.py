"""Alarm evaluation: pure rules, no ORM, no clock.

Severity order: red > yellow > missing data > green (DESIGN.md, "Rules that matter").

Absolute limits. A value ``v`` against a threshold row::

    red     if v < red_low or v > red_high
    yellow  elif v < yellow_low or v > yellow_high
    green   otherwise

A value equal to a limit is inside it (SpO2 88 with "yellow below 88" is green). Any limit may
be empty. With no threshold row for the type the result is green with the reason
"no threshold", so the nurse can tell "fine" from "not judged".

Relative rules compare a value with the patient's own baseline of the same type:

* The window is the ``window_days`` * 24 hours before the new value's ``measured_at``
  (``measured_at - window <= t < measured_at``); the new value itself and anything measured
  after it are not part of its baseline.
* The baseline is the lowest, the highest or the median of the values in the window.
  ``lowest``/``highest`` need at least one earlier value; ``median`` needs at least
  ``MEDIAN_MIN_VALUES`` (3) so that one odd reading cannot be a baseline.
  With too little history the rule is silent (no finding), never an alarm.
* A rise fires when ``value - baseline >= amount``; a fall when ``baseline - value >= amount``
  (reaching the amount exactly counts: "a rise of 2 kg" includes 2.0 kg).

Example: weight rise of 2 kg within 3 days against the lowest weight = red; SpO2 fall of
4 points against the 7-day median = yellow.

Blood pressure is judged as the worst of systolic and diastolic: each is its own measurement
type with its own row, and a response's severity is the worst of its parts (``combine``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from monitoring.severity import SEVERITY_RANK as RANK
from monitoring.severity import Severity, worst

GREEN = Severity.GREEN.value
MISSING = Severity.MISSING.value
YELLOW = Severity.YELLOW.value
RED = Severity.RED.value

MEDIAN_MIN_VALUES = 3

__all__ = ["GREEN", "MISSING", "RANK", "RED", "YELLOW", "worst"]


def show_value(value: Decimal, decimals: int) -> str:
    """A value as stored, with at least the type's decimals and never rounded away:
    SpO2 87.5 stays "87.5" (a citizen typed it), 86 is "86", weight 80 is "80.0"."""
    stored = value.normalize().as_tuple().exponent
    if not isinstance(stored, int):  # NaN or infinity: nothing to quantize
        return str(value)
    exponent = min(-decimals, stored)
    return str(value.quantize(Decimal(1).scaleb(exponent)))


@dataclass(frozen=True)
class TypeInfo:
    """What a reason needs to say about the measurement type."""

    key: str
    short_name: str
    unit: str
    decimals: int = 0

    def show(self, value: Decimal) -> str:
        return show_value(value, self.decimals)


@dataclass(frozen=True)
class Limits:
    red_low: Decimal | None = None
    yellow_low: Decimal | None = None
    yellow_high: Decimal | None = None
    red_high: Decimal | None = None

    def problems(self) -> list[str]:
        """Which order rules the set limits break: red_low <= yellow_low < yellow_high <= red_high.

        Returns codes like "yellow_low<yellow_high" (the rule broken); empty when in order.
        The database enforces the same rules (alarms.models.Threshold).
        """
        broken = []
        for low_name, high_name, strict in _ORDER_RULES:
            low, high = getattr(self, low_name), getattr(self, high_name)
            if low is None or high is None:
                continue
            if low > high or (strict and low == high):
                broken.append(f"{low_name}{'<' if strict else '<='}{high_name}")
        return broken

    def as_dict(self) -> dict[str, str | None]:
        return {
            "red_low": _text(self.red_low),
            "yellow_low": _text(self.yellow_low),
            "yellow_high": _text(self.yellow_high),
            "red_high": _text(self.red_high),
        }


# (lower, higher, strictly): red_low may equal yellow_low (no yellow band below), and
# yellow_high may equal red_high; every other pair must leave room between them.
_ORDER_RULES = [
    ("red_low", "yellow_low", False),
    ("yellow_low", "yellow_high", True),
    ("yellow_high", "red_high", False),
    ("red_low", "red_high", True),
    ("red_low", "yellow_high", True),
    ("yellow_low", "red_high", True),
]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class RelativeRule:
    direction: str  # "rise" | "fall"
    amount: Decimal
    window_days: int
    baseline: str  # "lowest" | "highest" | "median"
    severity: str  # "yellow" | "red"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "direction": self.direction,
            "amount": str(self.amount),
            "window_days": self.window_days,
            "baseline": self.baseline,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Reason:
    """One finding in plain words; ``code`` lets the UI render it in the reader's language."""

    severity: str
    code: str
    type_key: str = ""
    type_name: str = ""
    value: str = ""
    limit: str = ""
    unit: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "severity": self.severity,
            "code": self.code,
            "type": self.type_key,
            "name": self.type_name,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
        }
        if self.extra:
            data["extra"] = dict(self.extra)
        return data

    def __str__(self) -> str:
        return english(self.as_dict())


@dataclass
class Result:
    severity: str
    reasons: list[Reason]
    snapshot: dict[str, object]

    def reasons_as_dicts(self) -> list[dict[str, object]]:
        return [reason.as_dict() for reason in self.reasons]


def evaluate_absolute(value: Decimal, limits: Limits | None, info: TypeInfo) -> Reason:
    if limits is None or all(
        limit is None
        for limit in (limits.red_low, limits.yellow_low, limits.yellow_high, limits.red_high)
    ):
        return Reason(
            GREEN, "no_threshold", info.key, info.short_name, info.show(value), "", info.unit
        )

    def reason(severity: str, code: str, limit: Decimal | None = None) -> Reason:
        limit_text = "" if limit is None else info.show(limit)
        return Reason(
            severity, code, info.key, info.short_name, info.show(value), limit_text, info.unit
        )

    if limits.red_low is not None and value < limits.red_low:
        return reason(RED, "below_red", limits.red_low)
    if limits.red_high is not None and value > limits.red_high:
        return reason(RED, "above_red", limits.red_high)
    if limits.yellow_low is not None and value < limits.yellow_low:
        return reason(YELLOW, "below_yellow", limits.yellow_low)
    if limits.yellow_high is not None and value > limits.yellow_high:
        return reason(YELLOW, "above_yellow", limits.yellow_high)
    return reason(GREEN, "within_limits")


def baseline_of(
    history: Sequence[tuple[datetime, Decimal]], measured_at: datetime, rule: RelativeRule
) -> Decimal | None:
    """The rule's baseline from ``history`` (see the module docstring), or None if too little."""
    start = measured_at - timedelta(days=rule.window_days)
    window = [value for at, value in history if start <= at < measured_at]
    if rule.baseline == "median":
        if len(window) < MEDIAN_MIN_VALUES:
            return None
        return Decimal(median(window))
    if not window:
        return None
    return min(window) if rule.baseline == "lowest" else max(window)


def evaluate_relative(
    value: Decimal,
    measured_at: datetime,
    history: Sequence[tuple[datetime, Decimal]],
    rule: RelativeRule,
    info: TypeInfo,
) -> Reason | None:
    baseline = baseline_of(history, measured_at, rule)
    if baseline is None:
        return None
    change = value - baseline if rule.direction == "rise" else baseline - value
    if change < rule.amount:
        return None
    return Reason(
        rule.severity,
        f"relative_{rule.direction}",
        info.key,
        info.short_name,
        info.show(value),
        info.show(rule.amount),
        info.unit,
        extra={
            "baseline": info.show(baseline),
            "baseline_kind": rule.baseline,
            "change": info.show(change),
            "days": str(rule.window_days),
        },
    )


def evaluate_measurement(
    *,
    value: Decimal,
    measured_at: datetime,
    info: TypeInfo,
    limits: Limits | None,
    rules: Sequence[RelativeRule] = (),
    history: Sequence[tuple[datetime, Decimal]] = (),
) -> Result:
    """Judge one value: absolute limits and relative rules; the worst finding wins.

    Reasons list every alarm finding, worst first; a green result keeps its one green reason.
    """
    findings = [evaluate_absolute(value, limits, info)]
    for rule in rules:
        finding = evaluate_relative(value, measured_at, history, rule, info)
        if finding is not None:
            findings.append(finding)
    severity = worst(finding.severity for finding in findings)
    alarms = [finding for finding in findings if finding.severity != GREEN]
    reasons = sorted(alarms, key=lambda r: -RANK[r.severity]) if alarms else findings[:1]
    snapshot: dict[str, object] = {
        "type": info.key,
        "limits": limits.as_dict() if limits is not None else None,
        "relative_rules": [rule.as_dict() for rule in rules],
    }
    return Result(severity, reasons, snapshot)


def answer_reason(
    severity: str, question: str, answer: str, question_en: str = "", answer_en: str = ""
) -> Reason:
    """A questionnaire answer as a reason, in Danish and (when the questionnaire has it)
    English, so each reader sees her language (alarms/reasons.py picks)."""
    return Reason(
        severity,
        "answer",
        extra={
            "question_da": question,
            "answer_da": answer,
            "question_en": question_en,
            "answer_en": answer_en,
        },
    )


def combine(parts: Iterable[Result]) -> Result:
    """A response's result: the worst of its parts, alarm reasons from all of them."""
    parts = list(parts)
    severity = worst(part.severity for part in parts)
    reasons = [reason for part in parts for reason in part.reasons if reason.severity != GREEN]
    reasons.sort(key=lambda r: -RANK[r.severity])
    snapshot: dict[str, object] = {
        "parts": [part.snapshot for part in parts if part.snapshot],
    }
    return Result(severity, reasons, snapshot)


_ENGLISH = {
    "no_threshold": "{name} {value} {unit}: no threshold",
    "within_limits": "{name} {value} {unit} within limits",
    "below_red": "{name} {value} {unit} below red limit {limit} {unit}",
    "above_red": "{name} {value} {unit} above red limit {limit} {unit}",
    "below_yellow": "{name} {value} {unit} below yellow limit {limit} {unit}",
    "above_yellow": "{name} {value} {unit} above yellow limit {limit} {unit}",
    "relative_rise": "{name} {value} {unit} rose {change} {unit} over {days} days "
    "(baseline {baseline} {unit})",
    "relative_fall": "{name} {value} {unit} fell {change} {unit} over {days} days "
    "(baseline {baseline} {unit})",
    "answer": "{question}: {answer}",
    "missing": "Expected {questionnaire} not received",
}


def english(reason: dict[str, object]) -> str:
    """Plain English text of a stored reason (the UI translates through alarms/reasons.py)."""
    params = {key: value for key, value in reason.items() if key != "extra"}
    extra = reason.get("extra")
    if isinstance(extra, Mapping):
        params.update(extra)
    for key in ("question", "answer"):
        if f"{key}_da" in params:
            params[key] = params.get(f"{key}_en") or params[f"{key}_da"]
    template = _ENGLISH.get(str(reason.get("code")), "{code}")
    return " ".join(template.format_map(_Default(params)).split())


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""
