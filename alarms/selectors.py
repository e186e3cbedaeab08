"""Reads for the clinicians' patient lists.

Each list is one query: the open (unacknowledged, unresolved) triage results are summarised per
patient in correlated subqueries, so the page costs the same for 3 patients as for 300.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Field,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alarms.models import Escalation, PatientNote
from alarms.summary import open_q
from monitoring.models import Message
from monitoring.severity import TRIAGE_LEVELS, Severity
from patients import cpr
from patients.models import Patient, PatientState, Team

# Patients a clinician works with from the start page; discharged and deceased ones are history.
CURRENT_STATES = [PatientState.REFERRED, PatientState.ACTIVE, PatientState.PAUSED]


def _when_open(field: str, output: Field) -> Case:
    """A triage-summary field, or None when the patient has nothing open."""
    return Case(When(open_count__gt=0, then=F(field)), default=Value(None), output_field=output)


def with_open_results(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate ``open_count`` and ``worst_open_severity`` (None when nothing is open) from the
    maintained triage summary (alarms.models.PatientTriage), ordered as the triage list: worst
    first, longest waiting first inside a level, patients with nothing open last."""
    open_total = (
        F("triage__open_red")
        + F("triage__open_yellow")
        + F("triage__open_missing")
        + F("triage__open_green")
    )
    return (
        patients.annotate(open_count=Coalesce(open_total, Value(0)))
        .annotate(
            worst_open_severity=_when_open("triage__level", CharField()),
            worst_open_rank=_when_open("triage__level_rank", IntegerField()),
        )
        .order_by(
            F("worst_open_rank").desc(nulls_last=True),
            F("triage__waiting_since").asc(nulls_last=True),
            "last_name",
            "first_name",
            "pk",
        )
    )


# The nurse's triage list -----------------------------------------------------------------------

TRIAGE_PAGE_SIZE = 50
TRIAGE_STATES = [PatientState.ACTIVE, PatientState.PAUSED]
# Latest values shown per row, in this order (blood pressure as systolic/diastolic).
KEY_TYPES = ["spo2", "pulse", "bp", "weight", "temperature", "cat_score"]


@dataclass(frozen=True)
class TriageFilters:
    team_id: int | None = None
    level: str | None = None
    query: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Any) -> TriageFilters:
        def number(name: str) -> int | None:
            raw = (params.get(name) or "").strip()
            return int(raw) if raw.isdigit() else None

        level = params.get("level") or None
        return cls(
            team_id=number("team"),
            level=level if level in TRIAGE_LEVELS else None,
            query=(params.get("q") or "").strip()[:100],
            page=max(number("page") or 1, 1),
        )

    def as_query(self, **changes: Any) -> str:
        values = {"team": self.team_id, "level": self.level, "q": self.query, "page": self.page}
        values.update(changes)
        kept = {key: value for key, value in values.items() if value not in (None, "", 1)}
        return urlencode(kept)


