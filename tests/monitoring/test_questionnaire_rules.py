"""The rules a questionnaire must meet before it is published (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from monitoring.questionnaire_rules import (
    Condition,
    Item,
    Option,
    ScoreLimits,
    ScoreRange,
    problems,
    score_range,
)

YES_NO = (Option("yes"), Option("no"))
CAT = ScoreLimits("CAT score", Decimal("0"), Decimal("40"))


def codes(items, **kwargs):
    return [p.code for p in problems(items, **kwargs)]


def yes_no(link_id="fever", **kwargs):
    return Item(link_id, "boolean", options=YES_NO, **kwargs)


def cat_item(link_id, **kwargs):
    return Item(link_id, "choice", options=tuple(Option(str(n), n) for n in range(6)), **kwargs)


def test_a_complete_questionnaire_has_no_problems():
    items = [
        Item("spo2_pulse", "measurement", measurement_types=2),
        yes_no("fever"),
        Item("temp", "measurement", measurement_types=1, condition=Condition("fever", "yes")),
        Item("breathless", "choice", options=(Option("no"), Option("much"))),
        Item("steps", "number", number_min=Decimal(0), number_max=Decimal(50000)),
        Item("other", "text", required=False),
    ]
    assert problems(items) == []


def test_no_questions_is_refused_with_a_message():
    with translation.override("en"):
        [problem] = problems([])
    assert problem.code == "no_items"
    assert problem.message == "Add at least one question before publishing."


def test_a_condition_on_a_question_that_is_not_there_is_refused():
    items = [yes_no("fever"), Item("temp", "text", condition=Condition("", "yes"))]
    assert codes(items) == ["condition_missing_item"]
    [problem] = problems(items)
    assert problem.link_id == "temp"


def test_a_condition_on_an_answer_the_question_does_not_offer_is_refused():
    items = [yes_no("fever"), Item("temp", "text", condition=Condition("fever", "maybe"))]
    assert codes(items) == ["condition_missing_option"]


def test_a_condition_on_a_later_question_or_on_itself_is_refused():
    later = [Item("temp", "text", condition=Condition("fever", "yes")), yes_no("fever")]
    assert codes(later) == ["condition_not_earlier"]
    itself = [yes_no("fever", condition=Condition("fever", "yes"))]
    assert codes(itself) == ["condition_not_earlier"]


def test_a_condition_on_a_question_without_answers_to_choose_is_refused():
    items = [Item("note", "text"), Item("temp", "text", condition=Condition("note", "yes"))]
    assert codes(items) == ["condition_on_open_answer"]


def test_a_single_choice_needs_two_answers():
    assert codes([Item("q", "choice")]) == ["choice_without_options"]
    assert codes([Item("q", "choice", options=(Option("a"),))]) == ["choice_without_options"]


def test_yes_no_must_offer_exactly_yes_and_no():
    assert codes([Item("q", "boolean", options=(Option("yes"),))]) == ["boolean_options"]
    assert codes([Item("q", "boolean", options=(Option("ja"), Option("nej")))]) == [
        "boolean_options"
    ]


def test_duplicate_link_ids_and_option_codes_are_refused():
    assert codes([Item("q", "text"), Item("q", "text")]) == ["duplicate_link_id"]
    item = Item("q", "choice", options=(Option("a"), Option("a")))
    assert codes([item]) == ["duplicate_option_code"]


def test_number_range_must_be_in_order():
    assert codes([Item("n", "number", number_min=Decimal(5), number_max=Decimal(5))]) == [
        "number_range_order"
    ]
    assert codes([Item("n", "number", number_min=Decimal(5))]) == []


def test_a_measurement_question_needs_a_type():
    assert codes([Item("m", "measurement")]) == ["measurement_without_type"]


def test_the_cat_adds_up_to_0_to_40():
    items = [cat_item(f"cat_{n}") for n in range(8)]
    assert score_range(items) == ScoreRange(0, 40)
    assert problems(items, score_limits=CAT) == []


def test_scores_outside_the_measurement_range_are_refused_with_the_range():
    items = [cat_item(f"cat_{n}") for n in range(9)]
    with translation.override("en"):
        [problem] = problems(items, score_limits=CAT)
    assert problem.code == "score_range_outside"
    assert "between 0 and 45" in problem.message and "0 to 40" in problem.message


def test_score_rules():
    assert codes([yes_no()], score_limits=CAT) == ["no_scores"]
    half = Item("q", "choice", options=(Option("a", 1), Option("b")))
    assert "partial_scores" in codes([half], score_limits=CAT)
    assert codes([cat_item("q")]) == ["scores_without_type"]


def test_a_question_that_may_be_skipped_can_add_nothing():
    scored = Item("q", "choice", options=(Option("a", 2), Option("b", 3)))
    assert score_range([scored]) == ScoreRange(2, 3)
    optional = Item("q", "choice", required=False, options=scored.options)
    assert score_range([optional]) == ScoreRange(0, 3)
    asked_if = Item("r", "choice", options=scored.options, condition=Condition("f", "yes"))
    assert score_range([yes_no("f"), asked_if]) == ScoreRange(0, 3)


scores = st.lists(st.integers(min_value=-5, max_value=10), min_size=1, max_size=6)


@given(st.lists(st.tuples(scores, st.booleans()), max_size=8), st.data())
def test_every_possible_total_lies_in_the_score_range(questions, data):
    """Whatever answers the citizen picks (or skips, when allowed), the total is in range."""
    items = [
        Item(
            f"q{n}",
            "choice",
            required=required,
            options=tuple(Option(f"o{i}", s) for i, s in enumerate(option_scores)),
        )
        for n, (option_scores, required) in enumerate(questions)
    ]
    total_range = score_range(items)
    if not items:
        assert total_range is None
        return
    total = 0
    for option_scores, required in questions:
        skip = not required and data.draw(st.booleans())
        if not skip:
            total += data.draw(st.sampled_from(option_scores))
    assert total_range is not None
    assert total_range.low <= total <= total_range.high
