"""The demo data set behind ``manage.py seed_demo``: one municipality with two COPD teams, a
hospital lung department, a GP clinic, their clinicians and ~200 patients with 90 days of
evaluated home measurements and questionnaire answers.

Reproducible: the same ``seed`` (and day) gives the same people and values. Idempotent: the
municipality's SOR code marks the demo; a second run finds it and creates nothing.
Fast: every table is written with ``bulk_create``; the rows are evaluated in memory by the pure
rules in ``alarms.evaluation`` exactly as ``alarms.services`` does when it stores a reading
(same reasons and threshold snapshots), because calling the services row by row would take
minutes for ~20,000 submissions.
"""

from __future__ import annotations

import random
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone, translation

from alarms import evaluation
from alarms.models import Escalation, RelativeRule, Threshold, ThresholdSet, TriageResult
from alarms.outcomes import NO_ACTION, outcomes_for
from alarms.services import limits_of, rule_of, snapshot_with_set, triage_refresh, type_info
from demo import DEMO_LOGINS, DEMO_PASSWORD, series  # noqa: F401 (re-exported)
from demo.access import grant_care_permissions
from demo.people import make_person
from monitoring.models import (
    Answer,
    IgnoreReason,
    Measurement,
    MeasurementType,
    Questionnaire,
    Schedule,
    ScheduleTemplate,
    Source,
    Submission,
)
from patients.models import (
    ClinicianProfile,
    CopdGroup,
    Organisation,
    Patient,
    PatientPause,
    PatientState,
    Referral,
    Team,
)
from telemed.models import AuditEvent

DEFAULT_SEED = 1949
DEFAULT_PATIENTS = 200
DAYS = 90
# Fictitious SOR codes (the 9999… range is not issued); the municipality's marks the demo.
MUNICIPALITY_SOR = "999900000000751"
HOSPITAL_SOR = "999900000001001"
GP_SOR = "999900000002001"
DEMO_SORS = (MUNICIPALITY_SOR, HOSPITAL_SOR, GP_SOR)
KOL_TIME = dtime(9, 0)
GRACE_MINUTES = 180
OPEN_DAYS = 3  # results newer than this are left for the nurses; older ones are acknowledged

COPD_GROUP_WEIGHTS: dict[str, float] = {
    CopdGroup.MILD: 0.15,
    CopdGroup.MODERATE: 0.40,
    CopdGroup.SEVERE: 0.30,
    CopdGroup.VERY_SEVERE: 0.15,
}

# Absolute limits by COPD group: key -> (red_low, yellow_low, yellow_high, red_high).
_Limits = tuple[str | None, str | None, str | None, str | None]
_COMMON_LIMITS: dict[str, _Limits] = {
    "pulse": ("40", "50", "110", "130"),
    "temperature": (None, None, "38", "39"),
    "crp": (None, None, "25", "50"),
}
LIMITS: dict[str, dict[str, _Limits]] = {
    CopdGroup.MILD: {"spo2": ("88", "92", None, None), "cat_score": (None, None, "15", "25")},
    CopdGroup.MODERATE: {"spo2": ("87", "90", None, None), "cat_score": (None, None, "20", "30")},
    CopdGroup.SEVERE: {"spo2": ("85", "88", None, None), "cat_score": (None, None, "25", "32")},
    CopdGroup.VERY_SEVERE: {
        "spo2": ("84", "87", None, None),
        "cat_score": (None, None, "30", "35"),
    },
}
# Relative rules: (key, direction, amount, window days, baseline, severity). Weight gain in
# days is fluid retention (cor pulmonale) in severe COPD; weight loss over a month is cachexia.
RULES: dict[str, list[tuple[str, str, str, int, str, str]]] = {
    CopdGroup.MILD: [],
    CopdGroup.MODERATE: [("weight", "rise", "2", 3, "lowest", "yellow")],
    CopdGroup.SEVERE: [
        ("weight", "rise", "1.5", 3, "lowest", "yellow"),
        ("weight", "rise", "2", 3, "lowest", "red"),
        ("weight", "fall", "3", 30, "median", "yellow"),
    ],
    CopdGroup.VERY_SEVERE: [
        ("weight", "rise", "1.5", 3, "lowest", "yellow"),
        ("weight", "rise", "2", 3, "lowest", "red"),
        ("weight", "fall", "3", 30, "median", "yellow"),
    ],
}

# What the nurses did about the older results: (note, outcome code of alarms.outcomes.DEFAULTS).
ACK_NOTES = {
    "yellow": [
        (
            "Ringet til borger, har det efter omstændighederne godt. Følger op i morgen.",
            "advised_by_phone",
        ),
        ("Set. Borger kender til sin handleplan.", "no_action"),
        ("Talt med borger, starter på anfaldsmedicin efter plan.", "rescue_pack_started"),
        ("Bedt borger måle igen om en time.", "asked_to_remeasure"),
        ("Iltmåleren viste forkert, borger havde kolde fingre.", "measurement_error"),
    ],
    "red": [
        (
            "Ringet til borger. Kontakt til egen læge, opstartet penicillin og prednisolon.",
            "contacted_gp",
        ),
        ("Hjemmebesøg aftalt samme dag.", "home_visit_planned"),
        ("Borger indlagt via 1813.", "emergency_admitted"),
        ("Målefejl, ny måling var normal.", "measurement_error"),
    ],
    "missing": [
        ("Borger glemte at måle, ringet.", "advised_by_phone"),
        ("Borger var hos familie.", "no_action"),
    ],
}


