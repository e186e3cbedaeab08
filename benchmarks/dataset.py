"""The benchmark data set: a region's instance after three years, built with COPY.

Fixed seed, so the same ``--patients``/``--years``/seed give the same people and values (the
dates move with the day of the build). Shape, per patient (see docs/PERFORMANCE.md):

* 20 teams in one municipality, 3 nurses each, plus a coordinator nurse on every team; GP
  doctors with treatment responsibility; guardian permissions as ``patient_assign_care`` grants.
* Monitoring started on a random day of the period (a fifth of the patients on its first day);
  each patient measures on 40–95 % of the mornings: SpO2 and pulse, weight on about half of
  them, temperature on a few, blood pressure twice a week for a third of the patients; the CAT
  questionnaire weekly (score stored as a measurement); FEV1 every two weeks and CRP every two
  months as standalone readings.
* 60 % of the patients upload from a device (one TriageResult per measurement, as the device
  API stores them), 40 % type their values into the daily KOL questionnaire (one submission
  with the measurements embedded and one TriageResult for it; a missed morning raises a
  missing-data alarm).
* Results older than three days are acknowledged by a nurse of the team; newer ones are open,
  so the triage list has the red/yellow/missing share a morning shift sees.
* Values are judged by the patient's absolute limits with ``alarms.evaluation`` (memoised per
  value); relative rules are stored with the thresholds but not replayed over the history.
* Answer rows are written for the last 90 days only (the answers tab shows at most a year, and
  no benchmark reads them); older submissions keep their severity and score.

The big tables are loaded with their indexes and foreign keys dropped and recreated afterwards
from the definitions the migrations created, then ANALYZEd; the triage summary rows are computed
by ``alarms.services.triage_refresh`` itself.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import TypeGuard
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Model

from alarms import evaluation
from alarms.models import RelativeRule, Threshold, ThresholdSet, TriageResult
from alarms.outcomes import no_action_outcome, outcomes_for
from alarms.services import limits_of, rule_of, triage_refresh, type_info
from demo.people import make_person
from demo.seed import _add_limits
from monitoring.models import (
    Answer,
    Measurement,
    MeasurementType,
    Questionnaire,
    QuestionnaireItem,
    Schedule,
    Submission,
)
from patients.models import ClinicianProfile, CopdGroup, Organisation, Patient, PatientState, Team
from patients.services import care_permissions_grant
from telemed.db import column_name

SEED = 20_260_101
VERSION = 2  # bump when the shape changes, so an old data set is rebuilt
TEAMS = 20
NURSES_PER_TEAM = 3
DOCTORS = 20
OPEN_DAYS = 3
ANSWER_DAYS = 90
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MARKER = "bench_dataset"
MUNICIPALITY_SOR = "999800000000001"
GP_SOR = "999800000000002"
PASSWORD = "bench-password-1"

BIG_TABLES = [
    Submission._meta.db_table,
    Measurement._meta.db_table,
    Answer._meta.db_table,
    TriageResult._meta.db_table,
]
COLUMNS = {
    Measurement: [
        "id",
        "patient_id",
        "type_id",
        "value",
        "unit",
        "measured_at",
        "received_at",
        "source",
        "device_id",
        "client_uuid",
        "submission_id",
        "severity",
        "ignored_at",
        "ignored_by_id",
        "ignore_reason",
    ],
    Submission: [
        "id",
        "patient_id",
        "questionnaire_id",
        "schedule_id",
        "due_at",
        "submitted_at",
        "received_at",
        "source",
        "client_uuid",
        "submitted_by_id",
        "score",
        "severity",
    ],
    Answer: [
        "id",
        "submission_id",
        "item_id",
        "option_id",
        "value_number",
        "value_text",
        "severity",
    ],
    TriageResult: [
        "id",
        "patient_id",
        "kind",
        "measurement_id",
        "submission_id",
        "schedule_id",
        "due_at",
        "severity",
        "reasons",
        "thresholds_snapshot",
        "threshold_set_id",
        "created_at",
        "resolved_at",
        "acknowledged_at",
        "acknowledged_by_id",
        "acknowledgement_note",
        "receipt_to_citizen",
        "outcome_id",
        "note_to_citizen",
        "ignored_at",
        "ignored_by_id",
        "ignore_reason",
    ],
}
# ignored_at, ignored_by_id, ignore_reason of a row nobody set aside (COPY text).
NOT_IGNORED = "\\N\t\\N\t"
GROUP_WEIGHTS = {
    CopdGroup.MILD: 0.15,
    CopdGroup.MODERATE: 0.40,
    CopdGroup.SEVERE: 0.30,
    CopdGroup.VERY_SEVERE: 0.15,
}
SPO2_BASE = {
    CopdGroup.MILD: 95.5,
    CopdGroup.MODERATE: 94.0,
    CopdGroup.SEVERE: 92.5,
    CopdGroup.VERY_SEVERE: 91.5,
}
ACK_NOTES = {
    "yellow": "Ringet til borger, følger op i morgen.",
    "red": "Ringet til borger. Kontakt til egen læge.",
    "missing": "Borger glemte at måle, ringet.",
}


# Marker ------------------------------------------------------------------------------------


def marker() -> dict | None:
    """What data set the database holds (None: none, or an unfinished build)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT info FROM {MARKER} LIMIT 1")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def wanted(*, patients: int, years: int) -> dict:
    return {"version": VERSION, "seed": SEED, "patients": patients, "years": years}


