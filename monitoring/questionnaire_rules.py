"""What a questionnaire must satisfy before it is published. Pure: no ORM, no clock.

The editor (monitoring/questionnaire_editor.py) turns a draft into these plain values, asks
``problems()`` and refuses to publish while the list is not empty; the draft's page shows the
same list while the admin works, so nothing comes as a surprise at the end.

A questionnaire with a score type (CAT: the sum of the answers' scores, 0–40, stored as the
measurement "cat_score") must be able to produce only scores that measurement accepts: the
citizen's answers would otherwise be refused as implausible when they are sent. ``score_range``
gives the lowest and highest total the answers can add up to; the page shows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from telemed import display

BOOLEAN = "boolean"
CHOICE = "choice"
NUMBER = "number"
MEASUREMENT = "measurement"
TEXT = "text"
KINDS = (BOOLEAN, CHOICE, NUMBER, MEASUREMENT, TEXT)
WITH_OPTIONS = (BOOLEAN, CHOICE)
# A yes/no question always offers these two answers (FHIR maps "yes" to valueBoolean true).
BOOLEAN_CODES = ("yes", "no")


@dataclass(frozen=True)
class Option:
    code: str
    score: int | None = None


@dataclass(frozen=True)
class Condition:
    """Ask the item only when ``link_id`` was answered with ``option_code``. ``link_id`` is
    empty when the condition points at an item that is not in this questionnaire."""

    link_id: str
    option_code: str


@dataclass(frozen=True)
class Item:
    link_id: str
    kind: str
    text: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    measurement_types: int = 0
    number_min: Decimal | None = None
    number_max: Decimal | None = None
    condition: Condition | None = None


@dataclass(frozen=True)
class ScoreLimits:
    """The plausible range of the measurement the total is stored as."""

    name: str
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Problem:
    """Why the questionnaire cannot be published; ``link_id`` names the question, if any."""

    code: str
    message: str
    link_id: str = ""


@dataclass(frozen=True)
class ScoreRange:
    low: int
    high: int


@dataclass
class _Found:
    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str, link_id: str = "") -> None:
        self.problems.append(Problem(code, message, link_id))


def _label(item: Item, number: int) -> str:
    return _("Question %(number)s (%(link_id)s)") % {"number": number, "link_id": item.link_id}


def score_range(items: Sequence[Item]) -> ScoreRange | None:
    """The lowest and highest total the scored answers can add up to, or None when no answer
    has a score. A question the citizen may skip (optional, or asked only on a condition) adds
    nothing when skipped, so it may add 0 as well as its own lowest and highest score."""
    low = high = 0
    scored = False
    for item in items:
        scores = [o.score for o in item.options if o.score is not None]
        if item.kind not in WITH_OPTIONS or not scores:
            continue
        scored = True
        may_skip = not item.required or item.condition is not None
        low += min([*scores, 0]) if may_skip else min(scores)
        high += max([*scores, 0]) if may_skip else max(scores)
    return ScoreRange(low, high) if scored else None


def problems(items: Sequence[Item], *, score_limits: ScoreLimits | None = None) -> list[Problem]:
    """Everything that stops publishing, in the order of the questions (empty when it may be
    published). ``score_limits`` is given when the questionnaire stores a score."""
    found = _Found()
    if not items:
        found.add("no_items", _("Add at least one question before publishing."))
        return found.problems

    counts = Counter(item.link_id for item in items)
    for link_id, count in sorted(counts.items()):
        if count > 1:
            found.add(
                "duplicate_link_id",
                _("The link id “%(link_id)s” is used by %(count)s questions; each needs its own.")
                % {"link_id": link_id, "count": count},
                link_id,
            )

    positions = {item.link_id: n for n, item in enumerate(items)}
    by_link = {item.link_id: item for item in items}
    for number, item in enumerate(items, start=1):
        label = _label(item, number)
        codes = [option.code for option in item.options]
        if item.kind not in KINDS:
            found.add("unknown_kind", _("%(q)s has an unknown kind.") % {"q": label}, item.link_id)
        if item.kind == CHOICE and len(codes) < 2:
            found.add(
                "choice_without_options",
                _("%(q)s is a single choice and needs at least two answers to choose from.")
                % {"q": label},
                item.link_id,
            )
        if item.kind == BOOLEAN and sorted(codes) != sorted(BOOLEAN_CODES):
            found.add(
                "boolean_options",
                _("%(q)s is a yes/no question and must offer exactly the answers yes and no.")
                % {"q": label},
                item.link_id,
            )
        duplicates = sorted(code for code, n in Counter(codes).items() if n > 1)
        if duplicates:
            found.add(
                "duplicate_option_code",
                _("%(q)s has two answers with the code “%(code)s”.")
                % {"q": label, "code": duplicates[0]},
                item.link_id,
            )
        if item.kind == NUMBER and (
            item.number_min is not None
            and item.number_max is not None
            and item.number_min >= item.number_max
        ):
            found.add(
                "number_range_order",
                _("%(q)s: the lowest answer must be below the highest.") % {"q": label},
                item.link_id,
            )
        if item.kind == MEASUREMENT and item.measurement_types < 1:
            found.add(
                "measurement_without_type",
                _("%(q)s asks for a measurement but no measurement type is chosen.") % {"q": label},
                item.link_id,
            )
        _check_condition(found, item, label, positions, by_link, number - 1)

    _check_scores(found, items, score_limits)
    return found.problems


def _check_condition(
    found: _Found,
    item: Item,
    label: str,
    positions: dict[str, int],
    by_link: dict[str, Item],
    index: int,
) -> None:
    condition = item.condition
    if condition is None:
        return
    target = by_link.get(condition.link_id) if condition.link_id else None
    if target is None:
        found.add(
            "condition_missing_item",
            _("%(q)s is shown only on an answer to a question that is not in this questionnaire.")
            % {"q": label},
            item.link_id,
        )
        return
    if positions[condition.link_id] >= index:
        found.add(
            "condition_not_earlier",
            _(
                "%(q)s depends on the answer to “%(link_id)s”, which is not asked before it. "
                "Move it below that question or change the condition."
            )
            % {"q": label, "link_id": condition.link_id},
            item.link_id,
        )
    if target.kind not in WITH_OPTIONS:
        found.add(
            "condition_on_open_answer",
            _("%(q)s depends on “%(link_id)s”, which has no answers to choose from.")
            % {"q": label, "link_id": condition.link_id},
            item.link_id,
        )
    elif condition.option_code not in {option.code for option in target.options}:
        found.add(
            "condition_missing_option",
            _("%(q)s depends on the answer “%(code)s” of “%(link_id)s”, which it does not offer.")
            % {"q": label, "code": condition.option_code, "link_id": condition.link_id},
            item.link_id,
        )


def _check_scores(found: _Found, items: Sequence[Item], limits: ScoreLimits | None) -> None:
    for number, item in enumerate(items, start=1):
        scores = [option.score for option in item.options]
        if any(score is not None for score in scores) and None in scores:
            found.add(
                "partial_scores",
                _("%(q)s: give every answer a score, or none of them.")
                % {"q": _label(item, number)},
                item.link_id,
            )
    total = score_range(items)
    if limits is None:
        if total is not None:
            found.add(
                "scores_without_type",
                _(
                    "Some answers have a score, but the questionnaire does not say which "
                    "measurement the score is stored as. Choose one, or remove the scores."
                ),
            )
        return
    if total is None:
        found.add(
            "no_scores",
            _("The score is stored as %(name)s, but no answer has a score.")
            % {"name": limits.name},
        )
        return
    if total.low < limits.low or total.high > limits.high:
        found.add(
            "score_range_outside",
            _(
                "The answers add up to between %(low)s and %(high)s, but %(name)s accepts only "
                "%(min)s to %(max)s."
            )
            % {
                "low": total.low,
                "high": total.high,
                "name": limits.name,
                "min": display.number(limits.low),
                "max": display.number(limits.high),
            },
        )