class DemoResetRefused(Exception):
    """The demo data cannot be removed safely (the audit log or other data refers to it)."""


@dataclass
class Login:
    role: str
    username: str
    note: str = ""


@dataclass
class SeedResult:
    created: bool
    message: str
    logins: list[Login] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_organisations():
    return Organisation.objects.filter(sor_code__in=DEMO_SORS)


def demo_exists() -> bool:
    return Organisation.objects.filter(sor_code=MUNICIPALITY_SOR).exists()


# --- reset --------------------------------------------------------------------------------


def demo_reset() -> int:
    """Delete the demo data; returns how many patients went. Refuses (DemoResetRefused) when the
    append-only audit log refers to a demo patient or user, or other data depends on the demo."""
    orgs = list(demo_organisations())
    if not orgs:
        return 0
    patients = Patient.objects.filter(
        Q(monitoring_team__organisation__in=orgs) | Q(treating_organisation__in=orgs)
    )
    users = get_user_model().objects.filter(
        Q(clinician__organisation__in=orgs) | Q(patient__in=patients)
    )
    if AuditEvent.objects.filter(Q(patient__in=patients) | Q(user__in=users)).exists():
        raise DemoResetRefused(
            "The audit log (append-only, sundhedsloven § 42 a) records use of the demo patients "
            "or users, so the demo data cannot be deleted. Use a fresh database instead "
            "(e.g. a new TELEMED_PGDATA folder, or drop and migrate the database)."
        )
    try:
        with transaction.atomic():
            patient_ids = list(patients.values_list("pk", flat=True))
            user_ids = list(users.values_list("pk", flat=True))
            TriageResult.objects.filter(patient_id__in=patient_ids).delete()
            Measurement.objects.filter(patient_id__in=patient_ids).delete()
            Submission.objects.filter(patient_id__in=patient_ids).delete()
            Referral.objects.filter(
                Q(patient_id__in=patient_ids)
                | Q(referring_organisation__in=orgs)
                | Q(receiving_organisation__in=orgs)
            ).delete()
            ThresholdSet.objects.filter(
                Q(patient_id__in=patient_ids) | Q(organisation__in=orgs)
            ).delete()
            ScheduleTemplate.objects.filter(organisation__in=orgs).delete()
            Patient.objects.filter(pk__in=patient_ids).delete()
            get_user_model().objects.filter(pk__in=user_ids).delete()
            teams = Team.objects.filter(organisation__in=orgs)
            group_ids = list(teams.values_list("group_id", flat=True))
            teams.delete()
            Group.objects.filter(pk__in=group_ids).delete()
            Organisation.objects.filter(pk__in=[o.pk for o in orgs]).delete()
    except ProtectedError as exc:
        raise DemoResetRefused(
            f"Other data refers to the demo organisations or users ({exc.args[0]}); "
            "nothing was deleted."
        ) from exc
    return len(patient_ids)


# --- seed ---------------------------------------------------------------------------------


@dataclass
class _Staff:
    municipality: Organisation
    hospital: Organisation
    gp: Organisation
    teams: list[Team]
    nurses: dict[int, list[User]]  # team pk -> users
    gp_doctors: list[User]
    hospital_doctors: list[User]
    admin: User
    logins: list[Login]


# username, first, last, role, organisation key, team index, title
STAFF = [
    ("nurse.nord1", "Anne", "Kjær", "nurse", "municipality", 0, "KOL-sygeplejerske"),
    ("nurse.nord2", "Mette", "Bach", "nurse", "municipality", 0, "KOL-sygeplejerske"),
    ("nurse.nord3", "Søren", "Dahl", "nurse", "municipality", 0, "KOL-sygeplejerske"),
    ("nurse.syd1", "Hanne", "Krogh", "nurse", "municipality", 1, "Hjemmesygeplejerske"),
    ("nurse.syd2", "Louise", "Friis", "nurse", "municipality", 1, "Hjemmesygeplejerske"),
    ("nurse.syd3", "Jonas", "Bruun", "nurse", "municipality", 1, "Hjemmesygeplejerske"),
    ("doctor.gp1", "Karen", "Lindholm", "doctor", "gp", None, "Praktiserende læge"),
    ("doctor.gp2", "Morten", "Skov", "doctor", "gp", None, "Praktiserende læge"),
    ("doctor.auh1", "Ida", "Bjerre", "doctor", "hospital", None, "Overlæge, lungemedicin"),
    ("doctor.auh2", "Rasmus", "Kirk", "doctor", "hospital", None, "Afdelingslæge"),
    ("admin.aarhus", "Birgitte", "Holm", "admin", "municipality", None, "KOL-koordinator"),
]


