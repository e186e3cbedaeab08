"""The channels: e-mail in the citizen's language through Django mail, SMS on the console in
development, and the HTTP gateway adapter against a real HTTP server in this process."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail

from notifications import services
from notifications.channels import (
    ConsoleSmsGateway,
    DeliveryError,
    HttpSmsGateway,
    sms_number,
)
from notifications.models import NotificationPreference, Reminder
from patients.models import Patient
from tests.notifications.conftest import BEFORE, DUE


class Gateway:
    """A JSON SMS provider on 127.0.0.1: keeps what it received, answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 202
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                gateway.received.append(
                    {
                        "path": self.path,
                        "authorization": self.headers["Authorization"],
                        "content_type": self.headers["Content-Type"],
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                body = b'{"id": "abc"}' if gateway.status < 300 else b"internal error"
                self.send_response(gateway.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with Gateway() as running:
        yield running


def _set_language(patient: Patient, language: str) -> None:
    field = next(
        (name for name in ("preferred_language", "language") if hasattr(patient, name)), None
    )
    if field is None:
        pytest.skip("patients have no language yet")
    setattr(patient, field, language)
    patient.save()


@pytest.mark.django_db
def test_email_reminder_in_danish_names_the_questionnaire_and_links_to_the_page(schedule, settings):
    settings.TELEMED_SITE_URL = "https://telemed.testrup.dk/"
    services.reminders_run(now=BEFORE)
    [message] = mail.outbox
    assert message.to == ["dorte@example.dk"]
    assert "KOL – dagligt spørgeskema" in message.subject
    assert "12:00" in message.subject
    assert "https://telemed.testrup.dk/me/" in message.body
    assert "Dorte" in message.body
    assert schedule.patient.cpr not in message.body


@pytest.mark.django_db
def test_email_reminder_in_english_for_a_citizen_who_reads_english(schedule):
    _set_language(schedule.patient, "en")
    services.reminders_run(now=DUE + timedelta(hours=3, minutes=15))
    [message] = mail.outbox
    assert "COPD – daily questionnaire" in message.subject
    assert "not answered yet" in message.subject
    assert "COPD – daily questionnaire was due by 12:00" in message.body
    assert "KOL" not in message.body


@pytest.mark.django_db
def test_mail_server_down_the_reminder_is_tried_again_then_marked_failed(schedule, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    services.reminders_run(now=BEFORE)
    reminder = Reminder.objects.get()
    assert (reminder.state, reminder.attempts) == ("pending", 1)
    assert reminder.last_error
    for minute in (1, 2):
        # A lost task is queued again after the reclaim time; here: straight to delivery.
        services.reminder_deliver(reminder_id=reminder.pk, now=BEFORE + timedelta(minutes=minute))
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == ("failed", 3)


def test_console_sms_writes_the_text_message():
    stream = io.StringIO()
    ConsoleSmsGateway(stream).send(to="+4520304050", text="Husk at besvare KOL")
    assert "to +4520304050" in stream.getvalue()
    assert "Husk at besvare KOL" in stream.getvalue()


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("+45 20 30 40 50", "+4520304050"),
        ("20304050", "+4520304050"),
        ("0045 2030-4050", "+4520304050"),
        ("+46 70 123 45 67", "+46701234567"),
        ("ring til datteren", ""),
        ("", ""),
    ],
)
def test_phone_numbers_for_sms(typed, number):
    assert sms_number(typed) == number


def test_http_gateway_posts_json_with_the_bearer_token(gateway):
    HttpSmsGateway(url=gateway.url, token="s3cret", sender="Testrup", timeout=5).send(
        to="+4520304050", text="Husk at besvare KOL – dagligt spørgeskema inden kl. 12:00"
    )
    [request] = gateway.received
    assert request["path"] == "/v1/sms"
    assert request["authorization"] == "Bearer s3cret"
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "to": "+4520304050",
        "from": "Testrup",
        "text": "Husk at besvare KOL – dagligt spørgeskema inden kl. 12:00",
    }


def test_http_gateway_answering_500_is_a_clear_failure(gateway):
    gateway.status = 500
    with pytest.raises(DeliveryError, match="SMS gateway answered HTTP 500: internal error"):
        HttpSmsGateway(url=gateway.url, token="t", sender="Telemed", timeout=5).send(
            to="+4520304050", text="x"
        )


@pytest.mark.django_db
def test_sms_reminder_through_the_http_gateway_and_a_500_recorded(schedule, gateway, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = gateway.url, "s3cret"
    settings.SMS_SENDER = "Testrup"
    NotificationPreference.objects.create(patient=schedule.patient, channel="sms")
    gateway.status = 500
    assert services.reminders_run(now=BEFORE) == 0
    reminder = Reminder.objects.get()
    assert reminder.state == "pending"  # tried again on the next run
    assert reminder.last_error == "SMS gateway answered HTTP 500: internal error"

    gateway.status = 200
    assert services.reminder_deliver(reminder_id=reminder.pk, now=BEFORE) is True
    reminder.refresh_from_db()
    assert (reminder.state, reminder.sent_to, reminder.last_error) == ("sent", "+4520304050", "")
    assert [r["json"]["to"] for r in gateway.received] == ["+4520304050", "+4520304050"]
    text = gateway.received[-1]["json"]["text"]
    assert "KOL – dagligt spørgeskema" in text and "12:00" in text
    assert mail.outbox == []
