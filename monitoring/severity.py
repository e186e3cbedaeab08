"""Severity of a result: red > yellow > missing data > green (DESIGN.md, "Rules that matter").

The one place that names the severities and their order: the evaluation rules, the triage
summary, the selectors, the presenters and the charts all take them from here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    GREEN = "green", _("Green")
    MISSING = "missing", _("Missing data")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self]


SEVERITY_RANK: dict[str, int] = {
    Severity.GREEN: 0,
    Severity.MISSING: 1,
    Severity.YELLOW: 2,
    Severity.RED: 3,
}


# Worst first: the order of the triage list's filters and of every summary by severity.
TRIAGE_LEVELS: list[str] = [
    severity.value for severity in sorted(Severity, key=lambda s: SEVERITY_RANK[s], reverse=True)
]

# The severities that are alarms (a threshold crossed); missing data and green are not.
ALARM_SEVERITIES: frozenset[str] = frozenset({Severity.RED.value, Severity.YELLOW.value})


def worst(severities: Iterable[str]) -> Severity:
    """The worst of the given severities; green when there are none."""
    result = Severity.GREEN
    for severity in severities:
        if SEVERITY_RANK[severity] > SEVERITY_RANK[result]:
            result = Severity(severity)
    return result