def matches(found: dict | None, want: dict) -> TypeGuard[dict]:
    """Whether ``found`` is the data set ``want`` describes (so not None)."""
    return found is not None and all(found.get(key) == value for key, value in want.items())


def _write_marker(info: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (info text NOT NULL)")
        cursor.execute(f"DELETE FROM {MARKER}")
        cursor.execute(f"INSERT INTO {MARKER} (info) VALUES (%s)", [json.dumps(info)])


# Index handling ------------------------------------------------------------------------------


@dataclass
class Definitions:
    foreign_keys: list[tuple[str, str, str]]  # table, name, definition
    constraints: list[tuple[str, str, str]]  # primary keys and unique constraints
    indexes: list[str]  # CREATE INDEX statements


def _definitions() -> Definitions:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f'
              AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))
            """,
            [BIG_TABLES, BIG_TABLES],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype IN ('p', 'u') AND c.conrelid::regclass::text = ANY(%s)
            """,
            [BIG_TABLES],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [BIG_TABLES],
        )
        indexes = [row[0] for row in cursor.fetchall()]
    return Definitions(foreign_keys, constraints, indexes)


def _index_name(statement: str) -> str:
    return statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0].strip()


def _drop(definitions: Definitions) -> None:
    with connection.cursor() as cursor:
        for table, name, _ in definitions.foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for table, name, _ in definitions.constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for statement in definitions.indexes:
            cursor.execute(f'DROP INDEX "{_index_name(statement)}"')


