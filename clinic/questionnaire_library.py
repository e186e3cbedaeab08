"""What the questionnaire library's pages show: typed rows built from a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from monitoring import questionnaire_editor as editor
from monitoring import questionnaire_rules as rules
from monitoring.models import Questionnaire, QuestionnaireItem
from telemed import display


@dataclass
class VersionRow:
    pk: int
    version: int
    status: str
    status_label: str
    title: str
    items: int
    # Schedules in force that ask this version (a retired one keeps being asked until changed).
    schedules_in_use: int


@dataclass
class Family:
    """Every version of one questionnaire code."""

    code: str
    title: str
    published: VersionRow | None = None
    drafts: list[VersionRow] = field(default_factory=list)
    retired: list[VersionRow] = field(default_factory=list)


def library() -> list[Family]:
    """All questionnaires grouped by code, newest version first (one query)."""
    rows = Questionnaire.objects.annotate(
        n_items=Count("items", distinct=True),
        in_use=Count(
            "schedules",
            filter=Q(schedules__active=True, schedules__valid_until__isnull=True),
            distinct=True,
        ),
    ).order_by("code", "-version")
    families: dict[str, Family] = {}
    for q in rows:
        family = families.setdefault(q.code, Family(code=q.code, title=q.title))
        row = VersionRow(
            pk=q.pk,
            version=q.version,
            status=q.status,
            status_label=q.get_status_display(),
            title=q.title,
            items=q.n_items,
            schedules_in_use=q.in_use,
        )
        if q.status == Questionnaire.Status.PUBLISHED:
            family.published = row
            family.title = q.title
        elif q.status == Questionnaire.Status.DRAFT:
            family.drafts.append(row)
        else:
            family.retired.append(row)
    return list(families.values())


@dataclass
class OptionRow:
    code: str
    text_da: str
    text_en: str
    severity: str
    severity_label: str
    score: int | None


@dataclass
class ItemRow:
    pk: int
    number: int
    link_id: str
    kind: str
    kind_label: str
    text_da: str
    text_en: str
    required: bool
    options: list[OptionRow]
    measurement_types: list[str]
    number_min: str
    number_max: str
    condition: str
    problems: list[str]


@dataclass
class QuestionnairePage:
    questionnaire: Questionnaire
    items: list[ItemRow]
    problems: list[rules.Problem]
    score_range: rules.ScoreRange | None
    versions: list[Questionnaire]
    schedules_in_use: int
    has_draft: bool


def page(questionnaire: Questionnaire) -> QuestionnairePage:
    items = editor.items_of(questionnaire)
    found = editor.problems_of(questionnaire, items)
    by_link: dict[str, list[str]] = {}
    for problem in found:
        if problem.link_id:
            by_link.setdefault(problem.link_id, []).append(problem.message)
    versions = list(Questionnaire.objects.filter(code=questionnaire.code).order_by("-version"))
    by_pk = {item.pk: item for item in items}
    rows = [_item_row(n, item, by_pk, by_link) for n, item in enumerate(items, start=1)]
    return QuestionnairePage(
        questionnaire=questionnaire,
        items=rows,
        problems=found,
        score_range=rules.score_range(editor.rule_items(items)),
        versions=versions,
        schedules_in_use=questionnaire.schedules.current().count(),
        has_draft=any(v.status == Questionnaire.Status.DRAFT for v in versions),
    )


def _item_row(
    number: int,
    item: QuestionnaireItem,
    by_pk: dict[int, QuestionnaireItem],
    problems: dict[str, list[str]],
) -> ItemRow:
    condition = ""
    # The condition's item from the loaded list (its options are prefetched there).
    target = by_pk.get(item.enable_when_item_id or 0) or item.enable_when_item
    if target is not None:
        option = next(
            (o for o in target.options.all() if o.code == item.enable_when_option_code), None
        )
        answer = option.text if option else item.enable_when_option_code
        condition = f"“{target.text}” = {answer}"
    return ItemRow(
        pk=item.pk,
        number=number,
        link_id=item.link_id,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        text_da=item.text_da,
        text_en=item.text_en,
        required=item.required,
        options=[
            OptionRow(o.code, o.text_da, o.text_en, o.severity, o.get_severity_display(), o.score)
            for o in item.options.all()
        ],
        measurement_types=[t.name for t in item.measurement_types.all()],
        number_min=display.number(item.number_min, empty="–"),
        number_max=display.number(item.number_max, empty="–"),
        condition=condition,
        problems=problems.get(item.link_id, []),
    )
