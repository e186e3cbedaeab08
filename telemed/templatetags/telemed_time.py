"""How long ago, for people: "just now" under a minute, never "0 minutes ago"."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()

JUST_NOW = timedelta(minutes=1)


def _recent(moment: datetime, now: datetime | None = None) -> bool:
    return (now or timezone.now()) - moment < JUST_NOW


@register.filter
def ago(moment: datetime | None) -> str:
    """ "5 minutes ago", or "just now" (also for a clock a little ahead)."""
    if not moment:
        return ""
    if _recent(moment):
        return _("just now")
    return _("%(since)s ago") % {"since": timesince(moment)}


@register.filter
def waiting(moment: datetime | None) -> str:
    """ "waiting 2 hours", or "waiting less than a minute"."""
    if not moment:
        return ""
    if _recent(moment):
        return _("waiting less than a minute")
    return _("waiting %(since)s") % {"since": timesince(moment)}
