"""What one local day (Europe/Copenhagen) adds to the quality indicators, read from the source
rows. ``compute`` is used by the nightly rebuild (indicators.services) and by
``manage.py indicators_check``, so the stored rows and the proof follow one set of rules:

* A patient is *active* on a day inside a monitoring period: from ``monitoring_started_on``
  (or an accepted referral that started monitoring again) up to and including the day of its
  ``MonitoringEnd``. The period's team is the end row's team, else the current monitoring team.
  *Started* and *ended* count those events on the day. Added up over a period the active
  figure is the patient-days that "per patient-week" divides by.
* *Occasions* are the due times of the schedule versions in force that day, those covered by a
  monitoring pause left out; *on time* means answered by the rule the missing-data alarms use
  (monitoring.occasions). *Missing-data alarms* are counted by the day the occasion was due.
* *Alarms* are the yellow and red results of measurements and questionnaires raised that day
  (results set aside as duplicates or errors left out).
* *Time to acknowledge* and the *outcomes per rule* are counted on the day of the
  acknowledgement (then they no longer change): minutes from raised to acknowledged, split by
  whether the alarm was raised in office hours (indicators.stats.in_office_hours).
* *Escalations*: first-tier escalations raised that day.
* *Referrals* belong to the receiving organisation: received (sent that day), accepted and
  rejected (decided that day), and for an accepted referral the days from the referral to the
  patient's first data after it, counted on the day that data arrived.

A result, an occasion or a pause belongs to the team of the patient's monitoring period on
that day (outside a period: the team of the latest one). An organisation's figures are the sum
of its teams' plus its referrals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from django.db.models import DateTimeField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Least
from django.utils import timezone

from alarms.models import Escalation, Outcome, TriageResult
from indicators import stats
from monitoring import schedules
from monitoring.models import Measurement, Schedule, Submission
from monitoring.occasions import OccasionFacts
from monitoring.severity import Severity
from patients.models import MonitoringEnd, Patient, PatientState, Referral, Team

ALARM_KINDS = (TriageResult.Kind.MEASUREMENT, TriageResult.Kind.SUBMISSION)
ALARM_LEVELS = (Severity.RED, Severity.YELLOW)
RULE_CODES = frozenset(
    {
        "below_red",
        "above_red",
        "below_yellow",
        "above_yellow",
        "relative_rise",
        "relative_fall",
        "answer",
    }
)
OUTCOME_FIELDS: dict[str, str] = {
    Outcome.Kind.ACTION: "action",
    Outcome.Kind.NO_ACTION: "no_action",
    Outcome.Kind.FALSE_ALARM: "false_alarm",
}
# How far back an accepted referral may lie and still wait for its first data.
REFERRAL_LOOKBACK = timedelta(days=366)

Scope = tuple[int, int | None]  # (organisation id, team id or None for the whole organisation)


@dataclass
class DayFigures:
    """The fields of an IndicatorDay row (lists kept sorted, so two computations compare)."""

    patients_active: int = 0
    patients_started: int = 0
    patients_ended: int = 0
    occasions_due: int = 0
    occasions_on_time: int = 0
    missing_alarms: int = 0
    alarms_red: int = 0
    alarms_yellow: int = 0
    ack_red_office: list[int] = field(default_factory=list)
    ack_red_outside: list[int] = field(default_factory=list)
    ack_yellow_office: list[int] = field(default_factory=list)
    ack_yellow_outside: list[int] = field(default_factory=list)
    escalations: int = 0
    referrals_received: int = 0
    referrals_accepted: int = 0
    referrals_rejected: int = 0
    referral_days_to_data: list[int] = field(default_factory=list)

    def add(self, other: DayFigures) -> None:
        for f in fields(self):
            mine = getattr(self, f.name)
            if isinstance(mine, list):
                setattr(self, f.name, sorted(mine + getattr(other, f.name)))
            else:
                setattr(self, f.name, mine + getattr(other, f.name))

    def normalised(self) -> DayFigures:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                setattr(self, f.name, sorted(value))
        return self

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELD_NAMES = tuple(f.name for f in fields(DayFigures))


@dataclass
class RuleCounts:
    action: int = 0
    no_action: int = 0
    false_alarm: int = 0
    no_outcome: int = 0


RuleKey = tuple[int, int | None, str, str]  # organisation, team, rule, severity


@dataclass
class Day:
    """Everything one day adds: the rows per scope and the outcome counts per rule."""

    day: date
    figures: dict[Scope, DayFigures]
    rules: dict[RuleKey, RuleCounts]


def day_window(day: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at the start and the end of ``day`` (23 or 25 hours
    long on the daylight-saving days)."""
    zone = timezone.get_default_timezone()
    return (
        schedules.local_due(day, time(0, 0), zone),
        schedules.local_due(day + timedelta(days=1), time(0, 0), zone),
    )


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def rule_key(reason: Mapping[str, object]) -> str | None:
    """The rule a stored reason comes from, or None for a reason that is not an alarm rule."""
    code = str(reason.get("code") or "")
    if code not in RULE_CODES:
        return None
    if code == "answer":
        extra = reason.get("extra")
        question = str(extra.get("question_da", "")) if isinstance(extra, Mapping) else ""
        return f"answer:{question}"[:120]
    return f"{reason.get('type') or ''}:{code}"[:120]


