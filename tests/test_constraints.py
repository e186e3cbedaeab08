"""The database refuses bad data on its own, whatever client writes it (no forms involved).

Each refusal names the constraint it expects, so a test fails if that rule is dropped even
when another rule would happen to refuse the same row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alarms.models import RelativeRule, Threshold, ThresholdSet, TriageResult
from monitoring.models import (
    Answer,
    ItemOption,
    Measurement,
    MeasurementType,
    Questionnaire,
    QuestionnaireItem,
    Schedule,
    Source,
    Submission,
)
from patients.models import (
    ClinicianProfile,
    Organisation,
    Patient,
    PatientGroupObjectPermission,
    PatientPause,
    PatientUserObjectPermission,
    Referral,
    Team,
)
from telemed.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def refused(constraint: str) -> Any:
    """Expect an IntegrityError naming ``constraint``, inside a savepoint so the test goes on."""

    class _Refused:
        def __enter__(self) -> None:
            self._raises = pytest.raises(IntegrityError, match=constraint)
            self._raises.__enter__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()

        def __exit__(self, *exc: Any) -> bool:
            self._atomic.__exit__(*exc)
            return bool(self._raises.__exit__(*exc))

    return _Refused()


# A small world: everything the admin and the constraints need, made ``n`` times over. -------


@dataclass
class World:
    user: User
    organisation: Organisation
    team: Team
    patient: Patient
    referral: Referral
    questionnaire: Questionnaire
    item: QuestionnaireItem
    option: ItemOption
    schedule: Schedule
    submission: Submission
    measurement: Measurement
    threshold_set: ThresholdSet
    template: ThresholdSet


def spo2() -> MeasurementType:
    return MeasurementType.objects.get(key="spo2")


def make_patient(cpr: str = "0101501234", **kwargs: Any) -> Patient:
    return Patient.objects.create(
        cpr=cpr, first_name="Karen", last_name="Jensen", copd_group="moderate", **kwargs
    )


def make_world(n: int = 1) -> World:
    user = User.objects.create_user(username=f"nurse{n}", first_name="Nina", last_name="Holm")
    organisation = Organisation.objects.create(
        name=f"Kommune {n}", kind=Organisation.Kind.MUNICIPALITY, sor_code=f"SOR{n}"
    )
    gp = Organisation.objects.create(
        name=f"Lægehus {n}", kind=Organisation.Kind.GP_CLINIC, sor_code=f"GP{n}"
    )
    team = Team.objects.create(
        group=Group.objects.create(name=f"team{n}"), organisation=organisation, name=f"KOL {n}"
    )
    ClinicianProfile.objects.create(user=user, role="nurse", organisation=organisation)
    patient = make_patient(
        cpr=f"0101{49 + n:02d}1234", monitoring_team=team, treating_organisation=gp
    )
    referral = Referral.objects.create(
        cpr=patient.cpr,
        first_name="Karen",
        last_name="Jensen",
        patient=patient,
        copd_group="moderate",
        referring_doctor=user,
        referring_organisation=gp,
        receiving_organisation=organisation,
    )
    PatientPause.objects.create(
        patient=patient,
        starts_at=NOW,
        ends_at=NOW + timedelta(days=3),
        reason="Hospitalised",
        created_by=user,
    )
    questionnaire = Questionnaire.objects.create(
        code=f"kol-{n}", title_da="KOL", title_en="COPD", status="published"
    )
    item = QuestionnaireItem.objects.create(
        questionnaire=questionnaire, link_id="breath", position=1, kind="choice", text_da="?"
    )
    option = ItemOption.objects.create(
        item=item, code="worse", position=1, text_da="Værre", severity="yellow"
    )
    schedule = Schedule.objects.create(
        patient=patient, questionnaire=questionnaire, kind="weekdays", weekdays=[1], times=[time(9)]
    )
    submission = Submission.objects.create(
        patient=patient,
        questionnaire=questionnaire,
        schedule=schedule,
        submitted_at=NOW,
        source=Source.TYPED,
        severity="yellow",
    )
    Answer.objects.create(submission=submission, item=item, option=option, severity="yellow")
    measurement = Measurement.objects.create(
        patient=patient,
        type=spo2(),
        value=Decimal("91"),
        unit="%",
        measured_at=NOW,
        source=Source.DEVICE,
        submission=submission,
    )
    threshold_set = ThresholdSet.objects.create(kind="patient", patient=patient, created_by=user)
    Threshold.objects.create(threshold_set=threshold_set, type=spo2(), red_low=88, yellow_low=92)
    RelativeRule.objects.create(
        threshold_set=threshold_set,
        type=spo2(),
        direction="fall",
        amount=3,
        window_days=3,
        baseline="median",
        severity="yellow",
    )
    template = ThresholdSet.objects.create(
        kind="template", organisation=organisation, copd_group="moderate", name="Moderat"
    )
    ThresholdSet.objects.create(kind="referral", referral=referral)
    TriageResult.objects.create(
        patient=patient, kind="measurement", measurement=measurement, severity="yellow"
    )
    TriageResult.objects.create(
        patient=patient,
        kind="submission",
        submission=submission,
        severity="yellow",
        acknowledged_at=NOW,
        acknowledged_by=user,
    )
    TriageResult.objects.create(
        patient=patient, kind="missing", schedule=schedule, due_at=NOW, severity="missing"
    )
    view_perm = Permission.objects.get(codename="view_patient_data")
    PatientUserObjectPermission.objects.create(
        permission=view_perm, user=user, content_object=patient
    )
    PatientGroupObjectPermission.objects.create(
        permission=view_perm, group=team.group, content_object=patient
    )
    AuditEvent.objects.create(
        user=user, user_display="Nina Holm", patient=patient, action="view", what="chart"
    )
    return World(
        user=user,
        organisation=organisation,
        team=team,
        patient=patient,
        referral=referral,
        questionnaire=questionnaire,
        item=item,
        option=option,
        schedule=schedule,
        submission=submission,
        measurement=measurement,
        threshold_set=threshold_set,
        template=template,
    )


@pytest.fixture
def world() -> World:
    return make_world()


# Thresholds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "constraint"),
    [
        ({"red_low": 90, "yellow_low": 89}, "threshold_red_low_lte_yellow_low"),
        ({"yellow_low": 92, "yellow_high": 92}, "threshold_yellow_low_lt_yellow_high"),
        ({"yellow_low": 93, "yellow_high": 92}, "threshold_yellow_low_lt_yellow_high"),
        ({"yellow_high": 100, "red_high": 99}, "threshold_yellow_high_lte_red_high"),
        ({"red_low": 95, "red_high": 95}, "threshold_red_low_lt_red_high"),
        ({"red_low": 96, "red_high": 95}, "threshold_red_low_lt_red_high"),
        ({"red_low": 95, "yellow_high": 95}, "threshold_red_low_lt_yellow_high"),
        ({"yellow_low": 95, "red_high": 94}, "threshold_yellow_low_lt_red_high"),
    ],
)
def test_threshold_limits_out_of_order_are_refused(
    world: World, limits: dict[str, int], constraint: str
) -> None:
    threshold_set = ThresholdSet.objects.create(kind="patient", patient=world.patient, version=2)
    with refused(constraint):
        Threshold.objects.create(threshold_set=threshold_set, type=spo2(), **limits)
    assert not threshold_set.thresholds.exists()


@pytest.mark.parametrize(
    "limits",
    [
        {},
        {"red_low": 88},
        {"red_low": 88, "yellow_low": 88, "yellow_high": 100, "red_high": 100},
        {"red_low": 85, "yellow_low": 88, "yellow_high": 99, "red_high": 100},
        {"red_low": 85, "red_high": 100},
    ],
)
def test_threshold_limits_in_order_are_accepted(world: World, limits: dict[str, int]) -> None:
    threshold_set = ThresholdSet.objects.create(kind="patient", patient=world.patient, version=2)
    Threshold.objects.create(threshold_set=threshold_set, type=spo2(), **limits)


def test_one_threshold_per_type_per_set(world: World) -> None:
    with refused("threshold_one_per_type"):
        Threshold.objects.create(threshold_set=world.threshold_set, type=spo2(), red_low=80)
    # The same type in another set is fine.
    Threshold.objects.create(threshold_set=world.template, type=spo2(), red_low=80)


@pytest.mark.parametrize(
    ("kind", "owners"),
    [
        ("patient", {}),
        ("patient", {"patient": True, "referral": True}),
        ("referral", {}),
        ("referral", {"referral": True, "patient": True}),
        ("template", {"copd_group": "moderate"}),
        ("template", {"organisation": True}),
        ("template", {"organisation": True, "copd_group": "moderate", "patient": True}),
        ("unknown", {"patient": True}),
    ],
)
def test_threshold_set_owner_must_match_its_kind(
    world: World, kind: str, owners: dict[str, Any]
) -> None:
    referral = Referral.objects.create(
        cpr="0202501234",
        first_name="Ole",
        last_name="Berg",
        copd_group="mild",
        referring_doctor=world.user,
        referring_organisation=world.organisation,
        receiving_organisation=world.organisation,
    )
    fields: dict[str, Any] = {"kind": kind, "version": 9}
    if owners.get("patient"):
        fields["patient"] = world.patient
    if owners.get("referral"):
        fields["referral"] = referral
    if owners.get("organisation"):
        fields["organisation"] = world.organisation
    if "copd_group" in owners:
        fields["copd_group"] = owners["copd_group"]
    with refused("thresholdset_owner_matches_kind"):
        ThresholdSet.objects.create(**fields)


def test_threshold_set_versions_are_unique_per_owner(world: World) -> None:
    with refused("thresholdset_patient_version"):
        ThresholdSet.objects.create(kind="patient", patient=world.patient, version=1)
    with refused("thresholdset_template_version"):
        ThresholdSet.objects.create(
            kind="template", organisation=world.organisation, copd_group="moderate", version=1
        )
    ThresholdSet.objects.create(kind="patient", patient=world.patient, version=2)
    ThresholdSet.objects.create(
        kind="template", organisation=world.organisation, copd_group="severe", version=1
    )


# Patients, referrals, pauses ------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "010150123", "01015012a4", "010150 123", "010150-123"])
def test_patient_cpr_must_be_ten_digits(bad: str) -> None:
    with refused("patient_cpr_ten_digits"):
        make_patient(cpr=bad)


def test_patient_cpr_is_unique() -> None:
    make_patient(cpr="0101501234")
    with refused("patients_patient_cpr_key"):
        make_patient(cpr="0101501234")


def test_referral_cpr_must_be_ten_digits(world: World) -> None:
    with refused("referral_cpr_ten_digits"):
        Referral.objects.create(
            cpr="010150-123",
            first_name="Ole",
            last_name="Berg",
            copd_group="mild",
            referring_doctor=world.user,
            referring_organisation=world.organisation,
            receiving_organisation=world.organisation,
        )


def test_rejected_referral_needs_a_reason(world: World) -> None:
    referral = world.referral
    referral.status = Referral.Status.REJECTED
    with refused("referral_rejection_has_reason"):
        referral.save()
    referral.rejection_reason = "Not COPD"
    referral.save()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REJECTED


@pytest.mark.parametrize("length", [timedelta(hours=-1), timedelta(0)])
def test_pause_must_end_after_it_starts(world: World, length: timedelta) -> None:
    with refused("pause_ends_after_start"):
        PatientPause.objects.create(
            patient=world.patient,
            starts_at=NOW,
            ends_at=NOW + length,
            reason="x",
            created_by=world.user,
        )
    PatientPause.objects.create(
        patient=world.patient,
        starts_at=NOW,
        ends_at=NOW + timedelta(minutes=1),
        reason="x",
        created_by=world.user,
    )


# Measurements, submissions, questionnaires ----------------------------------------------


def _measurement(world: World, client_uuid: uuid.UUID, source: str) -> Measurement:
    return Measurement.objects.create(
        patient=world.patient,
        type=spo2(),
        value=95,
        unit="%",
        measured_at=NOW,
        source=source,
        client_uuid=client_uuid,
    )


def test_duplicate_client_uuid_from_one_source_is_refused(world: World) -> None:
    client_uuid = uuid.uuid4()
    _measurement(world, client_uuid, Source.DEVICE)
    with refused("measurement_unique_client_uuid_per_source"):
        _measurement(world, client_uuid, Source.DEVICE)
    # The same UUID from another source is another measurement.
    _measurement(world, client_uuid, Source.TYPED)
    assert Measurement.objects.filter(client_uuid=client_uuid).count() == 2


def test_duplicate_submission_client_uuid_is_refused(world: World) -> None:
    with refused("submission_unique_client_uuid"):
        Submission.objects.create(
            patient=world.patient,
            questionnaire=world.questionnaire,
            submitted_at=NOW,
            source=Source.TYPED,
            client_uuid=world.submission.client_uuid,
        )


def test_one_published_version_per_questionnaire_code(world: World) -> None:
    code = world.questionnaire.code
    with refused("questionnaire_one_published_version"):
        Questionnaire.objects.create(code=code, version=2, status="published", title_da="v2")
    draft = Questionnaire.objects.create(code=code, version=2, status="draft", title_da="v2")
    Questionnaire.objects.create(code=code, version=3, status="retired", title_da="v3")
    Questionnaire.objects.create(code="other", version=1, status="published", title_da="o")
    # Publishing the draft needs the old version retired first.
    draft.status = "published"
    with refused("questionnaire_one_published_version"):
        draft.save()
    Questionnaire.objects.filter(pk=world.questionnaire.pk).update(status="retired")
    draft.save()
    with refused("questionnaire_code_version"):
        Questionnaire.objects.create(code=code, version=2, status="draft", title_da="again")


# Triage results -------------------------------------------------------------------------


def test_one_missing_data_alarm_per_schedule_occasion(world: World) -> None:
    with refused("triageresult_one_missing_alarm_per_occasion"):
        TriageResult.objects.create(
            patient=world.patient,
            kind="missing",
            schedule=world.schedule,
            due_at=NOW,
            severity="missing",
        )
    TriageResult.objects.create(
        patient=world.patient,
        kind="missing",
        schedule=world.schedule,
        due_at=NOW + timedelta(days=1),
        severity="missing",
    )


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("measurement", set()),
        ("measurement", {"measurement", "submission"}),
        ("submission", set()),
        ("submission", {"submission", "measurement"}),
        ("missing", {"due_at"}),
        ("missing", {"schedule"}),
        ("missing", {"schedule", "due_at", "measurement"}),
        ("missing", {"schedule", "due_at", "submission"}),
        ("other", {"measurement"}),
    ],
)
def test_triage_result_subject_must_match_its_kind(
    world: World, kind: str, subject: set[str]
) -> None:
    # Fresh subjects, so the one-to-one fields cannot be what refuses the row.
    submission = Submission.objects.create(
        patient=world.patient,
        questionnaire=world.questionnaire,
        submitted_at=NOW,
        source=Source.TYPED,
    )
    measurement = _measurement(world, uuid.uuid4(), Source.CLINIC)
    fields: dict[str, Any] = {
        "measurement": measurement if "measurement" in subject else None,
        "submission": submission if "submission" in subject else None,
        "schedule": world.schedule if "schedule" in subject else None,
        "due_at": NOW + timedelta(days=7) if "due_at" in subject else None,
    }
    severity = "missing" if kind == "missing" else "green"
    with refused("triageresult_subject_matches_kind"):
        TriageResult.objects.create(patient=world.patient, kind=kind, severity=severity, **fields)


def test_missing_data_alarm_has_missing_severity(world: World) -> None:
    with refused("triageresult_missing_kind_has_missing_severity"):
        TriageResult.objects.create(
            patient=world.patient,
            kind="missing",
            schedule=world.schedule,
            due_at=NOW + timedelta(days=2),
            severity="red",
        )


def test_acknowledgement_needs_someone(world: World) -> None:
    result = TriageResult.objects.get(measurement=world.measurement)
    result.acknowledged_at = NOW
    with refused("triageresult_acknowledged_by_someone"):
        result.save()


# The audit log is append-only -----------------------------------------------------------


def test_audit_event_cannot_be_changed_or_deleted_through_the_model(world: World) -> None:
    event = AuditEvent.objects.get(patient=world.patient)
    event.what = "nothing to see"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).what == "chart"


def test_audit_event_queryset_update_and_delete_are_refused_by_the_database(
    world: World,
) -> None:
    # QuerySet.update()/delete() skip the model methods; the trigger still refuses.
    events = AuditEvent.objects.filter(patient=world.patient)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        events.update(what="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        events.delete()
    assert list(events.values_list("what", flat=True)) == ["chart"]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE telemed_auditevent SET what = 'rewritten'",
        "UPDATE telemed_auditevent SET patient_id = NULL WHERE id = %s",
        "DELETE FROM telemed_auditevent",
        "DELETE FROM telemed_auditevent WHERE id = %s",
    ],
)
def test_audit_event_raw_sql_update_and_delete_are_refused(world: World, sql: str) -> None:
    event = AuditEvent.objects.get(patient=world.patient)
    params = [event.pk] if "%s" in sql else []
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.what, event.patient_id) == ("chart", world.patient.pk)


def test_audit_events_can_still_be_appended(world: World) -> None:
    AuditEvent.objects.create(patient=world.patient, action="export", what="FHIR bundle")
    assert AuditEvent.objects.filter(patient=world.patient).count() == 2


# Admin smoke test -----------------------------------------------------------------------

APPS = {"patients", "monitoring", "alarms", "telemed"}
READ_ONLY = {
    "telemed.auditevent",
    "alarms.patienttriage",
    "alarms.escalation",
    "alarms.claim",
    "patients.careaccess",
}


def registered() -> list[tuple[type, admin.ModelAdmin]]:
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in APPS
        ),
        key=lambda pair: pair[0]._meta.label_lower,
    )


def admin_url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_has_an_admin_or_an_inline() -> None:
    covered = {model for model, _ in registered()}
    for _, model_admin in registered():
        covered.update(inline.model for inline in model_admin.inlines)
    models = {m for name in APPS for m in apps.get_app_config(name).get_models()}
    assert models - covered == set()


@pytest.fixture
def superuser_client(client: Any, django_user_model: Any) -> Any:
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    return client


def test_admin_pages_open_and_list_queries_do_not_grow_with_rows(
    superuser_client: Any,
) -> None:
    make_world(1)

    def list_queries() -> dict[str, int]:
        counts = {}
        for model, _ in registered():
            with CaptureQueriesContext(connection) as queries:
                response = superuser_client.get(admin_url(model, "changelist"))
            assert response.status_code == 200, model
            content = response.content.decode()
            # Raw CPR numbers never appear on a list page, only masked ones.
            for patient in Patient.objects.all():
                assert patient.cpr not in content, model
                assert patient.formatted_cpr not in content, model
            counts[model._meta.label_lower] = len(queries)
        return counts

    with_one = list_queries()
    make_world(2)
    make_world(3)
    assert list_queries() == with_one

    for model, _ in registered():
        label = model._meta.label_lower
        expected = 403 if label in READ_ONLY else 200
        assert superuser_client.get(admin_url(model, "add")).status_code == expected, label
        obj = model._default_manager.first()
        if obj is not None:
            response = superuser_client.get(admin_url(model, "change", obj.pk))
            assert response.status_code == 200, label


def test_patient_search_by_formatted_cpr_and_name(superuser_client: Any) -> None:
    world = make_world(1)
    make_world(2)
    url = admin_url(Patient, "changelist")
    for term in (world.patient.formatted_cpr, world.patient.cpr[:6], "jensen karen"):
        response = superuser_client.get(url, {"q": term})
        assert response.status_code == 200
        found = list(response.context["cl"].result_list)
        assert world.patient in found, term
    response = superuser_client.get(admin_url(Measurement, "changelist"), {"q": "010150 1234"})
    assert list(response.context["cl"].result_list) == [world.measurement]


def test_opening_a_patient_in_the_admin_is_audited(superuser_client: Any) -> None:
    world = make_world()
    response = superuser_client.get(admin_url(Patient, "change", world.patient.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(patient=world.patient, action="view").latest("occurred_at")
    assert event.user.username == "root"
    assert event.object_type == "patients.patient"


def test_audit_event_admin_is_read_only_even_for_superusers(superuser_client: Any) -> None:
    world = make_world()
    event = AuditEvent.objects.filter(patient=world.patient).first()
    assert superuser_client.get(admin_url(AuditEvent, "add")).status_code == 403
    assert superuser_client.get(admin_url(AuditEvent, "delete", event.pk)).status_code == 403
    assert superuser_client.post(admin_url(AuditEvent, "delete", event.pk)).status_code == 403
    response = superuser_client.post(
        admin_url(AuditEvent, "change", event.pk), {"what": "rewritten"}
    )
    assert response.status_code == 403
    changelist = superuser_client.get(admin_url(AuditEvent, "changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert AuditEvent.objects.get(pk=event.pk).what == "chart"
    # Searchable by patient and by user; filterable by action and date.
    for term in ("jensen", world.patient.formatted_cpr, "nurse1"):
        response = superuser_client.get(admin_url(AuditEvent, "changelist"), {"q": term})
        assert event in response.context["cl"].result_list, term
    response = superuser_client.get(
        admin_url(AuditEvent, "changelist"), {"action__exact": "export"}
    )
    assert list(response.context["cl"].result_list) == []
    response = superuser_client.get(
        admin_url(AuditEvent, "changelist"),
        {"occurred_at__gte": (NOW - timedelta(days=1)).isoformat()},
    )
    assert event in response.context["cl"].result_list


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        (
            {"kind": "weekdays", "weekdays": [], "times": ["09:00"]},
            "schedule_weekdays_has_days_and_times",
        ),
        (
            {"kind": "weekdays", "weekdays": [1], "times": []},
            "schedule_weekdays_has_days_and_times",
        ),
        (
            {"kind": "weekdays", "weekdays": [0, 1], "times": ["09:00"]},
            "schedule_weekdays_are_iso_days",
        ),
        (
            {"kind": "every_n_days", "interval_days": 2, "times": []},
            "schedule_every_n_days_has_times",
        ),
    ],
)
def test_schedule_rule_must_be_complete(fields, constraint):
    from django.contrib.auth.models import Group

    from monitoring.models import Questionnaire, Schedule
    from patients.models import Organisation, Patient, Team

    org = Organisation.objects.create(name="S", kind="municipality", sor_code="S-1")
    team = Team.objects.create(group=Group.objects.create(name="S-A"), organisation=org, name="A")
    patient = Patient.objects.create(
        cpr="0101502222", first_name="A", last_name="B", copd_group="mild", monitoring_team=team
    )
    kol = Questionnaire.objects.get(code="kol", status="published")
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Schedule.objects.create(patient=patient, questionnaire=kol, **fields)
