"""System checks of the reminder settings (``manage.py check`` and every start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def sms_settings(**kwargs: Any) -> list[CheckMessage]:
    """A known SMS backend, an HTTP gateway with its address, and a reclaim time longer than
    the mail server's and the gateway's time, so a slow but live worker is never overtaken."""
    problems: list[CheckMessage] = []
    if settings.SMS_BACKEND not in ("console", "http"):
        problems.append(
            Error(
                f"SMS_BACKEND={settings.SMS_BACKEND!r} is not console or http.",
                id="notifications.E001",
            )
        )
    if settings.SMS_BACKEND == "http" and not settings.SMS_HTTP_URL.startswith("http"):
        problems.append(
            Error(
                "SMS_BACKEND=http needs SMS_HTTP_URL (the provider's https:// address).",
                id="notifications.E002",
            )
        )
    longest = max(getattr(settings, "EMAIL_TIMEOUT", None) or 0, settings.SMS_HTTP_TIMEOUT)
    if longest >= settings.REMINDER_RECLAIM_SECONDS:
        problems.append(
            Error(
                "REMINDER_RECLAIM_SECONDS must be longer than EMAIL_TIMEOUT and SMS_HTTP_TIMEOUT.",
                hint=f"Now {settings.REMINDER_RECLAIM_SECONDS} s and {longest} s.",
                id="notifications.E003",
            )
        )
    return problems


@register()
def site_url_set(**kwargs: Any) -> list[CheckMessage]:
    """Reminder e-mails link to TELEMED_SITE_URL; in production "localhost" reaches nobody."""
    production = not (settings.DEBUG or getattr(settings, "TESTING", False))
    if production and "localhost" in settings.TELEMED_SITE_URL:
        return [
            Warning(
                "TELEMED_SITE_URL is not set: reminder e-mails would link to localhost.",
                hint="Set it to the address citizens open Telemed at (https://…).",
                id="notifications.W001",
            )
        ]
    return []