# Monitoring periods -----------------------------------------------------------------------


@dataclass
class _Patient:
    team_id: int | None
    closed: bool  # discharged or deceased
    starts: list[date] = field(default_factory=list)
    ends: list[tuple[date, int | None]] = field(default_factory=list)


@dataclass
class Periods:
    """The patients' monitoring periods, loaded once for any number of days (three queries)."""

    patients: dict[int, _Patient]
    team_organisation: dict[int, int]

    @classmethod
    def load(cls) -> Periods:
        patients: dict[int, _Patient] = {}
        for pk, team_id, started, state in Patient.objects.filter(
            monitoring_started_on__isnull=False
        ).values_list("pk", "monitoring_team_id", "monitoring_started_on", "state"):
            if started is None:
                continue
            patients[pk] = _Patient(
                team_id=team_id,
                closed=state in (PatientState.DISCHARGED, PatientState.DECEASED),
                starts=[started],
            )
        for patient_id, decided in Referral.objects.filter(
            status=Referral.Status.ACCEPTED, patient__isnull=False, decided_at__isnull=False
        ).values_list("patient_id", "decided_at"):
            if decided is not None and patient_id in patients:
                patients[patient_id].starts.append(local_day(decided))
        for patient_id, team_id, ended in MonitoringEnd.objects.values_list(
            "patient_id", "team_id", "ended_at"
        ):
            if patient_id in patients:
                patients[patient_id].ends.append((local_day(ended), team_id))
        for patient in patients.values():
            patient.starts = sorted(set(patient.starts))
            patient.ends.sort(key=lambda end: end[0])
        teams = dict(Team.objects.values_list("pk", "organisation_id"))
        return cls(patients=patients, team_organisation=teams)

    def state_on(self, patient_id: int, day: date) -> tuple[bool, int | None]:
        """(active on ``day``, the team ``day`` belongs to)."""
        patient = self.patients.get(patient_id)
        if patient is None:
            return False, None
        start = max((s for s in patient.starts if s <= day), default=None)
        if start is None:
            return False, self._team_after(patient, day)
        ending = next(((d, team) for d, team in patient.ends if d >= start), None)
        if ending is None:
            # An open period; a closed patient without an end row has none.
            return not patient.closed, patient.team_id
        end_day, team_id = ending
        if day <= end_day:
            return True, team_id
        return False, team_id

    @staticmethod
    def _team_after(patient: _Patient, day: date) -> int | None:
        for end_day, team_id in patient.ends:
            if end_day >= day:
                return team_id
        return patient.team_id

    def scope_of(self, patient_id: int, day: date) -> Scope | None:
        _, team_id = self.state_on(patient_id, day)
        if team_id is None:
            return None
        organisation_id = self.team_organisation.get(team_id)
        return None if organisation_id is None else (organisation_id, team_id)