def _create_staff(password_hash: str) -> _Staff:
    User = get_user_model()
    municipality = Organisation.objects.create(
        name="Aarhus Kommune",
        kind=Organisation.Kind.MUNICIPALITY,
        sor_code=MUNICIPALITY_SOR,
    )
    hospital = Organisation.objects.create(
        name="Aarhus Universitetshospital, Lungesygdomme",
        kind=Organisation.Kind.HOSPITAL_DEPARTMENT,
        sor_code=HOSPITAL_SOR,
    )
    gp = Organisation.objects.create(
        name="Lægerne i Trøjborg", kind=Organisation.Kind.GP_CLINIC, sor_code=GP_SOR
    )
    orgs = {"municipality": municipality, "hospital": hospital, "gp": gp}
    teams = []
    for name in ("KOL-team Nord", "KOL-team Syd"):
        group = Group.objects.create(name=f"Aarhus Kommune – {name}")
        teams.append(Team.objects.create(group=group, organisation=municipality, name=name))

    users = User.objects.bulk_create(
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.telemed.invalid",
            password=password_hash,
        )
        for username, first, last, *_ in STAFF
    )
    ClinicianProfile.objects.bulk_create(
        ClinicianProfile(user=user, role=role, organisation=orgs[org], title=title)
        for user, (_, _, _, role, org, _, title) in zip(users, STAFF, strict=True)
    )
    membership = User.groups.through
    membership.objects.bulk_create(
        membership(user_id=user.pk, group_id=teams[team].group_id)
        for user, (*_, team, _) in zip(users, STAFF, strict=True)
        if team is not None
    )
    by_name = {user.username: user for user in users}
    nurses = {
        teams[team].pk: [by_name[row[0]] for row in STAFF if row[5] == team] for team in (0, 1)
    }
    logins = [
        Login("nurse", "nurse.nord1", f"{teams[0].name}, {municipality.name}"),
        Login("nurse (other team)", "nurse.syd1", f"{teams[1].name}, {municipality.name}"),
        Login("doctor (GP)", "doctor.gp1", gp.name),
        Login("doctor (hospital)", "doctor.auh1", hospital.name),
        Login("organisation admin", "admin.aarhus", municipality.name),
    ]
    return _Staff(
        municipality=municipality,
        hospital=hospital,
        gp=gp,
        teams=teams,
        nurses=nurses,
        gp_doctors=[by_name["doctor.gp1"], by_name["doctor.gp2"]],
        hospital_doctors=[by_name["doctor.auh1"], by_name["doctor.auh2"]],
        admin=by_name["admin.aarhus"],
        logins=logins,
    )


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _add_limits(
    threshold_set: ThresholdSet,
    group: str,
    types: dict[str, MeasurementType],
    thresholds: list[Threshold],
    rules: list[RelativeRule],
) -> None:
    for key, (red_low, yellow_low, yellow_high, red_high) in {
        **_COMMON_LIMITS,
        **LIMITS[group],
    }.items():
        thresholds.append(
            Threshold(
                threshold_set=threshold_set,
                type=types[key],
                red_low=_dec(red_low),
                yellow_low=_dec(yellow_low),
                yellow_high=_dec(yellow_high),
                red_high=_dec(red_high),
            )
        )
    for key, direction, amount, window, baseline, severity in RULES[group]:
        rules.append(
            RelativeRule(
                threshold_set=threshold_set,
                type=types[key],
                direction=direction,
                amount=Decimal(amount),
                window_days=window,
                baseline=baseline,
                severity=severity,
            )
        )


@dataclass
class _Plan:
    """One demo patient before it is stored."""

    index: int
    patient: Patient
    pattern: str
    first_day: int
    skip_days: set[int]
    device: bool
    pause: tuple[datetime, datetime] | None = None
    doctor: User | None = None


def _local(day: date, at: dtime) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def demo_seed(
    *,
    seed: int = DEFAULT_SEED,
    patients: int = DEFAULT_PATIENTS,
    now: datetime | None = None,
) -> SeedResult:
    """Create the demo data unless it exists. See the module docstring."""
    if demo_exists():
        return SeedResult(
            created=False,
            message=(
                f"Demo data already present (organisation with SOR code {MUNICIPALITY_SOR}); "
                "nothing created. Use --reset to recreate it."
            ),
            logins=_existing_logins(),
        )
    started = clock.monotonic()
    with translation.override("da"), transaction.atomic():
        result = _seed(seed=seed, n_patients=patients, now=now or timezone.now())
    result.seconds = clock.monotonic() - started
    return result


def _team_nurses(staff: _Staff, patient: Patient) -> list[User]:
    """The nurses of the patient's monitoring team (every demo patient has a team)."""
    team = patient.monitoring_team
    assert team is not None
    return staff.nurses[team.pk]


