"""A clinician is signed out after her organisation's minutes without activity; citizens are
not timed out for idleness (telemed/sessions.py)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from telemed import sessions
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NURSE_HOME = "/nurse/"
MIDDLEWARE = "telemed.sessions.IdleTimeoutMiddleware"


class Clock:
    """The middleware's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(sessions, "_now", clock)
    return clock


def test_idle_past_the_limit_leads_to_the_login_page_with_a_message(
    client, nurse, org_municipality, clock
):
    org_municipality.session_timeout_minutes = 20
    org_municipality.save()
    # The message is written when she is signed out, in the language she reads then.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    login(client, nurse)
    assert client.get(NURSE_HOME).status_code == 200
    clock.advance(21)
    response = client.get(NURSE_HOME)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/nurse/"
    page = client.get(response["Location"])
    assert "signed out after 20 minutes without activity" in page.content.decode()
    # The session is really over: going back does not bring her in again.
    assert client.get(NURSE_HOME).status_code == 302


def test_activity_within_the_limit_keeps_the_session(client, nurse, clock):
    login(client, nurse)
    for _ in range(4):  # two hours of work, never more than 25 minutes idle
        clock.advance(25)
        assert client.get(NURSE_HOME).status_code == 200


def test_activity_is_counted_to_the_minute(client, nurse, clock):
    """Requests within a minute are not written down; the limit still holds to the minute."""
    login(client, nurse)
    clock.advance(29)
    assert client.get(NURSE_HOME).status_code == 200
    clock.advance(30.5)  # 30.5 idle minutes since the last request, over the default 30
    assert client.get(NURSE_HOME).status_code == 302


def test_a_raised_limit_applies_at_once_even_to_an_idle_session(
    client, nurse, org_municipality, clock
):
    login(client, nurse)
    clock.advance(10)
    org_municipality.session_timeout_minutes = 240
    org_municipality.save()
    clock.advance(200)  # 210 idle minutes, under the new limit
    assert client.get(NURSE_HOME).status_code == 200


def test_a_lowered_limit_applies_at_once(client, nurse, org_municipality, clock):
    login(client, nurse)
    clock.advance(10)
    org_municipality.session_timeout_minutes = 5
    org_municipality.save()
    response = client.get(NURSE_HOME)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_form_sent_after_the_limit_goes_to_the_login_page_without_next(client, nurse, clock):
    login(client, nurse)
    clock.advance(31)
    response = client.post("/nurse/acknowledge-green/", {})
    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_an_htmx_request_after_the_limit_reloads_the_whole_page(client, nurse, clock):
    login(client, nurse)
    clock.advance(31)
    response = client.get(NURSE_HOME, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/nurse/"


def test_the_session_row_and_cookie_outlast_every_limit(client, nurse):
    """The middleware ends the session, so a raised limit is never cut short by the cookie."""
    login(client, nurse)
    client.get(NURSE_HOME)
    assert client.session.get_expiry_age() == 480 * 60 + sessions.REFRESH_SECONDS


def test_requests_within_a_minute_cost_no_query(client, nurse, clock, settings):
    login(client, nurse)
    client.get(NURSE_HOME)
    clock.advance(0.5)
    with CaptureQueriesContext(connection) as timed:
        client.get(NURSE_HOME)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    untimed_client = Client()  # a client loads the middleware once: a new one, same session
    untimed_client.cookies = client.cookies
    with CaptureQueriesContext(connection) as untimed:
        assert untimed_client.get(NURSE_HOME).status_code == 200
    assert len(timed.captured_queries) == len(untimed.captured_queries)
    clock.advance(60)  # without the middleware nobody is timed out: it really was left out
    assert untimed_client.get(NURSE_HOME).status_code == 200


def test_citizens_are_not_timed_out_for_idleness(client, citizen_user, clock):
    login(client, citizen_user)
    clock.advance(6 * 60)
    assert client.get("/me/").status_code == 200


def test_a_superuser_without_an_organisation_gets_the_default(client, clock):
    operator = UserFactory(is_superuser=True, is_staff=True)
    login(client, operator)
    assert client.get("/admin/").status_code == 200
    clock.advance(31)
    assert client.get("/admin/").status_code == 302