# One day --------------------------------------------------------------------------------


def compute(day: date, periods: Periods | None = None, *, now: datetime | None = None) -> Day:
    """The figures ``day`` adds, per team and per organisation (about ten queries)."""
    periods = periods or Periods.load()
    now = now or timezone.now()
    start, end = day_window(day)
    teams: dict[Scope, DayFigures] = {
        (organisation_id, team_id): DayFigures()
        for team_id, organisation_id in periods.team_organisation.items()
    }
    rules: dict[RuleKey, RuleCounts] = defaultdict(RuleCounts)

    def figures_of(patient_id: int) -> DayFigures | None:
        scope = periods.scope_of(patient_id, day)
        return None if scope is None else teams.get(scope)

    _patients(day, periods, teams)
    _occasions(day, start, end, now, figures_of)
    for (patient_id,) in TriageResult.objects.filter(
        kind=TriageResult.Kind.MISSING, due_at__gte=start, due_at__lt=end
    ).values_list("patient_id"):
        if (figures := figures_of(patient_id)) is not None:
            figures.missing_alarms += 1
    raised = TriageResult.objects.filter(
        kind__in=ALARM_KINDS,
        severity__in=ALARM_LEVELS,
        created_at__gte=start,
        created_at__lt=end,
        ignored_at__isnull=True,
    )
    for patient_id, severity in raised.values_list("patient_id", "severity"):
        if (figures := figures_of(patient_id)) is not None:
            if severity == Severity.RED:
                figures.alarms_red += 1
            else:
                figures.alarms_yellow += 1
    _acknowledgements(day, start, end, periods, figures_of, rules)
    for (patient_id,) in Escalation.objects.filter(
        tier=Escalation.Tier.TEAM, created_at__gte=start, created_at__lt=end
    ).values_list("patient_id"):
        if (figures := figures_of(patient_id)) is not None:
            figures.escalations += 1

    result: dict[Scope, DayFigures] = {}
    for (organisation_id, team_id), figures in teams.items():
        result[(organisation_id, team_id)] = figures.normalised()
        result.setdefault((organisation_id, None), DayFigures()).add(figures)
    _referrals(day, start, end, result)
    for (organisation_id, _team, rule, severity), counts in list(rules.items()):
        whole = rules[(organisation_id, None, rule, severity)]
        whole.action += counts.action
        whole.no_action += counts.no_action
        whole.false_alarm += counts.false_alarm
        whole.no_outcome += counts.no_outcome
    return Day(day=day, figures=result, rules=dict(rules))


def _patients(day: date, periods: Periods, teams: dict[Scope, DayFigures]) -> None:
    for patient_id, patient in periods.patients.items():
        active, _ = periods.state_on(patient_id, day)
        scope = periods.scope_of(patient_id, day)
        figures = teams.get(scope) if scope else None
        if figures is None:
            continue
        if active:
            figures.patients_active += 1
        if day in patient.starts:
            figures.patients_started += 1
        figures.patients_ended += sum(1 for end_day, _ in patient.ends if end_day == day)


def _occasions(day: date, start: datetime, end: datetime, now: datetime, figures_of) -> None:
    versions = (
        Schedule.objects.in_force(start)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lt=end))
        .only(
            "patient_id",
            "questionnaire_id",
            "kind",
            "weekdays",
            "times",
            "interval_days",
            "once_at",
            "starts_on",
            "ends_on",
            "grace_minutes",
            "valid_from",
            "valid_until",
        )
    )
    occasions: list[tuple[int, int, datetime, timedelta]] = []
    for version in versions:
        try:
            rule = version.rule()
        except ValueError:
            continue  # an incomplete rule asks for nothing
        for due in schedules.occurrences(rule, start, end):
            occasions.append((version.patient_id, version.questionnaire_id, due, rule.grace))
    if not occasions:
        return
    longest = max(grace for *_, grace in occasions)
    facts = OccasionFacts.load(
        patient_ids={patient_id for patient_id, *_ in occasions},
        since=start - longest,
        until=end + longest,
    )
    for patient_id, questionnaire_id, due, grace in occasions:
        if facts.paused(patient_id=patient_id, due=due):
            continue
        figures = figures_of(patient_id)
        if figures is None:
            continue
        figures.occasions_due += 1
        if facts.answered(
            patient_id=patient_id, questionnaire_id=questionnaire_id, due=due, grace=grace
        ):
            figures.occasions_on_time += 1