@dataclass
class TriagePage:
    rows: Sequence[Patient]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    hidden_red: int  # red patients the current filter does not show
    teams: list[Team]
    open_green: int = 0  # open green results of the patients the filter shows (all pages)
    filters: TriageFilters = field(default_factory=TriageFilters)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _search(patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """Name words (each must match a first or last name) or the start of a CPR number."""
    digits = cpr.normalize(query)
    if digits.isdigit():
        return patients.filter(cpr__startswith=digits)
    for word in query.split():
        patients = patients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return patients


def _attention(today: date) -> dict[str, QuerySet]:
    """Per-patient subqueries for what needs a nurse besides results: an unread message from
    the citizen, or a note whose reminder date has come."""
    return {
        "unread": Message.objects.filter(
            patient=OuterRef("pk"), sender_is_citizen=True, read_by_team_at__isnull=True
        ).order_by(),
        "reminder": PatientNote.objects.filter(
            patient=OuterRef("pk"), remind_on__lte=today, done_at__isnull=True
        ),
    }


def _triage_base(teams: list[Team], filters: TriageFilters) -> QuerySet[Patient]:
    team_ids = [team.pk for team in teams]
    if filters.team_id in team_ids:
        team_ids = [filters.team_id]
    base: QuerySet[Patient] = Patient.objects.filter(
        monitoring_team_id__in=team_ids, state__in=TRIAGE_STATES
    )
    if filters.query:
        base = _search(base, filters.query)
    return base


def _level_filter(patients: QuerySet[Patient], level: str | None) -> QuerySet[Patient]:
    if not level:
        return patients
    shown = Coalesce(F("triage__level"), Value("green"))
    return patients.alias(shown_level=shown).filter(shown_level=level)


def triage_patient_ids(*, user: Any, filters: TriageFilters) -> list[int]:
    """Every patient the filter shows, on all pages (for "acknowledge all green")."""
    teams = user_teams(user)
    patients = _level_filter(_triage_base(teams, filters), filters.level)
    return list(patients.values_list("pk", flat=True))


def with_row_annotations(
    patients: QuerySet[Patient], attention: dict[str, QuerySet] | None = None
) -> QuerySet[Patient]:
    """What a triage row shows besides the summary: unread messages, the next due reminder
    and whether an open result has been escalated. The list and a single row (opened,
    refreshed or re-rendered after an action) use the same, so no mark comes and goes."""
    attention = attention or _attention(timezone.localdate())
    return patients.select_related("triage", "triage__worst_result", "monitoring_team").annotate(
        unread_messages=Coalesce(
            Subquery(attention["unread"].values("patient").annotate(n=Count("pk")).values("n")),
            Value(0),
        ),
        reminder=Subquery(attention["reminder"].order_by("remind_on").values("text")[:1]),
        escalated=Exists(Escalation.objects.filter(open_q("result__"), patient_id=OuterRef("pk"))),
    )


def triage_row(patient_id: int) -> Patient:
    """One patient as a row of the triage list (the caller has checked access)."""
    return with_row_annotations(Patient.objects.filter(pk=patient_id)).get()


def triage_list(
    *, user: Any, filters: TriageFilters, per_page: int = TRIAGE_PAGE_SIZE
) -> TriagePage:
    """The nurse's triage list: her teams' monitored patients, worst level first, longest
    waiting first inside a level. Five queries whatever the number of patients or results.

    Red patients are never hidden by paging: the first page grows to hold every red patient.
    A level filter that leaves reds out reports how many (``hidden_red``).
    """
    teams = user_teams(user)
    base = _triage_base(teams, filters)
    attention = _attention(timezone.localdate())
    counts = _counts(base, attention, filters.level)
    shown = _level_filter(base, filters.level)
    total = counts[filters.level] if filters.level else counts["total"]
    red = counts["red"] if filters.level in (None, "red") else 0
    first_page = max(per_page, red)
    pages = 1 + max(0, -(-(total - first_page) // per_page))
    page = min(filters.page, pages)
    start = 0 if page == 1 else first_page + (page - 2) * per_page
    stop = first_page if page == 1 else start + per_page

    rows = list(
        with_row_annotations(shown, attention)
        .annotate(
            # red 6, yellow 4, missing data 2, an unread message or a due reminder 1, others 0.
            urgency=Coalesce(F("triage__level_rank"), Value(0)) * 2
            + Case(
                When(Q(unread_messages__gt=0) | Q(reminder__isnull=False), then=Value(1)),
                default=Value(0),
            )
        )
        .order_by(
            F("urgency").desc(),
            F("triage__waiting_since").asc(nulls_last=True),
            "last_name",
            "first_name",
            "pk",
        )[start:stop]
    )
    return TriagePage(
        rows=rows,
        counts={name: counts[name] for name in COUNTER_KEYS},
        total=total,
        page=page,
        pages=pages,
        hidden_red=counts["red"] if filters.level not in (None, "red") else 0,
        teams=teams,
        filters=filters,
        open_green=counts["open_green"] or 0,
    )


# The counters above the list: patients per level, with unread messages, with due reminders.
COUNTER_KEYS = [*TRIAGE_LEVELS, "messages", "reminders"]


def user_teams(user: Any) -> list[Team]:
    """The clinician's teams with their organisation, by name (one query)."""
    return list(
        Team.objects.filter(group__user=user).select_related("organisation").order_by("name")
    )


def _counts(
    base: QuerySet[Patient], attention: dict[str, QuerySet], level: str | None
) -> dict[str, int]:
    """Patients per level, with unread messages and due reminders, and the open green results
    of the patients ``level`` shows (one query)."""
    shown_level = Coalesce(F("triage__level"), Value("green"))
    counts = base.alias(shown_level=shown_level).aggregate(
        **{
            name: Count("pk", filter=Q(triage__level=name))
            for name in TRIAGE_LEVELS
            if name != Severity.GREEN
        },
        total=Count("pk"),
        messages=Count("pk", filter=Q(Exists(attention["unread"]))),
        reminders=Count("pk", filter=Q(Exists(attention["reminder"]))),
        open_green=Sum("triage__open_green", filter=Q(shown_level=level) if level else None),
    )
    # Green counts every patient without an open alarm, those without a summary row too.
    counts[Severity.GREEN] = counts["total"] - sum(
        counts[name] for name in TRIAGE_LEVELS if name != Severity.GREEN
    )
    return counts


def triage_counts(*, user: Any, filters: TriageFilters) -> dict[str, int]:
    """The list's counters alone (after an acknowledgement, so they change at once): two
    queries."""
    counts = _counts(
        _triage_base(user_teams(user), filters), _attention(timezone.localdate()), filters.level
    )
    return {name: counts[name] for name in COUNTER_KEYS}
