"""The citizen's answering flow: one question per screen, a draft kept in the session.

The draft lives server-side in the session (not in the browser), so it survives a reload, a
lost connection between screens and a phone without JavaScript. It is plain JSON::

    {"uuid": "<client uuid of the submission>", "started_at": "<iso>",
     "values": {link_id: {"option": code} | {"number": "37,5"} | {"text": "..."}
                         | {"m": {type key: "87,5"}, "at": "<iso>"}}}

Raw text is kept as typed; it is parsed again when the response is sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alarms.services import AnswerInput, Reading
from monitoring import answers, schedules
from monitoring.models import (
    ItemOption,
    Measurement,
    MeasurementType,
    QuestionnaireItem,
    Schedule,
)

TEXT_MAX = 2000
RECENT_DAYS = 30
RECENT_PER_TYPE = 10


def draft_key(schedule_id: int) -> str:
    return f"answer-draft:{schedule_id}"


def draft_get(session: SessionBase, schedule_id: int) -> dict[str, Any]:
    draft = session.get(draft_key(schedule_id))
    if not isinstance(draft, dict) or "uuid" not in draft:
        draft = {"uuid": str(uuid.uuid4()), "started_at": timezone.now().isoformat(), "values": {}}
    draft.setdefault("values", {})
    return draft


def draft_save(session: SessionBase, schedule_id: int, draft: dict[str, Any]) -> None:
    session[draft_key(schedule_id)] = draft
    session.modified = True


def draft_clear(session: SessionBase, schedule_id: int) -> None:
    session.pop(draft_key(schedule_id), None)


def load_items(schedule: Schedule) -> list[QuestionnaireItem]:
    """The questionnaire's items in order, with options and measurement types (3 queries)."""
    return list(
        schedule.questionnaire.items.order_by("position").prefetch_related(
            Prefetch("options", queryset=ItemOption.objects.order_by("position")),
            Prefetch("measurement_types", queryset=MeasurementType.objects.order_by("sort_order")),
        )
    )


def is_enabled(item: QuestionnaireItem, values: dict[str, Any], by_id: dict[int, Any]) -> bool:
    """A conditional item is asked only when its condition item was answered with the option."""
    if item.enable_when_item_id is None:
        return True
    condition = by_id.get(item.enable_when_item_id)
    if condition is None:
        return False
    answered = values.get(condition.link_id, {})
    return answered.get("option") == item.enable_when_option_code


def steps(items: list[QuestionnaireItem], values: dict[str, Any]) -> list[QuestionnaireItem]:
    by_id = {item.pk: item for item in items}
    return [item for item in items if is_enabled(item, values, by_id)]


def is_danish() -> bool:
    return (get_language() or "da").startswith("da")


def limits_of(measurement_type: MeasurementType) -> answers.TypeLimits:
    return answers.TypeLimits(
        key=measurement_type.key,
        name=measurement_type.name,
        unit=measurement_type.display_unit,
        plausible_min=measurement_type.plausible_min,
        plausible_max=measurement_type.plausible_max,
        decimals=measurement_type.decimals,
    )


def recent_values(patient_id: int, type_ids: list[int]) -> dict[int, list[Decimal]]:
    """Up to RECENT_PER_TYPE latest values per type from the last RECENT_DAYS (one query)."""
    if not type_ids:
        return {}
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = (
        Measurement.objects.filter(
            patient_id=patient_id, type_id__in=type_ids, measured_at__gte=since
        )
        .order_by("-measured_at")
        .values_list("type_id", "value")[: RECENT_PER_TYPE * len(type_ids) * 3]
    )
    found: dict[int, list[Decimal]] = {type_id: [] for type_id in type_ids}
    for type_id, value in rows:
        if len(found[type_id]) < RECENT_PER_TYPE:
            found[type_id].append(value)
    return found


