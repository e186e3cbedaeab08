"""System checks of the alarm settings (``manage.py check`` and every start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def escalation_reclaim_outlasts_mail_timeout(**kwargs: Any) -> list[CheckMessage]:
    """A row is reclaimed from "sending" only after the mail server had its full time; else a
    slow but live worker and the reclaiming one could both send."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    if timeout is not None and timeout >= settings.ESCALATION_RECLAIM_SECONDS:
        return [
            Error(
                "ESCALATION_RECLAIM_SECONDS must be longer than EMAIL_TIMEOUT.",
                hint=f"Now {settings.ESCALATION_RECLAIM_SECONDS} s and {timeout} s.",
                id="alarms.E001",
            )
        ]
    return []
