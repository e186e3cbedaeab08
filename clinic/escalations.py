"""The escalation list: every escalation of the nurse's teams, its delivery and its alarm.

A fixed number of queries for any number of escalations (the counts per delivery state in one
aggregate, one page of rows with what they show joined in), whatever the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from alarms.models import Escalation
from alarms.selectors import TRIAGE_STATES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 50

State = Escalation.State

# Filter name -> (label, the delivery states it covers); "" is every escalation.
FILTERS: dict[str, tuple[StrOrPromise, list[str]]] = {
    "": (_("All"), [state.value for state in State]),
    "open": (_("Not sent yet"), [State.PENDING, State.SENDING]),
    "sent": (_("Sent"), [State.SENT]),
    "failed": (_("Failed"), [State.FAILED]),
}


@dataclass(frozen=True)
class FilterTab:
    key: str
    label: str
    count: int
    current: bool


def visible_escalations(user: User) -> QuerySet[Escalation]:
    """Escalations of patients in the user's teams (the patients she may see on the list)."""
    return Escalation.objects.filter(
        patient__monitoring_team__group__user=user, patient__state__in=TRIAGE_STATES
    )


def filter_tabs(user: User, current: str) -> list[FilterTab]:
    counts = visible_escalations(user).aggregate(
        **{
            key or "all": Count("pk", filter=Q(state__in=states))
            for key, (_label, states) in FILTERS.items()
        }
    )
    return [
        FilterTab(key, str(label), counts[key or "all"], key == current)
        for key, (label, _states) in FILTERS.items()
    ]


def escalation_page(user: User, show: str, number: str | int | None) -> Page:
    """One page of escalations, newest first, with patient, team, result and acknowledger."""
    states = FILTERS.get(show, FILTERS[""])[1]
    rows = (
        visible_escalations(user)
        .filter(state__in=states)
        .select_related(
            "patient__monitoring_team",
            "result__acknowledged_by",
            "result__outcome",
        )
        .order_by("-created_at", "-pk")
    )
    return Paginator(rows, PER_PAGE).get_page(number)
