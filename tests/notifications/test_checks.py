"""The start-up checks of the reminder settings say what is wrong."""

from __future__ import annotations

from notifications.checks import site_url_set, sms_settings


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_defaults_pass(settings):
    assert sms_settings() == []


def test_http_gateway_needs_its_url(settings):
    settings.SMS_BACKEND, settings.SMS_HTTP_URL = "http", ""
    assert ids(sms_settings()) == ["notifications.E002"]


def test_unknown_backend(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    assert ids(sms_settings()) == ["notifications.E001"]


def test_reclaim_must_outlast_the_gateway_and_the_mail_server(settings):
    settings.SMS_HTTP_TIMEOUT, settings.REMINDER_RECLAIM_SECONDS = 30, 20
    assert ids(sms_settings()) == ["notifications.E003"]


def test_production_without_a_site_url_is_warned(settings):
    settings.DEBUG, settings.TESTING = False, False
    settings.TELEMED_SITE_URL = "http://localhost:8000"
    assert ids(site_url_set()) == ["notifications.W001"]
    settings.TELEMED_SITE_URL = "https://telemed.testrup.dk"
    assert site_url_set() == []