def _existing_logins() -> list[Login]:
    logins = [
        Login("nurse", "nurse.nord1"),
        Login("nurse (other team)", "nurse.syd1"),
        Login("doctor (GP)", "doctor.gp1"),
        Login("doctor (hospital)", "doctor.auh1"),
        Login("organisation admin", "admin.aarhus"),
    ]
    citizen = (
        Patient.objects.filter(
            monitoring_team__organisation__sor_code=MUNICIPALITY_SOR,
            citizen_user__isnull=False,
            state=PatientState.ACTIVE,
        )
        .select_related("citizen_user")
        .order_by("pk")
        .first()
    )
    if citizen is not None:
        assert citizen.citizen_user is not None  # filtered on citizen_user__isnull=False
        logins.append(Login("citizen", citizen.citizen_user.username, citizen.full_name))
    logins.append(Login("superuser", "admin", "Django admin"))
    return logins


def _seed(*, seed: int, n_patients: int, now: datetime) -> SeedResult:
    User = get_user_model()
    rng = random.Random(seed)
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    window_start = today - timedelta(days=DAYS - 1)
    password_hash = make_password(DEMO_PASSWORD)
    types = {t.key: t for t in MeasurementType.objects.all()}
    plausible = {
        key: series.Plausible(t.plausible_min, t.plausible_max, t.decimals)
        for key, t in types.items()
    }
    kol = Questionnaire.objects.prefetch_related("items__options").get(
        code="kol", status=Questionnaire.Status.PUBLISHED
    )
    cat = Questionnaire.objects.prefetch_related("items__options").get(
        code="cat", status=Questionnaire.Status.PUBLISHED
    )
    kol_items = {item.link_id: item for item in kol.items.all()}
    kol_options = {
        (item.link_id, option.code): option
        for item in kol.items.all()
        for option in item.options.all()
    }
    cat_items = list(cat.items.all())
    cat_options = {
        (item.pk, option.score): option for item in cat_items for option in item.options.all()
    }

    staff = _create_staff(password_hash)
    superuser_created = False
    if not User.objects.filter(username="admin").exists():
        User.objects.create(
            username="admin",
            email="admin@demo.telemed.invalid",
            password=password_hash,
            is_staff=True,
            is_superuser=True,
        )
        superuser_created = True

    # Threshold templates per COPD group, kept by the municipality.
    thresholds: list[Threshold] = []
    rules: list[RelativeRule] = []
    template_start = _local(window_start - timedelta(days=365), dtime(8, 0))
    templates = ThresholdSet.objects.bulk_create(
        ThresholdSet(
            kind=ThresholdSet.Kind.TEMPLATE,
            organisation=staff.municipality,
            copd_group=group,
            name=f"KOL – {CopdGroup(group).label}",
            valid_from=template_start,
            created_by=staff.admin,
            reason="Standard",
        )
        for group in CopdGroup.values
    )
    template_of = {t.copd_group: t for t in templates}
    for template in templates:
        _add_limits(template, template.copd_group, types, thresholds, rules)

    # Schedule templates offered when a referral is accepted: the demo patients' schedules.
    ScheduleTemplate.objects.bulk_create(
        [
            ScheduleTemplate(
                organisation=staff.municipality,
                name="KOL – hver morgen",
                questionnaire_code="kol",
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                times=[KOL_TIME],
                grace_minutes=GRACE_MINUTES,
                changed_by=staff.admin,
            ),
            ScheduleTemplate(
                organisation=staff.municipality,
                name="CAT – mandag",
                questionnaire_code="cat",
                weekdays=[1],
                times=[KOL_TIME],
                grace_minutes=24 * 60,
                copd_groups=[CopdGroup.SEVERE, CopdGroup.VERY_SEVERE],
                changed_by=staff.admin,
            ),
        ]
    )

    # People.
    plans: list[_Plan] = []
    seen_cprs: set[str] = set()
    n_paused = max(1, n_patients // 35)
    paused = set(rng.sample(range(1, n_patients), k=min(n_paused, n_patients - 1)))
    citizen_users = []
    for index in range(n_patients):
        person = make_person(rng, today=today, min_age=50, max_age=90)
        while person.cpr in seen_cprs:
            person = make_person(rng, today=today, min_age=50, max_age=90)
        seen_cprs.add(person.cpr)
        group = rng.choices(list(COPD_GROUP_WEIGHTS), weights=list(COPD_GROUP_WEIGHTS.values()))[0]
        pattern = rng.choices(series.PATTERNS, weights=series.PATTERN_WEIGHTS)[0]
        team = staff.teams[rng.randrange(2)]
        hospital_care = group in (CopdGroup.SEVERE, CopdGroup.VERY_SEVERE) and rng.random() < 0.4
        doctor = rng.choice(staff.hospital_doctors if hospital_care else staff.gp_doctors)
        first_day = 0 if rng.random() < 0.8 else rng.randrange(10, DAYS - 10)
        with_login = rng.random() < 0.4
        device = rng.random() < 0.6
        recent_gap = rng.random() < 0.08
        if index == 0:  # the printed citizen: on the first team, treated by the first GP
            team, doctor, with_login, hospital_care = (
                staff.teams[0],
                staff.gp_doctors[0],
                True,
                False,
            )
            first_day, recent_gap = 0, False
        skip_days: set[int] = set()
        if recent_gap:
            skip_days |= set(range(DAYS - rng.randrange(1, 4), DAYS))
        state = PatientState.ACTIVE
        pause = None
        if index in paused:
            state = PatientState.PAUSED
            pause_start_day = DAYS - rng.randrange(3, 8)
            skip_days |= set(range(pause_start_day, DAYS))
            pause = (
                _local(window_start + timedelta(days=pause_start_day), dtime(11, 0)),
                _local(today + timedelta(days=rng.randrange(3, 11)), dtime(12, 0)),
            )
        patient = Patient(
            cpr=person.cpr,
            first_name=person.first_name,
            last_name=person.last_name,
            phone=person.phone,
            address=person.address,
            email="",
            copd_group=group,
            state=state,
            monitoring_team=team,
            treating_organisation=staff.hospital if hospital_care else staff.gp,
            treating_doctor=doctor,
            monitoring_started_on=window_start + timedelta(days=first_day),
            created_at=_local(window_start + timedelta(days=first_day - 7), dtime(10, 0)),
        )
        if with_login:
            user = User(
                username=f"citizen.{index + 1:03d}",
                first_name=person.first_name,
                last_name=person.last_name,
                password=password_hash,
            )
            citizen_users.append((patient, user))
        plans.append(_Plan(index, patient, pattern, first_day, skip_days, device, pause, doctor))

    User.objects.bulk_create(user for _, user in citizen_users)
    for patient, user in citizen_users:
        patient.citizen_user = user
    Patient.objects.bulk_create(plan.patient for plan in plans)
    grant_care_permissions([plan.patient for plan in plans])

    # Referrals (accepted, with the doctor's thresholds) and the patients' threshold sets.
    referrals = []
    for plan in plans:
        patient = plan.patient
        nurse = _team_nurses(staff, patient)[0]
        sent = patient.created_at
        referrals.append(
            Referral(
                cpr=patient.cpr,
                first_name=patient.first_name,
                last_name=patient.last_name,
                patient=patient,
                copd_group=patient.copd_group,
                diagnosis_code="DJ449",
                note="Henvises til telemedicinsk hjemmemonitorering af KOL.",
                referring_doctor=plan.doctor,
                referring_organisation=patient.treating_organisation,
                receiving_organisation=staff.municipality,
                status=Referral.Status.ACCEPTED,
                created_at=sent,
                decided_at=sent + timedelta(days=1, hours=2),
                decided_by=nurse,
            )
        )
    pending = []
    for _ in range(4):
        person = make_person(rng, today=today, min_age=55, max_age=85)
        while person.cpr in seen_cprs:
            person = make_person(rng, today=today, min_age=55, max_age=85)
        seen_cprs.add(person.cpr)
        doctor = rng.choice(staff.gp_doctors + staff.hospital_doctors)
        pending.append(
            Referral(
                cpr=person.cpr,
                first_name=person.first_name,
                last_name=person.last_name,
                copd_group=rng.choice(CopdGroup.values),
                diagnosis_code="DJ449",
                note="Ny henvisning. Borger er motiveret for hjemmemonitorering.",
                referring_doctor=doctor,
                referring_organisation=(staff.gp if doctor in staff.gp_doctors else staff.hospital),
                receiving_organisation=staff.municipality,
                created_at=now - timedelta(hours=rng.randrange(2, 72)),
            )
        )
    Referral.objects.bulk_create(referrals + pending)
    sets = []
    for referral in referrals + pending:
        sets.append(
            ThresholdSet(
                kind=ThresholdSet.Kind.REFERRAL,
                referral=referral,
                copd_group=referral.copd_group,
                based_on=template_of[referral.copd_group],
                valid_from=referral.created_at,
                created_by=referral.referring_doctor,
            )
        )
    patient_sets = []
    for plan, referral in zip(plans, referrals, strict=True):
        patient_sets.append(
            ThresholdSet(
                kind=ThresholdSet.Kind.PATIENT,
                patient=plan.patient,
                copd_group=plan.patient.copd_group,
                version=1,
                based_on=template_of[plan.patient.copd_group],
                valid_from=referral.created_at,
                created_by=plan.doctor,
                reason="Fra henvisningen",
            )
        )
    ThresholdSet.objects.bulk_create(sets + patient_sets)
    for threshold_set in sets + patient_sets:
        _add_limits(threshold_set, threshold_set.copd_group, types, thresholds, rules)
    Threshold.objects.bulk_create(thresholds, batch_size=2000)
    RelativeRule.objects.bulk_create(rules)
    limits_by_set: dict[int, dict[int, Threshold]] = defaultdict(dict)
    for threshold in thresholds:
        limits_by_set[threshold.threshold_set_id][threshold.type_id] = threshold
    rules_by_set: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for rule in rules:
        rules_by_set[rule.threshold_set_id][rule.type_id].append(rule_of(rule))

    PatientPause.objects.bulk_create(
        PatientPause(
            patient=plan.patient,
            starts_at=plan.pause[0],
            ends_at=plan.pause[1],
            reason="Indlagt på Aarhus Universitetshospital",
            created_by=_team_nurses(staff, plan.patient)[0],
            created_at=plan.pause[0],
        )
        for plan in plans
        if plan.pause
    )

    # Schedules: the KOL questionnaire every morning, the CAT on Mondays.
    schedules = []
    for plan in plans:
        start = plan.patient.monitoring_started_on
        assert start is not None  # set on every demo patient above
        schedules.append(
            Schedule(
                patient=plan.patient,
                questionnaire=kol,
                kind=Schedule.Kind.WEEKDAYS,
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                times=[KOL_TIME],
                starts_on=start,
                grace_minutes=GRACE_MINUTES,
            )
        )
        schedules.append(
            Schedule(
                patient=plan.patient,
                questionnaire=cat,
                kind=Schedule.Kind.WEEKDAYS,
                weekdays=[1],
                times=[KOL_TIME],
                starts_on=start,
                grace_minutes=24 * 60,
            )
        )
    Schedule.objects.bulk_create(schedules)
    kol_schedule = {s.patient.pk: s for s in schedules if s.questionnaire_id == kol.pk}
    cat_schedule = {s.patient.pk: s for s in schedules if s.questionnaire_id == cat.pk}

    # Series, evaluated as alarms.services would.
    cat_days = {d for d in range(DAYS) if (window_start + timedelta(days=d)).isoweekday() == 1}
    submissions: list[Submission] = []
    sub_children: list[tuple[list[Answer], list[Measurement], evaluation.Result, ThresholdSet]] = []
    standalone: list[tuple[Measurement, evaluation.Result, ThresholdSet]] = []
    missing: list[TriageResult] = []
    missing_reason = [
        evaluation.Reason(
            evaluation.MISSING,
            "missing",
            extra={"questionnaire_da": kol.title_da, "questionnaire_en": kol.title_en},
        )
    ]
    for plan, threshold_set in zip(plans, patient_sets, strict=True):
        patient = plan.patient
        prng = random.Random(seed * 100_003 + plan.index)
        profile = series.make_profile(
            prng, copd_group=patient.copd_group, pattern=plan.pattern, days=DAYS
        )
        samples = series.generate(
            profile,
            prng,
            days=DAYS,
            plausible=plausible,
            first_day=plan.first_day,
            skip_days=plan.skip_days,
            cat_days=cat_days,
        )
        limits = limits_by_set[threshold_set.pk]
        set_rules = rules_by_set[threshold_set.pk]
        history: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
        source = Source.DEVICE if plan.device else Source.TYPED

        def judge(
            key: str,
            value: Decimal,
            at: datetime,
            limits=limits,
            set_rules=set_rules,
            history=history,
        ) -> evaluation.Result:
            mtype = types[key]
            threshold = limits.get(mtype.pk)
            result = evaluation.evaluate_measurement(
                value=value,
                measured_at=at,
                info=type_info(mtype),
                limits=limits_of(threshold) if threshold is not None else None,
                rules=set_rules.get(mtype.pk, []),
                history=history[mtype.pk],
            )
            history[mtype.pk].append((at, value))
            return result

        answered = set()
        for sample in samples:
            day = window_start + timedelta(days=sample.day)
            at = _local(day, sample.at)
            if at > now:
                continue
            answered.add(sample.day)
            received = at + timedelta(minutes=prng.randrange(1, 8))
            due = _local(day, KOL_TIME)
            # The daily KOL questionnaire.
            answers, answer_results = [], []
            for link_id, code in sample.answers.items():
                option = kol_options[(link_id, code)]
                res = evaluation.Result(
                    severity=option.severity,
                    reasons=[
                        evaluation.answer_reason(
                            option.severity,
                            kol_items[link_id].text_da,
                            option.text_da,
                            kol_items[link_id].text_en,
                            option.text_en,
                        )
                    ],
                    snapshot={},
                )
                answers.append(
                    Answer(item=kol_items[link_id], option=option, severity=option.severity)
                )
                answer_results.append(res)
            if sample.other_text:
                answers.append(Answer(item=kol_items["other"], value_text=sample.other_text))
                answer_results.append(
                    evaluation.Result(
                        severity=evaluation.GREEN,
                        reasons=[
                            evaluation.answer_reason(
                                evaluation.GREEN,
                                kol_items["other"].text_da,
                                sample.other_text,
                                kol_items["other"].text_en,
                                sample.other_text,
                            )
                        ],
                        snapshot={},
                    )
                )
            readings = [("spo2", sample.spo2), ("pulse", sample.pulse)]
            if sample.weight is not None:
                readings.append(("weight", sample.weight))
            if sample.temperature is not None:
                readings.append(("temperature", sample.temperature))
            measurements, measurement_results = [], []
            for key, value in readings:
                res = judge(key, value, at)
                measurements.append(
                    _measurement(patient, types[key], value, at, received, source, res, prng)
                )
                measurement_results.append(res)
            combined = evaluation.combine(answer_results + measurement_results)
            submissions.append(
                Submission(
                    patient=patient,
                    questionnaire=kol,
                    schedule=kol_schedule[patient.pk],
                    due_at=due,
                    submitted_at=at,
                    received_at=received,
                    source=source,
                    client_uuid=_uuid(prng),
                    submitted_by=patient.citizen_user,
                    severity=combined.severity,
                )
            )
            sub_children.append((answers, measurements, combined, threshold_set))

            if sample.cat_items is not None:
                cat_at = at + timedelta(minutes=3)
                cat_answers, cat_results = [], []
                for item, score in zip(cat_items, sample.cat_items, strict=True):
                    option = cat_options[(item.pk, score)]
                    cat_answers.append(Answer(item=item, option=option, severity=option.severity))
                    cat_results.append(
                        evaluation.Result(
                            severity=option.severity,
                            reasons=[
                                evaluation.answer_reason(
                                    option.severity,
                                    item.text_da,
                                    option.text_da,
                                    item.text_en,
                                    option.text_en,
                                )
                            ],
                            snapshot={},
                        )
                    )
                total = Decimal(sum(sample.cat_items))
                res = judge("cat_score", total, cat_at)
                score_measurement = _measurement(
                    patient, types["cat_score"], total, cat_at, received, source, res, prng
                )
                combined = evaluation.combine([*cat_results, res])
                submissions.append(
                    Submission(
                        patient=patient,
                        questionnaire=cat,
                        schedule=cat_schedule[patient.pk],
                        due_at=due,
                        submitted_at=cat_at,
                        received_at=received + timedelta(minutes=3),
                        source=source,
                        client_uuid=_uuid(prng),
                        submitted_by=patient.citizen_user,
                        score=int(total),
                        severity=combined.severity,
                    )
                )
                sub_children.append((cat_answers, [score_measurement], combined, threshold_set))

            # Standalone readings: CRP taken at a home visit, FEV1 from the spirometer.
            for key, reading, src, device_id in (
                ("crp", sample.crp, Source.CLINIC, ""),
                ("fev1", sample.fev1, Source.DEVICE, f"spirometer-{patient.pk}"),
            ):
                if reading is None:
                    continue
                taken = at + timedelta(hours=3 if key == "crp" else 0, minutes=10)
                if taken > now:
                    continue
                res = judge(key, reading, taken)
                m = _measurement(
                    patient,
                    types[key],
                    reading,
                    taken,
                    taken + timedelta(minutes=2),
                    src,
                    res,
                    prng,
                )
                m.device_id = device_id
                standalone.append((m, res, threshold_set))

        # Missing-data alarms for the mornings nobody answered (not while paused).
        for d in range(plan.first_day, DAYS):
            if d in answered:
                continue
            due = _local(window_start + timedelta(days=d), KOL_TIME)
            raised = due + timedelta(minutes=GRACE_MINUTES)
            if raised > now or (plan.pause and plan.pause[0] <= due):
                continue
            missing.append(
                TriageResult(
                    patient=patient,
                    kind=TriageResult.Kind.MISSING,
                    schedule=kol_schedule[patient.pk],
                    due_at=due,
                    severity=evaluation.MISSING,
                    reasons=[r.as_dict() for r in missing_reason],
                    created_at=raised,
                )
            )

    Submission.objects.bulk_create(submissions, batch_size=2000)
    all_answers, all_measurements, results = [], [], []
    for submission, (answers, measurements, combined, threshold_set) in zip(
        submissions, sub_children, strict=True
    ):
        for answer in answers:
            answer.submission = submission
        for measurement in measurements:
            measurement.submission = submission
        all_answers.extend(answers)
        all_measurements.extend(measurements)
        results.append(
            TriageResult(
                patient=submission.patient,
                kind=TriageResult.Kind.SUBMISSION,
                submission=submission,
                severity=combined.severity,
                reasons=combined.reasons_as_dicts(),
                thresholds_snapshot=snapshot_with_set(combined, threshold_set),
                threshold_set=threshold_set,
                created_at=submission.received_at,
            )
        )
    all_measurements.extend(m for m, _, _ in standalone)
    Answer.objects.bulk_create(all_answers, batch_size=5000)
    Measurement.objects.bulk_create(all_measurements, batch_size=5000)
    for measurement, res, threshold_set in standalone:
        results.append(
            TriageResult(
                patient=measurement.patient,
                kind=TriageResult.Kind.MEASUREMENT,
                measurement=measurement,
                severity=res.severity,
                reasons=res.reasons_as_dicts(),
                thresholds_snapshot=snapshot_with_set(res, threshold_set),
                threshold_set=threshold_set,
                created_at=measurement.received_at,
            )
        )
    results.extend(missing)
    _acknowledge_older(results, staff, rng, now)
    _ignore_false_alarms(results)
    TriageResult.objects.bulk_create(results, batch_size=5000)
    _escalations(results, staff, now)
    triage_refresh(patient_ids=[plan.patient.pk for plan in plans])

    citizen = plans[0].patient
    assert citizen.citizen_user is not None  # the first demo patient always gets a login
    logins = [
        *staff.logins,
        Login(
            "citizen",
            citizen.citizen_user.username,
            f"{citizen.full_name}, {staff.teams[0].name}, GP doctor.gp1",
        ),
        Login("superuser", "admin", "Django admin" + ("" if superuser_created else " (existed)")),
    ]
    counts = {
        "organisations": 3,
        "teams": len(staff.teams),
        "clinicians": len(STAFF),
        "patients": len(plans),
        "citizen logins": len(citizen_users),
        "referrals": len(referrals) + len(pending),
        "submissions": len(submissions),
        "answers": len(all_answers),
        "measurements": len(all_measurements),
        "triage results": len(results),
    }
    return SeedResult(created=True, message="Demo data created.", logins=logins, counts=counts)


def _ignore_false_alarms(results: list[TriageResult]) -> None:
    """A device reading the nurse found to be a measurement error is also set aside (struck
    through on the patient page, no alarm colour, no part of baselines): the first two."""
    false_alarms = [
        r
        for r in results
        if r.kind == TriageResult.Kind.MEASUREMENT
        and r.outcome is not None
        and r.outcome.code == "measurement_error"
    ][:2]
    for result in false_alarms:
        assert result.measurement is not None and result.acknowledged_at is not None
        for row in (result, result.measurement):
            row.ignored_at = result.acknowledged_at
            row.ignored_by = result.acknowledged_by
            row.ignore_reason = IgnoreReason.MEASUREMENT_ERROR
        result.measurement.save(update_fields=["ignored_at", "ignored_by", "ignore_reason"])


def _escalations(results: list[TriageResult], staff: _Staff, now: datetime) -> None:
    """Reds that waited longer than their organisation's limit were escalated to the team by
    e-mail (the delivery is history: sent)."""
    limits = dict(Team.objects.values_list("pk", "organisation__escalation_minutes"))
    rows = []
    for result in results:
        team_id = result.patient.monitoring_team_id
        if result.severity != "red" or team_id is None:
            continue
        due = result.created_at + timedelta(minutes=limits[team_id])
        if due > min(result.acknowledged_at or now, now):
            continue
        recipients = sorted(n.email for n in _team_nurses(staff, result.patient) if n.email)
        rows.append(
            Escalation(
                result=result,
                patient=result.patient,
                created_at=due,
                state=Escalation.State.SENT,
                claimed_at=due,
                sent_at=due + timedelta(seconds=2),
                attempts=1,
                recipients=recipients,
            )
        )
    Escalation.objects.bulk_create(rows, batch_size=2000)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _measurement(
    patient: Patient,
    mtype: MeasurementType,
    value: Decimal,
    at: datetime,
    received: datetime,
    source: str,
    result: evaluation.Result,
    rng: random.Random,
) -> Measurement:
    return Measurement(
        patient=patient,
        type=mtype,
        value=value,
        unit=mtype.unit,
        measured_at=at,
        received_at=received,
        source=source,
        client_uuid=_uuid(rng),
        severity=result.severity,
    )


def _acknowledge_older(
    results: Sequence[TriageResult], staff: _Staff, rng: random.Random, now: datetime
) -> None:
    """Results older than OPEN_DAYS were handled by a nurse of the patient's team; the newer
    ones are left open so the triage list has work in it."""
    cutoff = now - timedelta(days=OPEN_DAYS)
    outcomes = {outcome.code: outcome for outcome in outcomes_for(None)}
    delay_hours = {"green": (2, 30), "missing": (1, 8), "yellow": (1, 6), "red": (0.2, 1.5)}
    for result in results:
        if result.created_at >= cutoff:
            continue
        low, high = delay_hours[result.severity]
        result.acknowledged_at = min(
            result.created_at + timedelta(hours=rng.uniform(low, high)), cutoff
        )
        result.acknowledged_by = rng.choice(_team_nurses(staff, result.patient))
        result.outcome = outcomes[NO_ACTION]
        if result.severity in ACK_NOTES:
            note, code = rng.choice(ACK_NOTES[result.severity])
            result.acknowledgement_note = note
            result.outcome = outcomes[code]
            result.receipt_to_citizen = rng.random() < 0.3
            result.note_to_citizen = result.receipt_to_citizen and code != "measurement_error"
        if result.kind == TriageResult.Kind.MISSING:
            result.resolved_at = result.acknowledged_at
