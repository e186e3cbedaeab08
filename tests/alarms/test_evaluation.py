"""The alarm rules (alarms/evaluation.py): boundaries, empty limits, relative rules, combining."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alarms import evaluation
from alarms.evaluation import GREEN, RED, YELLOW, Limits, RelativeRule, TypeInfo

SPO2 = TypeInfo("spo2", "SpO2", "%", 0)
WEIGHT = TypeInfo("weight", "Vægt", "kg", 1)
SPO2_LIMITS = Limits(red_low=D(85), yellow_low=D(88))
PULSE = TypeInfo("pulse", "Puls", "/min", 0)
PULSE_LIMITS = Limits(red_low=D(40), yellow_low=D(50), yellow_high=D(110), red_high=D(130))
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def judge(value, limits=SPO2_LIMITS, info=SPO2):
    return evaluation.evaluate_absolute(D(value), limits, info)


@pytest.mark.parametrize(
    ("value", "severity", "code"),
    [
        ("84", RED, "below_red"),
        ("85", YELLOW, "below_yellow"),  # equal to the red limit is not below it
        ("87", YELLOW, "below_yellow"),
        ("88", GREEN, "within_limits"),  # equal to the yellow limit is inside
        ("100", GREEN, "within_limits"),
    ],
)
def test_low_side_boundaries(value, severity, code):
    reason = judge(value)
    assert (reason.severity, reason.code) == (severity, code)


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("39", RED),
        ("40", YELLOW),
        ("49", YELLOW),
        ("50", GREEN),
        ("110", GREEN),
        ("111", YELLOW),
        ("130", YELLOW),
        ("131", RED),
    ],
)
def test_both_sides(value, severity):
    assert judge(value, PULSE_LIMITS, PULSE).severity == severity


def test_reason_in_plain_words_names_value_and_limit():
    assert str(judge("86")) == "SpO2 86 % below yellow limit 88 %"
    assert str(judge("84")) == "SpO2 84 % below red limit 85 %"


def test_no_threshold_is_green_and_says_so():
    for limits in (None, Limits()):
        reason = judge("70", limits)
        assert reason.severity == GREEN
        assert reason.code == "no_threshold"
        assert "no threshold" in str(reason)


def test_only_red_limits_skip_yellow():
    limits = Limits(red_high=D("39.0"))
    assert judge("38.9", limits, TypeInfo("temperature", "Temp", "°C", 1)).severity == GREEN
    assert judge("39.1", limits, TypeInfo("temperature", "Temp", "°C", 1)).severity == RED


def test_value_shown_with_at_least_the_types_decimals():
    assert judge("85", Limits(red_low=D(90)), WEIGHT).value == "85.0"
    assert judge("85.45", Limits(red_low=D(90)), WEIGHT).value == "85.45"


@pytest.mark.parametrize(
    ("limits", "broken"),
    [
        (Limits(D(85), D(88), D(100), D(101)), []),
        (Limits(D(88), D(88), None, None), []),  # red_low may equal yellow_low
        (Limits(None, None, D(110), D(110)), []),  # yellow_high may equal red_high
        (Limits(D(89), D(88), None, None), ["red_low<=yellow_low"]),
        (Limits(None, D(90), D(90), None), ["yellow_low<yellow_high"]),
        (Limits(None, None, D(130), D(120)), ["yellow_high<=red_high"]),
        (Limits(D(50), None, None, D(50)), ["red_low<red_high"]),
    ],
)
def test_limits_order_problems(limits, broken):
    assert limits.problems() == broken


# Relative rules -------------------------------------------------------------------------

WEIGHT_RED = RelativeRule("rise", D("2"), 3, "lowest", RED)
WEIGHT_YELLOW = RelativeRule("rise", D("1"), 3, "lowest", YELLOW)
SPO2_FALL = RelativeRule("fall", D("4"), 7, "median", YELLOW)


def history(*pairs):
    return [(NOW - timedelta(hours=hours), D(value)) for hours, value in pairs]


def weigh(value, past, rules=(WEIGHT_RED, WEIGHT_YELLOW)):
    return evaluation.evaluate_measurement(
        value=D(value), measured_at=NOW, info=WEIGHT, limits=None, rules=rules, history=past
    )


def test_weight_rise_of_exactly_two_kg_within_three_days_is_red():
    result = weigh("82.0", history((48, "80.0"), (24, "81.0")))
    assert result.severity == RED
    assert result.reasons[0].code == "relative_rise"
    assert str(result.reasons[0]) == "Vægt 82.0 kg rose 2.0 kg over 3 days (baseline 80.0 kg)"


def test_weight_rise_just_under_the_amount_is_only_yellow():
    assert weigh("81.9", history((48, "80.0"))).severity == YELLOW


def test_both_relative_findings_are_listed_worst_first():
    result = weigh("83.0", history((24, "80.0")))
    assert [r.severity for r in result.reasons] == [RED, YELLOW]


def test_value_outside_the_window_is_not_a_baseline():
    # 72 hours is the window's edge (inclusive); one minute more is outside.
    assert weigh("83.0", history((72, "80.0"))).severity == RED
    outside = [(NOW - timedelta(hours=72, minutes=1), D("80.0"))]
    assert weigh("83.0", outside).severity == GREEN


def test_later_and_simultaneous_values_are_not_part_of_the_baseline():
    later = [(NOW + timedelta(hours=1), D("70.0")), (NOW, D("70.0"))]
    result = weigh("83.0", later)
    assert result.severity == GREEN
    assert result.reasons[0].code == "no_threshold"


def test_relative_rule_with_no_history_is_silent():
    assert weigh("120.0", []).severity == GREEN


def test_median_baseline_needs_three_values():
    two = history((24, "95"), (48, "95"))
    result = evaluation.evaluate_measurement(
        value=D(90), measured_at=NOW, info=SPO2, limits=None, rules=[SPO2_FALL], history=two
    )
    assert result.severity == GREEN
    three = history((24, "95"), (48, "96"), (72, "90"))
    result = evaluation.evaluate_measurement(
        value=D(91), measured_at=NOW, info=SPO2, limits=None, rules=[SPO2_FALL], history=three
    )
    assert result.severity == YELLOW  # median 95, fall 4
    assert result.reasons[0].extra["baseline"] == "95"


def test_absolute_and_relative_together_take_the_worst():
    result = evaluation.evaluate_measurement(
        value=D(84),
        measured_at=NOW,
        info=SPO2,
        limits=SPO2_LIMITS,
        rules=[SPO2_FALL],
        history=history((24, "95"), (48, "95"), (72, "95")),
    )
    assert result.severity == RED
    assert [r.code for r in result.reasons] == ["below_red", "relative_fall"]


def test_snapshot_keeps_the_limits_and_rules_used():
    result = evaluation.evaluate_measurement(
        value=D(86), measured_at=NOW, info=SPO2, limits=SPO2_LIMITS, rules=[SPO2_FALL], history=[]
    )
    assert result.snapshot["limits"] == {
        "red_low": "85",
        "yellow_low": "88",
        "yellow_high": None,
        "red_high": None,
    }
    assert result.snapshot["relative_rules"][0]["amount"] == "4"


def test_combine_is_the_worst_part_with_alarm_reasons_only():
    green = evaluation.Result(GREEN, [evaluation.answer_reason(GREEN, "Hoste?", "Nej")], {})
    yellow = evaluation.Result(YELLOW, [judge("86")], {"type": "spo2"})
    combined = evaluation.combine([green, yellow])
    assert combined.severity == YELLOW
    assert [r.code for r in combined.reasons] == ["below_yellow"]
    assert evaluation.combine([green]).severity == GREEN


def test_worst_order():
    assert evaluation.worst([]) == GREEN
    assert evaluation.worst([GREEN, "missing"]) == "missing"
    assert evaluation.worst(["missing", YELLOW]) == YELLOW
    assert evaluation.worst([YELLOW, RED, GREEN]) == RED


# Properties -------------------------------------------------------------------------------

limit_values = st.decimals(min_value=0, max_value=300, places=1, allow_nan=False)


@st.composite
def ordered_limits(draw):
    values = sorted(draw(st.lists(limit_values, min_size=4, max_size=4, unique=True)))
    keep = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    chosen = [value if flag else None for value, flag in zip(values, keep, strict=True)]
    return Limits(*chosen)


@given(ordered_limits(), limit_values, limit_values)
def test_raising_a_value_never_lowers_high_side_severity(limits, a, b):
    """Above the low limits, a higher value is never judged better than a lower one."""
    low, high = sorted((a, b))
    floor = max((x for x in (limits.red_low, limits.yellow_low) if x is not None), default=None)
    if floor is not None and low < floor:
        return
    rank = evaluation.RANK
    assert rank[judge(high, limits).severity] >= rank[judge(low, limits).severity]


@given(ordered_limits(), limit_values, limit_values)
def test_lowering_a_value_never_lowers_low_side_severity(limits, a, b):
    low, high = sorted((a, b))
    ceiling = min((x for x in (limits.yellow_high, limits.red_high) if x is not None), default=None)
    if ceiling is not None and high > ceiling:
        return
    rank = evaluation.RANK
    assert rank[judge(low, limits).severity] >= rank[judge(high, limits).severity]


@given(ordered_limits())
def test_generated_ordered_limits_have_no_problems(limits):
    assert limits.problems() == []


@given(ordered_limits(), limit_values)
def test_a_value_within_every_set_limit_is_green(limits, value):
    inside = all(
        (low is None or value >= low) for low in (limits.red_low, limits.yellow_low)
    ) and all((high is None or value <= high) for high in (limits.yellow_high, limits.red_high))
    assert (judge(value, limits).severity == GREEN) == inside


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [("87.500", 0, "87.5"), ("86.000", 0, "86"), ("80.000", 1, "80.0"), ("38.25", 1, "38.25")],
)
def test_values_are_shown_as_typed_never_rounded(value, decimals, shown):
    assert evaluation.show_value(D(value), decimals) == shown
    assert str(judge(value, SPO2_LIMITS, TypeInfo("x", "X", "%", decimals))).split()[1] == shown