def _acknowledgements(day, start, end, periods, figures_of, rules) -> None:
    acknowledged = TriageResult.objects.filter(
        kind__in=ALARM_KINDS,
        severity__in=ALARM_LEVELS,
        acknowledged_at__gte=start,
        acknowledged_at__lt=end,
        ignored_at__isnull=True,
    ).values_list(
        "patient_id", "severity", "created_at", "acknowledged_at", "outcome__kind", "reasons"
    )
    for patient_id, severity, created, acknowledged_at, outcome_kind, reasons in acknowledged:
        scope = periods.scope_of(patient_id, day)
        figures = figures_of(patient_id)
        if scope is None or figures is None or acknowledged_at is None:
            continue
        minutes = stats.whole_minutes(created, acknowledged_at)
        office = stats.in_office_hours(created)
        level = "red" if severity == Severity.RED else "yellow"
        name = f"ack_{level}_{'office' if office else 'outside'}"
        getattr(figures, name).append(minutes)
        seen: set[tuple[str, str]] = set()
        for reason in reasons or ():
            if not isinstance(reason, Mapping) or reason.get("severity") not in ALARM_LEVELS:
                continue
            key = rule_key(reason)
            if key is None or (key, str(reason["severity"])) in seen:
                continue
            seen.add((key, str(reason["severity"])))
            counts = rules[(scope[0], scope[1], key, str(reason["severity"]))]
            outcome_field = OUTCOME_FIELDS.get(str(outcome_kind), "no_outcome")
            setattr(counts, outcome_field, getattr(counts, outcome_field) + 1)


def _referrals(day: date, start: datetime, end: datetime, result: dict[Scope, DayFigures]) -> None:
    def whole(organisation_id: int) -> DayFigures:
        return result.setdefault((organisation_id, None), DayFigures())

    for (organisation_id,) in Referral.objects.filter(
        created_at__gte=start, created_at__lt=end
    ).values_list("receiving_organisation_id"):
        whole(organisation_id).referrals_received += 1
    for organisation_id, status in Referral.objects.filter(
        decided_at__gte=start,
        decided_at__lt=end,
        status__in=[Referral.Status.ACCEPTED, Referral.Status.REJECTED],
    ).values_list("receiving_organisation_id", "status"):
        if status == Referral.Status.ACCEPTED:
            whole(organisation_id).referrals_accepted += 1
        else:
            whole(organisation_id).referrals_rejected += 1

    def first(model: type[Submission] | type[Measurement]) -> Subquery:
        return Subquery(
            model.objects.filter(
                patient_id=OuterRef("patient_id"), received_at__gte=OuterRef("created_at")
            )
            .values("patient_id")
            .annotate(first=Min("received_at"))
            .values("first")[:1],
            output_field=DateTimeField(),
        )

    arrivals = (
        Referral.objects.filter(
            status=Referral.Status.ACCEPTED,
            patient__isnull=False,
            created_at__gte=start - REFERRAL_LOOKBACK,
            created_at__lt=end,
        )
        .annotate(first_data=Least(first(Submission), first(Measurement)))
        .filter(first_data__gte=start, first_data__lt=end)
        .values_list("receiving_organisation_id", "created_at")
    )
    for organisation_id, created in arrivals:
        whole(organisation_id).referral_days_to_data.append((day - local_day(created)).days)
    for figures in result.values():
        figures.normalised()


def days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
