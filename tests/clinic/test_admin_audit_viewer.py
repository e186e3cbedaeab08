"""The admin's audit log viewer: filters, pages, CSV export, and every look recorded."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from telemed.models import AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")


def _events(n, *, user, patient=None, action="view", what="Patient page: charts", at=None):
    at = at or datetime(2026, 3, 10, 12, 0, tzinfo=CPH)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            user=user,
            user_display=user.get_full_name(),
            role="nurse",
            organisation="Testrup Kommune",
            patient=patient,
            action=action,
            what=what,
            occurred_at=at,
        )
        for _ in range(n)
    )


def _rows(response):
    return response.content.decode().count('<td class="nowrap">')


def test_filter_by_action_and_copenhagen_days(client, org_admin, nurse, citizen):
    # 23:30 on 9 March in Copenhagen is 22:30 UTC: it belongs to 9 March, not the 10th.
    _events(2, user=nurse, patient=citizen, at=datetime(2026, 3, 9, 23, 30, tzinfo=CPH))
    _events(3, user=nurse, patient=citizen, at=datetime(2026, 3, 10, 0, 30, tzinfo=CPH))
    _events(4, user=nurse, patient=citizen, action="update", what="Thresholds changed")
    login(client, org_admin)
    url = reverse("patients:audit")
    day = client.get(url, {"date_from": "2026-03-09", "date_to": "2026-03-09"})
    assert day.status_code == 200 and _rows(day) == 2
    tenth = client.get(url, {"date_from": "10.03.2026", "date_to": "10.03.2026", "action": "view"})
    assert _rows(tenth) == 3
    updates = client.get(url, {"action": "update", "cpr": citizen.cpr, "username": "nurse"})
    assert _rows(updates) == 4
    assert _rows(client.get(url, {"action": "update", "username": "org_admin"})) == 0


def test_bad_dates_are_a_message_not_a_500(client, org_admin):
    login(client, org_admin)
    url = reverse("patients:audit")
    bad = client.get(url, {"date_from": "31.02.2026"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "Enter a date" in bad.content.decode()
    backwards = client.get(
        url, {"date_from": "2026-03-10", "date_to": "2026-03-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert backwards.status_code == 400
    assert "The end date is before the start date." in backwards.content.decode()
    ancient = client.get(url, {"date_from": "0001-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ancient.status_code == 400
    assert client.get(url, {"action": "nonsense"}).status_code == 400
    csv = client.get(reverse("patients:audit_csv"), {"date_from": "xx"})
    assert csv.status_code == 302


def test_pages_cost_the_same_queries_however_many_events(client, org_admin, nurse, citizen):
    login(client, org_admin)
    url = reverse("patients:audit")
    counts = []
    for n in (5, 180):
        _events(n, user=nurse, patient=citizen)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url, {"action": "view", "date_from": "2026-03-01", "date_to": "2026-03-31"}
            )
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert _rows(response) == 50
    last = client.get(
        url, {"action": "view", "date_from": "2026-03-01", "date_to": "2026-03-31", "page": 4}
    )
    assert _rows(last) == 185 - 150
    assert "page=3" in last.content.decode()  # the pages keep the filters
    assert "action=view" in last.content.decode()


def test_another_organisations_events_are_not_shown(client, org_admin, nurse, outsider, citizen):
    _events(3, user=outsider, what="Triage list: open results")
    _events(2, user=nurse)
    login(client, org_admin)
    response = client.get(
        reverse("patients:audit"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    body = response.content.decode()
    assert _rows(response) == 2 and "Erik Udenfor" not in body
    assert client.get(reverse("patients:audit"), {"username": "outsider"}).status_code == 400


def test_the_csv_holds_the_filtered_events_and_is_audited(client, org_admin, nurse, citizen):
    _events(3, user=nurse, patient=citizen, at=datetime(2026, 3, 9, 23, 30, tzinfo=CPH))
    _events(2, user=nurse, patient=citizen, action="update", what="Thresholds changed")
    login(client, org_admin)
    response = client.get(reverse("patients:audit_csv"), {"cpr": citizen.cpr, "action": "view"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 3
    assert lines[1].startswith("09.03.2026 23:30:00;Anne Nord;")
    assert citizen.cpr not in response.content.decode()  # masked, as on the page
    export = AuditEvent.objects.get(what="Admin: audit log exported as CSV")
    assert export.action == "export" and export.patient == citizen and export.user == org_admin
    assert citizen.cpr not in export.path


def test_each_search_is_recorded_without_the_cpr_number(client, org_admin, citizen):
    login(client, org_admin)
    client.get(reverse("patients:audit"), {"cpr": citizen.cpr, "action": "view"})
    search = AuditEvent.objects.get(what="Admin: audit log query")
    assert search.patient == citizen and citizen.cpr not in search.path
    assert "action=view" in search.path


def test_only_admins_read_the_log(client, nurse):
    login(client, nurse)
    assert client.get(reverse("patients:audit")).status_code == 403
    assert client.get(reverse("patients:audit_csv")).status_code == 403