@dataclass
class StepResult:
    """What a posted screen gave: the raw values to keep and, per field, a message."""

    value: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    # Fields whose value is plausible but far from the usual: key -> usual value shown.
    recheck: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_step(
    item: QuestionnaireItem, data: Any, *, patient_id: int, validate: bool = True
) -> StepResult:
    """Parse one posted screen. ``data`` is request.POST; nothing typed is ever dropped."""
    kind = item.kind
    if kind in (QuestionnaireItem.Kind.BOOLEAN, QuestionnaireItem.Kind.CHOICE):
        code = (data.get("option") or "").strip()
        codes = {option.code for option in item.options.all()}
        result = StepResult({"option": code} if code in codes else {})
        if validate and code and code not in codes:
            result.errors["option"] = _("Please choose one of the answers.")
        elif validate and not code and item.required:
            result.errors["option"] = _("Please choose an answer.")
        return result
    if kind == QuestionnaireItem.Kind.TEXT:
        text = (data.get("text") or "").strip()
        result = StepResult({"text": text})
        if validate and len(text) > TEXT_MAX:
            result.errors["text"] = _(
                "Please keep it shorter than %(max)s characters (now %(count)s)."
            ) % {"max": TEXT_MAX, "count": len(text)}
        elif validate and not text and item.required:
            result.errors["text"] = _("Please write an answer.")
        return result
    if kind == QuestionnaireItem.Kind.NUMBER:
        raw = (data.get("number") or "").strip()
        result = StepResult({"number": raw})
        if validate and (raw or item.required):
            try:
                answers.parse_number(
                    raw, minimum=item.number_min, maximum=item.number_max, danish=is_danish()
                )
            except answers.AnswerError as error:
                result.errors["number"] = error.message
        return result
    # Measurement: one field per type, e.g. SpO2 and pulse on one screen.
    types = list(item.measurement_types.all())
    raw_values = {t.key: (data.get(f"m_{t.key}") or "").strip() for t in types}
    result = StepResult({"m": raw_values, "at": timezone.now().isoformat()})
    if not validate:
        return result
    if not item.required and not any(raw_values.values()):
        return result
    parsed: dict[int, Decimal] = {}
    for measurement_type in types:
        try:
            parsed[measurement_type.pk] = answers.parse_measurement(
                raw_values[measurement_type.key], limits_of(measurement_type), danish=is_danish()
            )
        except answers.AnswerError as error:
            result.errors[measurement_type.key] = error.message
    recent = recent_values(patient_id, list(parsed))
    for measurement_type in types:
        if measurement_type.pk not in parsed:
            continue
        value = parsed[measurement_type.pk]
        history = recent.get(measurement_type.pk, [])
        confirmed = (data.get(f"confirm_{measurement_type.key}") or "").strip()
        if (
            answers.needs_recheck(value, history, measurement_type.key)
            and confirmed != (raw_values[measurement_type.key])
        ):
            usual = answers.usual_value(history)
            assert usual is not None
            shown = answers.show(usual, measurement_type.decimals, danish=is_danish())
            result.recheck[measurement_type.key] = shown
            result.errors[measurement_type.key] = _(
                "%(value)s %(unit)s is very different from your usual value (about %(usual)s "
                "%(unit)s). Please measure again and type the new value. If %(value)s is "
                "right, press “Next” again."
            ) % {
                "value": raw_values[measurement_type.key],
                "unit": measurement_type.display_unit,
                "usual": shown,
            }
    return result


def is_answered(item: QuestionnaireItem, value: dict[str, Any] | None) -> bool:
    """Whether the stored draft value is a complete answer for the item (required or not)."""
    if value is None:
        return False
    if not item.required:
        return True
    if "option" in value:
        return bool(value["option"])
    if "m" in value:
        return all(value["m"].values()) and bool(value["m"])
    if "number" in value:
        return bool(value["number"])
    return bool(value.get("text"))


def build_submission(
    items: list[QuestionnaireItem], values: dict[str, Any]
) -> tuple[list[AnswerInput], list[Reading]]:
    """Turn the draft into the service's inputs. Raises answers.AnswerError on a bad value."""
    answer_inputs: list[AnswerInput] = []
    readings: list[Reading] = []
    danish = is_danish()
    for item in steps(items, values):
        value = values.get(item.link_id) or {}
        if "option" in value:
            option = next((o for o in item.options.all() if o.code == value["option"]), None)
            if option is not None:
                answer_inputs.append(AnswerInput(item=item, option=option))
        elif value.get("number"):
            number = answers.parse_number(
                value["number"], minimum=item.number_min, maximum=item.number_max, danish=danish
            )
            answer_inputs.append(AnswerInput(item=item, value_number=number))
        elif value.get("text"):
            answer_inputs.append(AnswerInput(item=item, value_text=value["text"][:TEXT_MAX]))
        elif "m" in value:
            measured_at = parse_datetime(value.get("at") or "") or timezone.now()
            for measurement_type in item.measurement_types.all():
                raw = value["m"].get(measurement_type.key, "")
                if not raw:
                    continue
                number = answers.parse_measurement(raw, limits_of(measurement_type), danish=danish)
                readings.append(Reading(measurement_type, number, min(measured_at, timezone.now())))
    return answer_inputs, readings


def occasion_for(schedule: Schedule, now: datetime) -> datetime | None:
    """The occasion an answer given ``now`` belongs to: today's latest one already due, else
    today's next one; None when the schedule asks nothing today."""
    try:
        rule = schedule.rule()
    except ValueError:
        return None
    today = timezone.localdate(now)
    occasions = schedules.occasions_on(rule, today, now)
    started = [o.due_at for o in occasions if o.state != "upcoming"]
    if started:
        return started[-1]
    return occasions[0].due_at if occasions else None


def summary_rows(items: list[QuestionnaireItem], values: dict[str, Any]) -> list[dict[str, Any]]:
    """What the citizen answered, in words, for the confirmation screen and the receipt."""
    rows = []
    for item in steps(items, values):
        value = values.get(item.link_id)
        shown: list[str] = []
        if value:
            if "option" in value:
                option = next((o for o in item.options.all() if o.code == value["option"]), None)
                shown = [option.text] if option else []
            elif "m" in value:
                for measurement_type in item.measurement_types.all():
                    raw = value["m"].get(measurement_type.key)
                    if raw:
                        shown.append(
                            f"{measurement_type.name}: {raw} {measurement_type.display_unit}"
                        )
            elif value.get("number"):
                shown = [value["number"]]
            elif value.get("text"):
                shown = [value["text"]]
        rows.append({"item": item, "shown": shown, "answered": is_answered(item, value)})
    return rows