def _recreate(definitions: Definitions, log: Callable[[str], None]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for table, name, definition in definitions.constraints:
            started = time.monotonic()
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            log(f"  {name} ({time.monotonic() - started:.0f} s)")
        for statement in definitions.indexes:
            started = time.monotonic()
            cursor.execute(statement)
            log(f"  {_index_name(statement)} ({time.monotonic() - started:.0f} s)")
        for table, name, definition in definitions.foreign_keys:
            started = time.monotonic()
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            log(f"  {name} ({time.monotonic() - started:.0f} s)")


# Values ------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """COPY text format: backslash, tab and newline escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _json(value: object) -> str:
    return _escape(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class Judge:
    """Absolute-limit results per (COPD group, type, value), memoised: severity, the reason as
    a dict, and the type's snapshot part, exactly as ``alarms.evaluation`` gives them."""

    def __init__(
        self, types: dict[str, MeasurementType], limits: dict[str, dict[int, Threshold]]
    ) -> None:
        self.types = types
        self.limits = limits  # group -> type_id -> Threshold
        self.rules: dict[str, dict[int, list]] = {}
        self._memo: dict[tuple[str, str, str], tuple[str, dict, dict, str]] = {}

    def __call__(self, group: str, key: str, value: str) -> tuple[str, dict, dict, str]:
        memo_key = (group, key, value)
        hit = self._memo.get(memo_key)
        if hit is None:
            mtype = self.types[key]
            threshold = self.limits[group].get(mtype.pk)
            limits = limits_of(threshold) if threshold is not None else None
            reason = evaluation.evaluate_absolute(Decimal(value), limits, type_info(mtype))
            snapshot = {
                "type": key,
                "limits": limits.as_dict() if limits is not None else None,
                "relative_rules": [
                    rule.as_dict() for rule in self.rules.get(group, {}).get(mtype.pk, [])
                ],
            }
            hit = (reason.severity, reason.as_dict(), snapshot, _json([reason.as_dict()]))
            self._memo[memo_key] = hit
        return hit


RANK = evaluation.RANK


def _worst(severities: list[str]) -> str:
    return max(severities, key=RANK.__getitem__) if severities else "green"


class Writer:
    """COPY streams for the big tables, fed in chunks."""

    CHUNK = 20_000

    def __init__(self) -> None:
        from psycopg import connect

        self.conns = {}
        self.copies = {}
        self.buffers: dict[type[Model], list[str]] = {}
        self.counts: dict[type[Model], int] = {}
        self._contexts = []
        for model, columns in COLUMNS.items():
            conn = connect(os.environ["DATABASE_URL"])
            conn.execute("SET synchronous_commit = off")
            cursor = conn.cursor()
            context = cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN")
            self.copies[model] = context.__enter__()
            self._contexts.append((conn, cursor, context))
            self.conns[model] = conn
            self.buffers[model] = []
            self.counts[model] = 0

    def add(self, model: type[Model], line: str) -> None:
        buffer = self.buffers[model]
        buffer.append(line)
        if len(buffer) >= self.CHUNK:
            self.flush(model)

    def flush(self, model: type[Model]) -> None:
        buffer = self.buffers[model]
        if buffer:
            self.copies[model].write("".join(buffer))
            self.counts[model] += len(buffer)
            buffer.clear()

    def close(self) -> None:
        for model in COLUMNS:
            self.flush(model)
        for conn, _cursor, context in self._contexts:
            context.__exit__(None, None, None)
            conn.commit()
            conn.close()


def _check_columns() -> None:
    for model, columns in COLUMNS.items():
        actual = {column_name(f) for f in model._meta.concrete_fields}
        if actual != set(columns):
            raise RuntimeError(
                f"{model.__name__} columns changed: the data set builder writes {sorted(columns)}, "
                f"the model has {sorted(actual)}. Update benchmarks/dataset.py."
            )


# Build -------------------------------------------------------------------------------------


@dataclass
class Staff:
    teams: list[Team]
    nurses: dict[int, list[int]]  # team id -> user ids
    coordinator_id: int
    doctors: list[User]


def _staff(rng: random.Random, password_hash: str) -> tuple[Staff, Organisation]:
    User = get_user_model()
    municipality = Organisation.objects.create(
        name="Benchmark Kommune", kind=Organisation.Kind.MUNICIPALITY, sor_code=MUNICIPALITY_SOR
    )
    gp = Organisation.objects.create(
        name="Benchmark Lægehus", kind=Organisation.Kind.GP_CLINIC, sor_code=GP_SOR
    )
    groups = Group.objects.bulk_create(
        Group(name=f"Benchmark Kommune – KOL-team {n + 1:02d}") for n in range(TEAMS)
    )
    teams = Team.objects.bulk_create(
        Team(group=group, organisation=municipality, name=f"KOL-team {n + 1:02d}")
        for n, group in enumerate(groups)
    )
    specs: list[tuple[str, str, int | None]] = [
        (f"bench.nurse.{t + 1:02d}.{n + 1}", "nurse", t)
        for t in range(TEAMS)
        for n in range(NURSES_PER_TEAM)
    ]
    specs.append(("bench.coordinator", "nurse", None))
    specs += [(f"bench.gp.{n + 1:02d}", "doctor", None) for n in range(DOCTORS)]
    users = User.objects.bulk_create(
        User(
            username=username,
            first_name=username.split(".")[1].title(),
            last_name=username.split(".")[-1],
            password=password_hash,
        )
        for username, _, _ in specs
    )
    ClinicianProfile.objects.bulk_create(
        ClinicianProfile(user=user, role=role, organisation=municipality if role == "nurse" else gp)
        for user, (_, role, _) in zip(users, specs, strict=True)
    )
    membership = User.groups.through
    rows = []
    nurses: dict[int, list[int]] = {team.pk: [] for team in teams}
    coordinator = next(u for u in users if u.username == "bench.coordinator")
    for user, (_, _, team_index) in zip(users, specs, strict=True):
        if team_index is not None:
            rows.append(membership(user_id=user.pk, group_id=teams[team_index].group_id))
            nurses[teams[team_index].pk].append(user.pk)
    rows += [membership(user_id=coordinator.pk, group_id=team.group_id) for team in teams]
    membership.objects.bulk_create(rows)
    doctors = [u for u in users if u.username.startswith("bench.gp.")]
    return Staff(teams=teams, nurses=nurses, coordinator_id=coordinator.pk, doctors=doctors), gp


@dataclass
class Plan:
    patient: Patient
    device: bool
    first_day: int
    adherence: float
    weight_share: float
    bp: bool
    spo2: float
    pulse: float
    weight: float
    systolic: float


def build(
    *, patients: int, years: int, log: Callable[[str], None] = print, now: datetime | None = None
) -> dict:
    """Build the data set into the current (freshly migrated) database; returns its counts."""
    _check_columns()
    started = time.monotonic()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    rng = random.Random(SEED)
    days = years * 365
    today = now.astimezone(COPENHAGEN).date()
    first_date = today - timedelta(days=days - 1)
    password_hash = make_password(PASSWORD)
    types = {t.key: t for t in MeasurementType.objects.all()}

    with transaction.atomic():
        staff, gp = _staff(rng, password_hash)
        plans = _patients(rng, patients, staff, gp, first_date, days, today)
        sets, limits, rules = _thresholds(plans, types, first_date)
        schedules = _schedules(plans, first_date)
    log(f"  people, thresholds, permissions, schedules ({time.monotonic() - started:.0f} s)")

    judge = Judge(types, limits)
    judge.rules = rules
    definitions = _definitions()
    with transaction.atomic():
        _drop(definitions)
    load_started = time.monotonic()
    counts = _load(plans, sets, schedules, staff, types, judge, first_date, days, now, log)
    log(f"  COPY of {sum(counts.values()):,} rows ({time.monotonic() - load_started:.0f} s)")
    index_started = time.monotonic()
    with transaction.atomic():
        _recreate(definitions, log)
    log(f"  indexes and constraints ({time.monotonic() - index_started:.0f} s)")
    with connection.cursor() as cursor:
        for table in BIG_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        cursor.execute("ANALYZE")
    refresh_started = time.monotonic()
    ids = [plan.patient.pk for plan in plans]
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            triage_refresh(patient_ids=ids[start : start + 500])
    log(f"  triage summaries ({time.monotonic() - refresh_started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    info = {
        **wanted(patients=patients, years=years),
        "built_at": now.isoformat(),
        "seconds": round(time.monotonic() - started),
        "counts": {model.__name__: n for model, n in counts.items()},
    }
    _write_marker(info)
    return info


def _patients(rng, n, staff: Staff, gp, first_date: date, days: int, today: date) -> list[Plan]:
    plans: list[Plan] = []
    seen: set[str] = set()
    for index in range(n):
        person = make_person(rng, today=today, min_age=50, max_age=90)
        while person.cpr in seen:
            person = make_person(rng, today=today, min_age=50, max_age=90)
        seen.add(person.cpr)
        group = rng.choices(list(GROUP_WEIGHTS), weights=GROUP_WEIGHTS.values())[0]
        first_day = 0 if rng.random() < 0.2 else rng.randrange(0, max(1, days - 14))
        team = staff.teams[index % TEAMS]
        patient = Patient(
            cpr=person.cpr,
            first_name=person.first_name,
            last_name=person.last_name,
            phone=person.phone,
            address=person.address,
            copd_group=group,
            state=PatientState.ACTIVE,
            monitoring_team=team,
            treating_organisation=gp,
            treating_doctor=staff.doctors[index % len(staff.doctors)],
            monitoring_started_on=first_date + timedelta(days=first_day),
            created_at=datetime.combine(
                first_date + timedelta(days=first_day - 7), dtime(9), tzinfo=COPENHAGEN
            ),
        )
        plans.append(
            Plan(
                patient=patient,
                device=rng.random() < 0.6,
                first_day=first_day,
                adherence=rng.uniform(0.4, 0.95),
                weight_share=rng.uniform(0.2, 0.8),
                bp=rng.random() < 0.33,
                spo2=SPO2_BASE[group] + rng.gauss(0, 1.2),
                pulse=rng.gauss(78, 8),
                weight=rng.uniform(48, 105),
                systolic=rng.gauss(135, 10),
            )
        )
    Patient.objects.bulk_create([plan.patient for plan in plans], batch_size=2000)
    care_permissions_grant(patients=[plan.patient for plan in plans])
    return plans


def _thresholds(plans: list[Plan], types, first_date: date):
    sets = ThresholdSet.objects.bulk_create(
        [
            ThresholdSet(
                kind=ThresholdSet.Kind.PATIENT,
                patient=plan.patient,
                copd_group=plan.patient.copd_group,
                version=1,
                valid_from=plan.patient.created_at,
                created_by=plan.patient.treating_doctor,
                reason="Fra henvisningen",
            )
            for plan in plans
        ],
        batch_size=2000,
    )
    thresholds: list[Threshold] = []
    relative: list[RelativeRule] = []
    for threshold_set in sets:
        _add_limits(threshold_set, threshold_set.copd_group, types, thresholds, relative)
    Threshold.objects.bulk_create(thresholds, batch_size=5000)
    RelativeRule.objects.bulk_create(relative, batch_size=5000)
    # Every set of a group has the same limits and rules: the first set's stand for the group.
    first_set: dict[str, int] = {}
    for threshold_set in sets:
        first_set.setdefault(threshold_set.copd_group, threshold_set.pk)
    limits: dict[str, dict[int, Threshold]] = {group: {} for group in CopdGroup.values}
    rules: dict[str, dict[int, list]] = {group: {} for group in CopdGroup.values}
    for group, set_id in first_set.items():
        for threshold in thresholds:
            if threshold.threshold_set_id == set_id:
                limits[group][threshold.type_id] = threshold
        for rule in relative:
            if rule.threshold_set_id == set_id:
                rules[group].setdefault(rule.type_id, []).append(rule_of(rule))
    return {s.patient_id: s for s in sets}, limits, rules


def _schedules(plans: list[Plan], first_date: date) -> dict[tuple[int, str], Schedule]:
    kol = Questionnaire.objects.get(code="kol", status=Questionnaire.Status.PUBLISHED)
    cat = Questionnaire.objects.get(code="cat", status=Questionnaire.Status.PUBLISHED)
    rows = []
    for plan in plans:
        start = plan.patient.monitoring_started_on
        assert start is not None  # set on every benchmark patient
        if not plan.device:
            rows.append(
                Schedule(
                    patient=plan.patient,
                    questionnaire=kol,
                    kind=Schedule.Kind.WEEKDAYS,
                    weekdays=[1, 2, 3, 4, 5, 6, 7],
                    times=[dtime(9)],
                    starts_on=start,
                    grace_minutes=180,
                )
            )
        rows.append(
            Schedule(
                patient=plan.patient,
                questionnaire=cat,
                kind=Schedule.Kind.WEEKDAYS,
                weekdays=[1],
                times=[dtime(9)],
                starts_on=start,
                grace_minutes=24 * 60,
            )
        )
    Schedule.objects.bulk_create(rows, batch_size=5000)
    return {(s.patient.pk, "kol" if s.questionnaire_id == kol.pk else "cat"): s for s in rows}


def _day_prefixes(first_date: date, days: int) -> list[tuple[str, int]]:
    """Per day: the UTC date text of that local morning and the UTC hour of 00:00 local."""
    out = []
    for d in range(days):
        local_midnight = datetime.combine(first_date + timedelta(days=d), dtime(0), COPENHAGEN)
        offset = local_midnight.utcoffset()
        assert offset is not None  # an aware datetime (COPENHAGEN)
        offset_hours = int(offset.total_seconds() // 3600)
        # Mornings (07-11 local) fall on the same UTC date.
        out.append(((first_date + timedelta(days=d)).isoformat() + " ", offset_hours))
    return out


def _load(plans, sets, schedules, staff, types, judge, first_date, days, now, log) -> dict:
    kol = Questionnaire.objects.get(code="kol", status=Questionnaire.Status.PUBLISHED)
    cat = Questionnaire.objects.get(code="cat", status=Questionnaire.Status.PUBLISHED)
    outcome_ids = {
        "no_action": no_action_outcome(None).pk,
        "action": outcomes_for(None).get(code="advised_by_phone").pk,
    }
    kol_answers = _kol_answers(kol)
    cat_items = list(
        QuestionnaireItem.objects.filter(questionnaire=cat).prefetch_related("options")
    )
    cat_options = [{o.score: o for o in item.options.all()} for item in cat_items]
    prefixes = _day_prefixes(first_date, days)
    now_text = now.strftime("%Y-%m-%d %H:%M:%S+00")
    open_from = now - timedelta(days=OPEN_DAYS)
    answers_from_day = days - ANSWER_DAYS
    missing_kol = {
        "questionnaire_da": kol.title_da,
        "questionnaire_en": kol.title_en,
    }
    tid = {key: t.pk for key, t in types.items()}
    unit = {key: t.unit for key, t in types.items()}
    decimals = {key: t.decimals for key, t in types.items()}

    writer = Writer()
    ids = {"m": 0, "s": 0, "a": 0, "r": 0}
    red_cutoff_text = open_from.strftime("%Y-%m-%d %H:%M:%S+00")

    def stamp(day: int, minute: int) -> str:
        """Local minute of the day ``day`` as UTC COPY text (mornings stay on the UTC date)."""
        prefix, offset = prefixes[day]
        return f"{prefix}{minute // 60 - offset:02d}:{minute % 60:02d}:00+00"

    def ack_fields(severity: str, created: str, nurses: list[int], prng) -> str:
        """resolved_at, acknowledged_at, acknowledged_by_id, note, receipt, outcome_id,
        note_to_citizen and the ignore columns (COPY text)."""
        if created >= red_cutoff_text:
            return f"\\N\t\\N\t\\N\t\tf\t\\N\tf\t{NOT_IGNORED}"
        # Acknowledged a few hours later (written as the same UTC day text + 'interval').
        nurse = nurses[prng.randrange(len(nurses))]
        note = ACK_NOTES.get(severity, "")
        acked = created  # same moment is close enough for the list; keeps COPY cheap
        resolved = acked if severity == "missing" else "\\N"
        receipt = "t" if note and prng.random() < 0.3 else "f"
        outcome = outcome_ids["action" if note and severity == "red" else "no_action"]
        return f"{resolved}\t{acked}\t{nurse}\t{note}\t{receipt}\t{outcome}\tf\t{NOT_IGNORED}"

    def fmt(key: str, value: float) -> str:
        places = decimals[key]
        low, high = PLAUSIBLE[key]
        value = min(max(value, low), high)
        return f"{value:.{places}f}"

    for number, plan in enumerate(plans):
        patient = plan.patient
        pid = patient.pk
        group = patient.copd_group
        prng = random.Random(SEED * 7919 + number)
        threshold_set = sets[pid]
        set_ref = {"id": threshold_set.pk, "version": 1}
        nurses = staff.nurses[patient.monitoring_team_id]
        snapshots: dict[object, str] = {}

        def single(key: str, part: dict, snapshots=snapshots, set_ref=set_ref) -> str:
            """The snapshot of a standalone reading: its type's part and the set (JSON text,
            the same for every reading of the type)."""
            text = snapshots.get(key)
            if text is None:
                text = snapshots[key] = _json({**part, "threshold_set": set_ref})
            return text

        def combined(keys: tuple, parts: list, snapshots=snapshots, set_ref=set_ref) -> str:
            text = snapshots.get(keys)
            if text is None:
                text = snapshots[keys] = _json({"parts": parts, "threshold_set": set_ref})
            return text

        source = "device" if plan.device else "typed"
        device_id = f"collection-point-{pid}" if plan.device else ""
        kol_schedule = schedules.get((pid, "kol"))
        cat_schedule = schedules[(pid, "cat")]
        episode_left = 0
        weight = plan.weight
        uuid_prefix = f"{pid:08x}"
        serial = 0
        for day in range(plan.first_day, days):
            if episode_left:
                episode_left -= 1
            elif prng.random() < 0.005:
                episode_left = prng.randrange(4, 11)
            weight += prng.gauss(0, 0.15)
            is_monday = (first_date + timedelta(days=day)).isoweekday() == 1
            measured = prng.random() < plan.adherence
            minute = 7 * 60 + prng.randrange(0, 180)
            at = stamp(day, minute)
            received = stamp(day, minute + 2)
            if at > now_text:
                break
            readings: list[tuple[str, str]] = []
            if measured:
                drop = prng.uniform(3, 8) if episode_left else 0.0
                readings.append(("spo2", fmt("spo2", plan.spo2 - drop + prng.gauss(0, 1.3))))
                readings.append(("pulse", fmt("pulse", plan.pulse + drop * 2.5 + prng.gauss(0, 6))))
                if prng.random() < plan.weight_share:
                    readings.append(("weight", fmt("weight", weight + prng.gauss(0, 0.3))))
                if episode_left or prng.random() < 0.05:
                    fever = prng.uniform(0.5, 2.0) if episode_left else 0.0
                    readings.append(
                        ("temperature", fmt("temperature", 36.8 + fever + prng.gauss(0, 0.3)))
                    )
                if plan.bp and day % 7 in (1, 4):
                    sys_value = plan.systolic + prng.gauss(0, 9)
                    readings.append(("bp_systolic", fmt("bp_systolic", sys_value)))
                    readings.append(
                        ("bp_diastolic", fmt("bp_diastolic", sys_value * 0.6 + prng.gauss(0, 5)))
                    )
            if plan.device:
                for key, value in readings:
                    severity, reason, part, reason_json = judge(group, key, value)
                    serial += 1
                    ids["m"] += 1
                    mid = ids["m"]
                    writer.add(
                        Measurement,
                        f"{mid}\t{pid}\t{tid[key]}\t{value}\t{unit[key]}\t{at}\t{received}\t"
                        f"device\t{device_id}\t{uuid_prefix}-0000-4000-8000-{serial:012x}\t"
                        f"\\N\t{severity}\t{NOT_IGNORED}\n",
                    )
                    ids["r"] += 1
                    writer.add(
                        TriageResult,
                        f"{ids['r']}\t{pid}\tmeasurement\t{mid}\t\\N\t\\N\t\\N\t{severity}\t"
                        f"{reason_json}\t{single(key, part)}\t{threshold_set.pk}\t{received}\t"
                        f"{ack_fields(severity, received, nurses, prng)}\n",
                    )
            elif kol_schedule is not None:
                due = stamp(day, 9 * 60)
                if readings:
                    ids["s"] += 1
                    sid = ids["s"]
                    serial += 1
                    parts = []
                    reasons = []
                    severities = []
                    keys = tuple(key for key, _ in readings)
                    for key, value in readings:
                        severity, reason, part, reason_json = judge(group, key, value)
                        serial += 1
                        ids["m"] += 1
                        writer.add(
                            Measurement,
                            f"{ids['m']}\t{pid}\t{tid[key]}\t{value}\t{unit[key]}\t{at}\t"
                            f"{received}\ttyped\t\t{uuid_prefix}-0000-4000-8000-{serial:012x}\t"
                            f"{sid}\t{severity}\t{NOT_IGNORED}\n",
                        )
                        severities.append(severity)
                        parts.append(part)
                        if severity != "green":
                            reasons.append(reason)
                    severity = _worst(severities)
                    reasons.sort(key=lambda r: -RANK[r["severity"]])
                    writer.add(
                        Submission,
                        f"{sid}\t{pid}\t{kol.pk}\t{kol_schedule.pk}\t{due}\t{at}\t{received}\t"
                        f"typed\t{uuid_prefix}-0001-4000-8000-{serial:012x}\t\\N\t\\N\t"
                        f"{severity}\n",
                    )
                    if day >= answers_from_day:
                        for item_id, option_id in kol_answers:
                            ids["a"] += 1
                            writer.add(
                                Answer,
                                f"{ids['a']}\t{sid}\t{item_id}\t{option_id}\t\\N\t\tgreen\n",
                            )
                    ids["r"] += 1
                    writer.add(
                        TriageResult,
                        f"{ids['r']}\t{pid}\tsubmission\t\\N\t{sid}\t\\N\t\\N\t{severity}\t"
                        f"{_json(reasons) if reasons else '[]'}\t{combined(keys, parts)}\t"
                        f"{threshold_set.pk}\t{received}\t"
                        f"{ack_fields(severity, received, nurses, prng)}\n",
                    )
                else:
                    raised = stamp(day, 12 * 60)
                    if raised <= now_text:
                        ids["r"] += 1
                        reason = {
                            "severity": "missing",
                            "code": "missing",
                            "extra": {"due_at": due.replace(" ", "T"), **missing_kol},
                        }
                        writer.add(
                            TriageResult,
                            f"{ids['r']}\t{pid}\tmissing\t\\N\t\\N\t{kol_schedule.pk}\t{due}\t"
                            f"missing\t{_json([reason])}\t{{}}\t\\N\t{raised}\t"
                            f"{ack_fields('missing', raised, nurses, prng)}\n",
                        )
            # Weekly CAT (typed, score stored as a measurement and judged).
            if is_monday and prng.random() < plan.adherence:
                scores = [
                    min(5, max(0, round(prng.gauss(1.6 if not episode_left else 3.2, 1))))
                    for _ in cat_items
                ]
                total = str(sum(scores))
                cat_at = stamp(day, minute + 5)
                severity, reason, part, reason_json = judge(group, "cat_score", total)
                ids["s"] += 1
                sid = ids["s"]
                serial += 1
                ids["m"] += 1
                writer.add(
                    Measurement,
                    f"{ids['m']}\t{pid}\t{tid['cat_score']}\t{total}\t{unit['cat_score']}\t"
                    f"{cat_at}\t{cat_at}\t{source}\t\t{uuid_prefix}-0000-4000-8000-{serial:012x}\t"
                    f"{sid}\t{severity}\t{NOT_IGNORED}\n",
                )
                writer.add(
                    Submission,
                    f"{sid}\t{pid}\t{cat.pk}\t{cat_schedule.pk}\t\\N\t{cat_at}\t{cat_at}\t"
                    f"{source}\t{uuid_prefix}-0001-4000-8000-{serial:012x}\t\\N\t{total}\t"
                    f"{severity}\n",
                )
                if day >= answers_from_day:
                    for score, options in zip(scores, cat_options, strict=True):
                        option = options[score]
                        ids["a"] += 1
                        writer.add(
                            Answer,
                            f"{ids['a']}\t{sid}\t{option.item_id}\t{option.pk}\t\\N\t\t"
                            f"{option.severity}\n",
                        )
                ids["r"] += 1
                writer.add(
                    TriageResult,
                    f"{ids['r']}\t{pid}\tsubmission\t\\N\t{sid}\t\\N\t\\N\t{severity}\t"
                    f"{reason_json if severity != 'green' else '[]'}\t"
                    f"{combined(('cat_score',), [part])}\t{threshold_set.pk}\t{cat_at}\t"
                    f"{ack_fields(severity, cat_at, nurses, prng)}\n",
                )
            # Standalone: FEV1 from the spirometer every two weeks, CRP at a visit.
            extra = []
            if measured and day % 14 == pid % 14:
                extra.append(("fev1", fmt("fev1", 1.6 + prng.gauss(0, 0.2)), "device"))
            if day % 60 == pid % 60:
                crp = prng.uniform(20, 80) if episode_left else prng.uniform(1, 15)
                extra.append(("crp", fmt("crp", crp), "clinic"))
            for key, value, src in extra:
                severity, reason, part, reason_json = judge(group, key, value)
                serial += 1
                ids["m"] += 1
                mid = ids["m"]
                dev = f"spirometer-{pid}" if key == "fev1" else ""
                writer.add(
                    Measurement,
                    f"{mid}\t{pid}\t{tid[key]}\t{value}\t{unit[key]}\t{at}\t{received}\t{src}\t"
                    f"{dev}\t{uuid_prefix}-0000-4000-8000-{serial:012x}\t\\N\t{severity}\t"
                    f"{NOT_IGNORED}\n",
                )
                ids["r"] += 1
                writer.add(
                    TriageResult,
                    f"{ids['r']}\t{pid}\tmeasurement\t{mid}\t\\N\t\\N\t\\N\t{severity}\t"
                    f"{reason_json}\t{single(key, part)}\t{threshold_set.pk}\t{received}\t"
                    f"{ack_fields(severity, received, nurses, prng)}\n",
                )
        if (number + 1) % 1000 == 0:
            log(f"  {number + 1:,} patients, {ids['m']:,} measurements")
    writer.close()
    return dict(writer.counts)


PLAUSIBLE = {
    "spo2": (70, 100),
    "pulse": (35, 180),
    "weight": (35, 200),
    "temperature": (35, 42),
    "bp_systolic": (80, 220),
    "bp_diastolic": (40, 130),
    "fev1": (0.3, 4),
    "crp": (0, 300),
    "cat_score": (0, 40),
}


def _kol_answers(kol: Questionnaire) -> list[tuple[int, int]]:
    """The KOL items a citizen answers on an ordinary morning, with their first (green)
    option: every choice or yes/no question that is always asked."""
    answers = []
    for item in QuestionnaireItem.objects.filter(questionnaire=kol).prefetch_related("options"):
        if item.kind not in ("boolean", "choice") or item.enable_when_item_id:
            continue
        options = sorted(item.options.all(), key=lambda o: o.position)
        green = next((o for o in options if o.severity == "green"), None)
        if green is not None:
            answers.append((item.pk, green.pk))
    return answers
