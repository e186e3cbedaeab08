"""A known month (November 2026) built with factories, rebuilt into daily rows, and every
indicator's value asserted as the page computes it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from alarms.models import Escalation, Outcome, TriageResult
from indicators import presenters, selectors, services
from indicators.models import IndicatorDay
from indicators.periods import Period
from monitoring.severity import Severity
from patients.models import MonitoringEnd, PatientState, Referral
from tests.factories import (
    PatientFactory,
    ReferralFactory,
    ScheduleFactory,
    SubmissionFactory,
    TriageResultFactory,
)

CPH = ZoneInfo("Europe/Copenhagen")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=CPH)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CPH)


def outcome(kind: str) -> Outcome:
    found = Outcome.objects.filter(organisation__isnull=True, kind=kind).first()
    assert found is not None
    return found


def alarm(
    patient, severity: str, raised: datetime, minutes: int | None, kind: str, reason: dict, by
):
    return TriageResultFactory(
        measurement__patient=patient,
        severity=severity,
        created_at=raised,
        acknowledged_at=raised + timedelta(minutes=minutes) if minutes is not None else None,
        acknowledged_by=by if minutes is not None else None,
        outcome=outcome(kind) if kind else None,
        reasons=[reason],
    )


SPO2_RED = {"severity": "red", "code": "below_red", "type": "spo2", "value": "85"}
PULSE_YELLOW = {"severity": "yellow", "code": "above_yellow", "type": "pulse", "value": "105"}


@pytest.fixture
def month(db, org_municipality, team, other_team, nurse, doctor):
    """Two patients of the team from 4 November (accepted referrals), one ended on the 14th,
    one patient of the other team."""
    p1 = PatientFactory(monitoring_team=team, monitoring_started_on=date(2026, 11, 4))
    p2 = PatientFactory(monitoring_team=team, monitoring_started_on=date(2026, 11, 4))
    p3 = PatientFactory(
        monitoring_team=team,
        monitoring_started_on=date(2026, 10, 1),
        state=PatientState.DISCHARGED,
    )
    MonitoringEnd.objects.create(
        patient=p3, team=team, reason="finished", ended_at=at(14, 12), ended_by=nurse
    )
    elsewhere = PatientFactory(monitoring_team=other_team, monitoring_started_on=date(2026, 10, 1))

    # Referrals: three received, two accepted (p1 after 1 day, p2 after 3 days), one rejected.
    for patient, sent in ((p1, at(3, 10)), (p2, at(1, 10))):
        ReferralFactory(
            cpr=patient.cpr,
            patient=patient,
            referring_doctor=doctor,
            receiving_organisation=org_municipality,
            status=Referral.Status.ACCEPTED,
            created_at=sent,
            decided_at=at(4, 8),
            decided_by=nurse,
        )
    ReferralFactory(
        referring_doctor=doctor,
        receiving_organisation=org_municipality,
        status=Referral.Status.REJECTED,
        rejection_reason="Not COPD",
        created_at=at(3, 11),
        decided_at=at(4, 9),
        decided_by=nurse,
    )

    # 20 occasions (daily at 09:00, 4–13 November), 15 answered on time, 5 missing-data alarms.
    for patient, answered in ((p1, 8), (p2, 7)):
        schedule = ScheduleFactory(
            patient=patient, starts_on=date(2026, 11, 4), ends_on=date(2026, 11, 13)
        )
        for offset in range(10):
            day = 4 + offset
            if offset < answered:
                SubmissionFactory(
                    patient=patient,
                    schedule=schedule,
                    submitted_at=at(day, 9, 30),
                    received_at=at(day, 9, 30),
                )
            else:
                TriageResult.objects.create(
                    patient=patient,
                    kind=TriageResult.Kind.MISSING,
                    schedule=schedule,
                    due_at=at(day, 9),
                    severity=Severity.MISSING,
                    created_at=at(day, 12),
                )
    # A late answer (five hours after, grace three) does not make its occasion on time.
    SubmissionFactory(patient=p2, submitted_at=at(11, 14), received_at=at(11, 14))

    # Reds on Monday 16 November in office hours, acknowledged after 10, 20, 30, 40 minutes.
    reds = [
        alarm(p1, Severity.RED, at(16, 9), 10, Outcome.Kind.ACTION, SPO2_RED, nurse),
        alarm(p1, Severity.RED, at(16, 10), 20, Outcome.Kind.NO_ACTION, SPO2_RED, nurse),
        alarm(p2, Severity.RED, at(16, 11), 30, Outcome.Kind.FALSE_ALARM, SPO2_RED, nurse),
        alarm(p2, Severity.RED, at(16, 12), 40, Outcome.Kind.NO_ACTION, SPO2_RED, nurse),
    ]
    Escalation.objects.create(result=reds[3], patient=p2, tier=1, created_at=at(16, 12, 30))
    # Yellows on Saturday 21 November (outside office hours), after 60 and 120 minutes.
    alarm(p1, Severity.YELLOW, at(21, 20), 60, Outcome.Kind.ACTION, PULSE_YELLOW, nurse)
    alarm(p2, Severity.YELLOW, at(21, 20), 120, Outcome.Kind.ACTION, PULSE_YELLOW, nurse)
    # Set aside (a measurement error): not an alarm of the month.
    ignored = alarm(p1, Severity.RED, at(17, 9), None, "", SPO2_RED, nurse)
    TriageResult.objects.filter(pk=ignored.pk).update(
        ignored_at=at(17, 10), ignored_by=nurse, ignore_reason="measurement_error"
    )
    # The other team's red is not the team's, but is the organisation's.
    alarm(elsewhere, Severity.RED, at(18, 9), 5, Outcome.Kind.ACTION, SPO2_RED, nurse)

    services.indicators_rebuild(first=date(2026, 10, 25), last=date(2026, 12, 5), now=NOW)
    return {"team": team, "organisation": org_municipality}


def page(organisation, team) -> presenters.IndicatorsPage:
    args = {
        "organisation_id": organisation.pk,
        "team_id": team.pk if team else None,
        "first": NOVEMBER.first,
        "last": NOVEMBER.last,
    }
    with translation.override("en"):
        return _build(args, team)


def _build(args: dict, team) -> presenters.IndicatorsPage:
    return presenters.build(
        scope_name="x",
        team_scope=team is not None,
        period=NOVEMBER,
        rows=selectors.period_rows(**args),
        rules=selectors.rule_totals(**args),
        up_to=selectors.figures_up_to(organisation_id=args["organisation_id"]),
    )


def whole_period(built: presenters.IndicatorsPage, key: str) -> dict[str, object]:
    table = next(t for t in built.tables if t.key == key)
    return dict(zip(table.columns, table.raw[-1], strict=True))


def test_patients(month):
    figures = whole_period(page(month["organisation"], month["team"]), "patients")
    # p1 and p2 from 4 to 30 November (27 days each), p3 from 1 to 14 November.
    assert figures["Patient-weeks"] == round((27 + 27 + 14) / 7, 3)
    assert figures["Started"] == 2
    assert figures["Ended"] == 1
    assert figures["Monitored on the last day"] == 2


def test_adherence_and_missing_data(month):
    figures = whole_period(page(month["organisation"], month["team"]), "adherence")
    assert figures["Due"] == 20
    assert figures["On time"] == 15
    assert figures["Adherence"] == 0.75
    assert figures["Missing-data alarms"] == 5
    assert figures["Missing-data rate"] == 0.25


def test_alarms_per_patient_week(month):
    figures = whole_period(page(month["organisation"], month["team"]), "alarms")
    assert figures["Red"] == 4  # the set-aside red is left out, the other team's too
    assert figures["Yellow"] == 2
    assert figures["Red per patient-week"] == round(4 * 7 / 68, 3)
    assert figures["Yellow per patient-week"] == round(2 * 7 / 68, 3)


def test_time_to_acknowledge(month):
    figures = whole_period(page(month["organisation"], month["team"]), "acknowledge")
    assert figures["Red acknowledged"] == 4
    assert figures["Red median, office hours"] == 25
    assert figures["Red 90th percentile, office hours"] == 37
    assert figures["Red median, outside"] == ""  # none: shown as "–", never 0
    assert figures["Yellow median, outside"] == 90
    assert figures["Yellow 90th percentile, outside"] == 114


def test_escalation_rate(month):
    figures = whole_period(page(month["organisation"], month["team"]), "escalations")
    assert figures["Escalated"] == 1
    assert figures["Escalation rate"] == 0.25


def test_alarm_yield_per_rule_most_no_action_first(month):
    table = next(t for t in page(month["organisation"], month["team"]).tables if t.key == "rules")
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.raw]
    assert [(r["Severity"], r["Acknowledged"]) for r in rows] == [("red", 4), ("yellow", 2)]
    spo2 = rows[0]
    assert (spo2["Action"], spo2["No action"], spo2["False alarm"]) == (1, 2, 1)
    assert spo2["Yield (action)"] == 0.25
    assert spo2["No action share"] == 0.5
    assert rows[1]["Yield (action)"] == 1.0


def test_referrals(month):
    figures = whole_period(page(month["organisation"], month["team"]), "referrals")
    assert (figures["Received"], figures["Accepted"], figures["Rejected"]) == (3, 2, 1)
    assert figures["Days to first data, median"] == 2
    assert figures["Days to first data, 90th percentile"] == 2.8


def test_organisation_adds_up_its_teams(month):
    built = page(month["organisation"], None)
    assert whole_period(built, "alarms")["Red"] == 5
    assert whole_period(built, "adherence")["Due"] == 20
    # 27 + 27 + 14 days of the team and 30 of the other team's patient.
    assert whole_period(built, "patients")["Patient-weeks"] == round((68 + 30) / 7, 3)


def test_figures_up_to_yesterday(month):
    assert selectors.figures_up_to(organisation_id=month["organisation"].pk) == date(2026, 12, 5)


def test_rebuild_is_idempotent_and_check_finds_no_difference(month, capsys):
    before = list(IndicatorDay.objects.order_by("pk").values_list("team_id", "day", "alarms_red"))
    services.indicators_rebuild(first=date(2026, 11, 1), last=date(2026, 11, 30), now=NOW)
    after = list(
        IndicatorDay.objects.order_by("team_id", "day").values_list("team_id", "day", "alarms_red")
    )
    assert sorted(before, key=str) == sorted(after, key=str)
    call_command("indicators_check", since="2026-11-01", until="2026-11-30")
    assert "0 differ" in capsys.readouterr().out


def test_check_reports_a_changed_row_and_fix_repairs_it(month, capsys):
    IndicatorDay.objects.filter(team=month["team"], day=date(2026, 11, 16)).update(alarms_red=9)
    with pytest.raises(Exception, match="do not match"):
        call_command("indicators_check", since="2026-11-16", until="2026-11-16")
    assert "alarms_red: stored 9, source 4" in capsys.readouterr().out
    call_command("indicators_check", since="2026-11-16", until="2026-11-16", fix=True)
    call_command("indicators_check", since="2026-11-16", until="2026-11-16")
    assert IndicatorDay.objects.get(team=month["team"], day=date(2026, 11, 16)).alarms_red == 4
