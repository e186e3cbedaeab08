"""Writes of the questionnaire library: drafts, their questions and answers, publishing,
retiring and new versions. Every change is one audit event, written in the same transaction.

Only a draft is ever edited. Publishing turns a draft into the one published version of its
code and retires the version published before, atomically (the database allows one published
version per code). A new version is a copy of a published one with the same link ids, so
answers given to earlier versions keep pointing at that version's own questions: those are never
changed or deleted (Answer.item is PROTECT).

The library is shared by all organisations, like the national FUT questionnaires: any
organisation admin may draft, publish and retire. A schedule keeps the version it was made
with; a retired version is no longer offered for new schedules but existing schedules keep
asking it until a nurse changes them (the library page says how many still do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, ProtectedError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from monitoring import questionnaire_rules as rules
from monitoring.models import ItemOption, MeasurementType, Questionnaire, QuestionnaireItem
from telemed.audit import audit_record

Kind = QuestionnaireItem.Kind
Status = Questionnaire.Status


class EditorError(Exception):
    """A change that cannot be made; ``message`` is translated, for the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PublishRefused(EditorError):
    def __init__(self, problems: list[rules.Problem]) -> None:
        super().__init__(_("The questionnaire was not published. Fix these first:"))
        self.problems = problems


@dataclass(frozen=True)
class OptionData:
    code: str
    text_da: str
    text_en: str
    severity: str = "green"
    score: int | None = None


@dataclass
class ItemData:
    """A question as the admin typed it. ``condition`` is (item id, option code)."""

    text_da: str
    text_en: str
    link_id: str = ""
    help_da: str = ""
    help_en: str = ""
    required: bool = True
    number_min: Decimal | None = None
    number_max: Decimal | None = None
    measurement_types: list[MeasurementType] = field(default_factory=list)
    condition: tuple[int, str] | None = None
    options: list[OptionData] = field(default_factory=list)


def boolean_options() -> list[OptionData]:
    """A new yes/no question's answers; the admin then picks their severity and score."""
    return [
        OptionData("yes", "Ja", "Yes", "green"),
        OptionData("no", "Nej", "No", "green"),
    ]


# Reads -----------------------------------------------------------------------------------------


def items_of(questionnaire: Questionnaire) -> list[QuestionnaireItem]:
    """The questions in order with their answers, measurement types and condition (3 queries)."""
    return list(
        questionnaire.items.order_by("position")
        .select_related("enable_when_item")
        .prefetch_related(
            Prefetch("options", queryset=ItemOption.objects.order_by("position")),
            Prefetch("measurement_types", queryset=MeasurementType.objects.order_by("sort_order")),
        )
    )


def rule_items(items: list[QuestionnaireItem]) -> list[rules.Item]:
    own = {item.pk: item.link_id for item in items}
    return [
        rules.Item(
            link_id=item.link_id,
            kind=item.kind,
            text=item.text_da,
            required=item.required,
            options=tuple(rules.Option(o.code, o.score) for o in item.options.all()),
            measurement_types=len(item.measurement_types.all()),
            number_min=item.number_min,
            number_max=item.number_max,
            condition=(
                rules.Condition(own.get(item.enable_when_item_id, ""), item.enable_when_option_code)
                if item.enable_when_item_id is not None
                else None
            ),
        )
        for item in items
    ]


def score_limits(questionnaire: Questionnaire) -> rules.ScoreLimits | None:
    score_type = questionnaire.score_type
    if score_type is None:
        return None
    return rules.ScoreLimits(score_type.name, score_type.plausible_min, score_type.plausible_max)


def problems_of(
    questionnaire: Questionnaire, items: list[QuestionnaireItem] | None = None
) -> list[rules.Problem]:
    if items is None:
        items = items_of(questionnaire)
    return rules.problems(rule_items(items), score_limits=score_limits(questionnaire))


# Writes ----------------------------------------------------------------------------------------


