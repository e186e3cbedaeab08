"""The indicators page: who sees which team, the period form, CSV, no patient data, and a fixed
number of queries whatever the data behind it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import IndicatorDay, IndicatorRuleDay
from tests.conftest import login
from tests.factories import PatientFactory, TeamFactory

pytestmark = pytest.mark.django_db

URL = "/indicators/"


def rows(organisation, team, days: int, *, rules: int = 1, whole: bool = True) -> None:
    """Daily rows for the team (and its organisation), ending yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    for offset in range(days):
        day = yesterday - timedelta(days=offset)
        for scope in (team, None) if whole else (team,):
            IndicatorDay.objects.create(
                organisation=organisation,
                team=scope,
                day=day,
                patients_active=10,
                occasions_due=20,
                occasions_on_time=15,
                alarms_red=2,
                ack_red_office=[10, 20],
                referrals_received=1 if scope is None else 0,
            )
            for n in range(rules):
                IndicatorRuleDay.objects.create(
                    organisation=organisation,
                    team=scope,
                    day=day,
                    rule=f"spo2:below_red{n}" if n else "spo2:below_red",
                    severity="red",
                    action=1,
                    no_action=1,
                )


def test_nurse_sees_her_team_with_charts_tables_and_the_date_of_the_figures(
    client, nurse, team, org_municipality
):
    rows(org_municipality, team, 40)
    PatientFactory(monitoring_team=team, first_name="Hemmelig", last_name="Borgersen")
    login(client, nurse)
    response = client.get(URL, {"period": "last_month"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "KOL-team Nord" in html
    assert "Figures up to" in html
    for key in ("patients", "adherence", "alarms", "acknowledge", "escalations", "rules"):
        assert f'id="indicator-{key}"' in html
        assert f'data-chart="indicator-data-{key}"' in html
    assert "75.0 %" in html  # adherence, 15 of 20 every day
    # Aggregates only: no patient is named on the page.
    assert "Hemmelig" not in html and "Borgersen" not in html
    # No whole-organisation choice for a nurse.
    assert 'value="organisation"' not in html


def test_nurse_cannot_open_another_team_or_the_whole_organisation(
    client, nurse, other_team, org_municipality
):
    login(client, nurse)
    assert client.get(URL, {"scope": other_team.pk}).status_code == 404
    assert client.get(URL, {"scope": "organisation"}).status_code == 404
    assert client.get(URL, {"scope": "nonsense"}).status_code == 404


def test_admin_sees_every_team_and_the_organisation_but_not_another_organisations_team(
    client, org_admin, team, other_team, org_municipality, outsider
):
    rows(org_municipality, team, 5)
    login(client, org_admin)
    response = client.get(URL, {"scope": "organisation"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "KOL-team Nord" in html and "KOL-team Syd" in html
    assert "Whole organisation (Testrup Kommune)" in html
    assert client.get(URL, {"scope": other_team.pk}).status_code == 200
    foreign = TeamFactory(organisation=outsider.clinician.organisation, name="Andeby-team")
    assert client.get(URL, {"scope": foreign.pk}).status_code == 404


def test_a_clinician_of_another_organisation_sees_none_of_ours(client, outsider, team):
    login(client, outsider)
    assert client.get(URL, {"scope": team.pk}).status_code == 404
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "You are not on a team yet" in response.content.decode()


def test_citizens_and_anonymous_users_are_kept_out(client, citizen):
    assert client.get(URL).status_code == 302
    login(client, citizen.citizen_user)
    assert client.get(URL).status_code == 403


def test_a_bad_period_gets_a_message_next_to_its_field_and_the_default_figures(
    client, nurse, team, org_municipality
):
    rows(org_municipality, team, 5)
    login(client, nurse)
    response = client.get(
        URL, {"start": "2026-13-01", "end": "2026-11-30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_start_error"' in html and "Enter a date such as 2026-11-30." in html
    assert 'aria-invalid="true"' in html
    assert 'id="indicator-adherence"' in html  # the last 3 months instead
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.get(URL, {"start": "2026-01-01", "end": future}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Figures exist up to yesterday" in response.content.decode()


def test_each_table_downloads_as_csv_with_the_same_numbers(client, nurse, team, org_municipality):
    rows(org_municipality, team, 3)
    login(client, nurse)
    yesterday = timezone.localdate() - timedelta(days=1)
    first = yesterday - timedelta(days=2)
    response = client.get(
        "/indicators/adherence.csv",
        {"scope": team.pk, "start": first.isoformat(), "end": yesterday.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    reader = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert reader[0][:4] == ["Scope", "Period", "Due", "On time"]
    total = reader[-1]
    assert total[1] == "Whole period"
    assert total[2:5] == ["60", "45", "0.75"]
    assert len(reader) == 1 + 3 + 1  # header, three days, the whole period
    assert client.get("/indicators/nothing.csv").status_code == 404


def test_danish_csv_uses_semicolons_and_decimal_commas(client, nurse, team, org_municipality):
    rows(org_municipality, team, 2)
    login(client, nurse)
    response = client.get("/indicators/adherence.csv", HTTP_ACCEPT_LANGUAGE="da")
    last = response.content.decode("utf-8-sig").strip().splitlines()[-1]
    assert ";0,75;" in last


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_data(
    client, org_admin, team, org_municipality
):
    login(client, org_admin)
    rows(org_municipality, team, 3, rules=1)
    small = _queries(client, {"scope": team.pk, "period": "this_month"})
    rows_team = TeamFactory(organisation=org_municipality, name="KOL-team Øst")
    IndicatorDay.objects.all().delete()
    IndicatorRuleDay.objects.all().delete()
    rows(org_municipality, team, 360, rules=12)
    rows(org_municipality, rows_team, 360, rules=3, whole=False)
    large = _queries(client, {"scope": team.pk, "period": "12_months"})
    whole = _queries(client, {"scope": "organisation", "period": "12_months"})
    assert small == large == whole
    assert large <= 9


def test_empty_period_shows_dashes_not_zeros(client, nurse, team):
    login(client, nurse)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "No figures have been computed yet" in html
    assert "No alarms were acknowledged in this period." in html