def _what(questionnaire: Questionnaire, text: str) -> str:
    return f"Questionnaire {questionnaire.code} v{questionnaire.version}{text}"


def _audit(request: HttpRequest, action: str, questionnaire: Questionnaire, text: str) -> None:
    audit_record(
        request=request,
        action=action,
        what=_what(questionnaire, text),
        object_type="questionnaire",
        object_id=questionnaire.pk,
    )


def _locked_draft(questionnaire: Questionnaire) -> Questionnaire:
    """The questionnaire row locked for this transaction; refused unless it is still a draft
    (another admin may have published it a moment ago)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status != Status.DRAFT:
        raise EditorError(
            _("Version %(version)s is %(status)s and cannot be changed. Make a new version.")
            % {"version": locked.version, "status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def questionnaire_create(
    *,
    request: HttpRequest,
    code: str,
    title_da: str,
    title_en: str,
    description_da: str = "",
    description_en: str = "",
    score_type: MeasurementType | None = None,
) -> Questionnaire:
    if Questionnaire.objects.filter(code=code).exists():
        raise EditorError(
            _("The code “%(code)s” is taken. Make a new version of that questionnaire instead.")
            % {"code": code}
        )
    try:
        with transaction.atomic():
            questionnaire = Questionnaire.objects.create(
                code=code,
                version=1,
                status=Status.DRAFT,
                title_da=title_da,
                title_en=title_en,
                description_da=description_da,
                description_en=description_en,
                score_type=score_type,
            )
    except IntegrityError as exc:  # another admin created the same code a moment ago
        raise EditorError(_("The code “%(code)s” is taken.") % {"code": code}) from exc
    _audit(request, "create", questionnaire, " created")
    return questionnaire


@transaction.atomic
def questionnaire_update(
    *,
    request: HttpRequest,
    questionnaire: Questionnaire,
    title_da: str,
    title_en: str,
    description_da: str = "",
    description_en: str = "",
    score_type: MeasurementType | None = None,
) -> Questionnaire:
    locked = _locked_draft(questionnaire)
    locked.title_da, locked.title_en = title_da, title_en
    locked.description_da, locked.description_en = description_da, description_en
    locked.score_type = score_type
    locked.save(
        update_fields=["title_da", "title_en", "description_da", "description_en", "score_type"]
    )
    _audit(request, "update", locked, " details changed")
    return locked


def _free_link_id(questionnaire: Questionnaire, wanted: str, text: str) -> str:
    """A link id for a new question: the one typed, else made from its text, unused here."""
    base = (wanted or slugify(text).replace("-", "_") or "question")[:36]
    taken = set(questionnaire.items.values_list("link_id", flat=True))
    link_id, n = base, 2
    while link_id in taken:
        link_id, n = f"{base}_{n}", n + 1
    return link_id


def _check_condition(questionnaire: Questionnaire, item_pk: int | None, data: ItemData) -> None:
    if data.condition is None:
        return
    target_pk, code = data.condition
    target = questionnaire.items.filter(pk=target_pk).first()
    if target is None or target.pk == item_pk:
        raise EditorError(_("Choose the condition among the other questions of this draft."))
    if not target.options.filter(code=code).exists():
        raise EditorError(_("That question does not offer this answer."))


def _write_details(item: QuestionnaireItem, data: ItemData) -> None:
    item.text_da, item.text_en = data.text_da, data.text_en
    item.help_da, item.help_en = data.help_da, data.help_en
    item.required = data.required
    number = item.kind == Kind.NUMBER
    item.number_min = data.number_min if number else None
    item.number_max = data.number_max if number else None
    item.enable_when_item_id = data.condition[0] if data.condition else None
    item.enable_when_option_code = data.condition[1] if data.condition else ""


def _write_options(item: QuestionnaireItem, data: ItemData) -> None:
    if item.kind == Kind.MEASUREMENT:
        item.measurement_types.set(data.measurement_types)
    if item.kind not in (Kind.BOOLEAN, Kind.CHOICE):
        return
    try:
        item.options.all().delete()
    except ProtectedError as exc:  # pragma: no cover - a draft has no answers
        raise EditorError(_("Answers were given to this question; make a new version.")) from exc
    ItemOption.objects.bulk_create(
        ItemOption(
            item=item,
            code=option.code,
            position=n,
            text_da=option.text_da,
            text_en=option.text_en,
            severity=option.severity,
            score=option.score,
        )
        for n, option in enumerate(data.options, start=1)
    )


def _taken(exc: IntegrityError, link_id: str) -> EditorError:
    if "questionnaireitem_unique_link_id" in str(exc):
        return EditorError(
            _("Another question of this draft has the link id “%(link_id)s”.")
            % {"link_id": link_id}
        )
    raise exc


@transaction.atomic
def item_add(
    *, request: HttpRequest, questionnaire: Questionnaire, kind: str, data: ItemData
) -> QuestionnaireItem:
    locked = _locked_draft(questionnaire)
    _check_condition(locked, None, data)
    position = (locked.items.aggregate(top=Max("position"))["top"] or 0) + 1
    item = QuestionnaireItem(
        questionnaire=locked,
        kind=kind,
        position=position,
        link_id=data.link_id or _free_link_id(locked, "", data.text_en or data.text_da),
    )
    _write_details(item, data)
    if kind == Kind.BOOLEAN and not data.options:
        data.options = boolean_options()
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise _taken(exc, item.link_id) from exc
    _write_options(item, data)
    _audit(request, "create", locked, f": question {item.link_id} added")
    return item


@transaction.atomic
def item_update(*, request: HttpRequest, item: QuestionnaireItem, data: ItemData) -> None:
    locked = _locked_draft(item.questionnaire)
    _check_condition(locked, item.pk, data)
    item.link_id = data.link_id or item.link_id
    _write_details(item, data)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise _taken(exc, item.link_id) from exc
    _write_options(item, data)
    _audit(request, "update", locked, f": question {item.link_id} changed")


@transaction.atomic
def item_remove(*, request: HttpRequest, item: QuestionnaireItem) -> None:
    locked = _locked_draft(item.questionnaire)
    dependent = locked.items.filter(enable_when_item=item).order_by("position").first()
    if dependent is not None:
        # Deleting would delete the dependent question too (the condition cascades).
        raise EditorError(
            _(
                "“%(other)s” is shown only on an answer to this question. Change or remove "
                "that condition first."
            )
            % {"other": dependent.text}
        )
    link_id = item.link_id
    item.delete()
    _audit(request, "delete", locked, f": question {link_id} removed")


@transaction.atomic
def item_move(*, request: HttpRequest, item: QuestionnaireItem, up: bool) -> bool:
    """Swap the question with the one before (``up``) or after it; False at either end."""
    locked = _locked_draft(item.questionnaire)
    siblings = locked.items.order_by("position")
    other = (
        siblings.filter(position__lt=item.position).last()
        if up
        else siblings.filter(position__gt=item.position).first()
    )
    if other is None:
        return False
    mine, theirs = item.position, other.position
    # Positions are unique per questionnaire: park one at 0 while they swap.
    QuestionnaireItem.objects.filter(pk=item.pk).update(position=0)
    QuestionnaireItem.objects.filter(pk=other.pk).update(position=mine)
    QuestionnaireItem.objects.filter(pk=item.pk).update(position=theirs)
    _audit(request, "update", locked, f": question {item.link_id} moved")
    return True


@transaction.atomic
def questionnaire_publish(*, request: HttpRequest, questionnaire: Questionnaire) -> Questionnaire:
    """Publish the draft, retiring the version published before; refused with every problem
    when the rules say no, and then nothing changes."""
    # Lock every version of this code, so two admins publishing at once queue up.
    versions = list(Questionnaire.objects.select_for_update().filter(code=questionnaire.code))
    locked = next(v for v in versions if v.pk == questionnaire.pk)
    if locked.status != Status.DRAFT:
        raise EditorError(_("Only a draft can be published."))
    found = problems_of(locked)
    if found:
        raise PublishRefused(found)
    previous = next((v for v in versions if v.status == Status.PUBLISHED), None)
    if previous is not None:
        previous.status = Status.RETIRED
        previous.save(update_fields=["status"])
    locked.status = Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    suffix = f" (v{previous.version} retired)" if previous is not None else ""
    _audit(request, "update", locked, f" published{suffix}")
    return locked


@transaction.atomic
def questionnaire_retire(*, request: HttpRequest, questionnaire: Questionnaire) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status != Status.PUBLISHED:
        raise EditorError(_("Only the published version can be retired."))
    locked.status = Status.RETIRED
    locked.save(update_fields=["status"])
    _audit(request, "update", locked, " retired")
    return locked


@transaction.atomic
def questionnaire_new_version(
    *, request: HttpRequest, questionnaire: Questionnaire
) -> Questionnaire:
    """A draft copy of a published or retired version, numbered after the newest one, with the
    same link ids, answers and conditions."""
    versions = list(Questionnaire.objects.select_for_update().filter(code=questionnaire.code))
    draft = next((v for v in versions if v.status == Status.DRAFT), None)
    if draft is not None:
        raise EditorError(
            _("Version %(version)s is already a draft. Change that one, or discard it first.")
            % {"version": draft.version}
        )
    source = next(v for v in versions if v.pk == questionnaire.pk)
    try:
        with transaction.atomic():
            copy = Questionnaire.objects.create(
                code=source.code,
                version=max(v.version for v in versions) + 1,
                status=Status.DRAFT,
                title_da=source.title_da,
                title_en=source.title_en,
                description_da=source.description_da,
                description_en=source.description_en,
                score_type=source.score_type,
            )
    except IntegrityError as exc:  # another admin made the new version a moment ago
        raise EditorError(
            _("Another admin has just made a new version. Open the list to find it.")
        ) from exc
    old_items = items_of(source)
    new_by_old: dict[int, QuestionnaireItem] = {}
    for old in old_items:
        new_by_old[old.pk] = QuestionnaireItem.objects.create(
            questionnaire=copy,
            link_id=old.link_id,
            position=old.position,
            kind=old.kind,
            text_da=old.text_da,
            text_en=old.text_en,
            help_da=old.help_da,
            help_en=old.help_en,
            required=old.required,
            number_min=old.number_min,
            number_max=old.number_max,
        )
    options = []
    for old in old_items:
        new = new_by_old[old.pk]
        new.measurement_types.set(old.measurement_types.all())
        if old.enable_when_item_id in new_by_old:
            new.enable_when_item = new_by_old[old.enable_when_item_id]
            new.enable_when_option_code = old.enable_when_option_code
            new.save(update_fields=["enable_when_item", "enable_when_option_code"])
        options += [
            ItemOption(
                item=new,
                code=o.code,
                position=o.position,
                text_da=o.text_da,
                text_en=o.text_en,
                severity=o.severity,
                score=o.score,
            )
            for o in old.options.all()
        ]
    ItemOption.objects.bulk_create(options)
    _audit(request, "create", copy, f" drafted from v{source.version}")
    return copy


@transaction.atomic
def questionnaire_discard(*, request: HttpRequest, questionnaire: Questionnaire) -> None:
    locked = _locked_draft(questionnaire)
    if locked.schedules.exists() or locked.submissions.exists():  # pragma: no cover - defensive
        raise EditorError(_("This draft is in use and cannot be discarded."))
    _audit(request, "delete", locked, " draft discarded")
    # Conditions point between items of the draft: clear them so the deletes need no order.
    locked.items.update(enable_when_item=None)
    locked.delete()
