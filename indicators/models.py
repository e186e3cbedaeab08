"""Pre-aggregated daily rows behind the quality indicators (issue 18).

One ``IndicatorDay`` per team and local day (Europe/Copenhagen), and one per organisation and
day with ``team`` empty: the whole organisation (its teams' figures added up, plus the referrals,
which an organisation receives, not a team). ``IndicatorRuleDay`` holds the outcomes of the
acknowledged alarms per rule (measurement type, direction and severity, or the question
answered). The rows hold counts and the raw minutes/days of the durations, so medians and
percentiles over any period are exact. They are written only by ``indicators.services``
(nightly, ``manage.py indicators_rebuild``) and proved by ``manage.py indicators_check``; the
rules for what is counted on which day are in ``indicators.daily``.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.severity import Severity
from patients.models import Organisation, Team


def _minutes() -> models.Field:
    return ArrayField(models.PositiveIntegerField(), default=list, blank=True)


class IndicatorDay(models.Model):
    """One team's (or, with ``team`` empty, one organisation's) figures for one local day."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("Empty: the whole organisation."),
    )
    day = models.DateField(_("day"))
    # Patients: monitored on the day (patient-days when added up), started and ended that day.
    patients_active = models.PositiveIntegerField(default=0)
    patients_started = models.PositiveIntegerField(default=0)
    patients_ended = models.PositiveIntegerField(default=0)
    # Scheduled occasions due that day (paused ones left out) and those answered on time.
    occasions_due = models.PositiveIntegerField(default=0)
    occasions_on_time = models.PositiveIntegerField(default=0)
    missing_alarms = models.PositiveIntegerField(default=0)
    # Yellow and red results raised that day (measurements and questionnaires).
    alarms_red = models.PositiveIntegerField(default=0)
    alarms_yellow = models.PositiveIntegerField(default=0)
    # Minutes from raised to acknowledged, one per alarm acknowledged that day, by whether the
    # alarm was raised in office hours (indicators.stats.in_office_hours).
    ack_red_office = _minutes()
    ack_red_outside = _minutes()
    ack_yellow_office = _minutes()
    ack_yellow_outside = _minutes()
    escalations = models.PositiveIntegerField(default=0)
    # Organisation rows only (team empty).
    referrals_received = models.PositiveIntegerField(default=0)
    referrals_accepted = models.PositiveIntegerField(default=0)
    referrals_rejected = models.PositiveIntegerField(default=0)
    referral_days_to_data = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "team", "day"]
        verbose_name = _("indicator day")
        verbose_name_plural = _("indicator days")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day"],
                condition=Q(team__isnull=False),
                name="indicatorday_one_per_team_day",
            ),
            models.UniqueConstraint(
                fields=["organisation", "day"],
                condition=Q(team__isnull=True),
                name="indicatorday_one_per_organisation_day",
            ),
            models.CheckConstraint(
                condition=Q(occasions_on_time__lte=models.F("occasions_due")),
                name="indicatorday_on_time_within_due",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "team", "day"], name="indicatorday_scope_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.team_id or '-'} {self.day}"


class IndicatorRuleDay(models.Model):
    """The outcomes of one rule's alarms acknowledged on one day, for one team or organisation.

    ``rule`` is ``indicators.daily.rule_key`` of a reason: "spo2:below_red",
    "weight:relative_rise", or "answer:<question>" for a questionnaire answer.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("day"))
    rule = models.CharField(_("rule"), max_length=120)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    action = models.PositiveIntegerField(default=0)
    no_action = models.PositiveIntegerField(default=0)
    false_alarm = models.PositiveIntegerField(default=0)
    no_outcome = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "team", "day", "rule"]
        verbose_name = _("indicator rule day")
        verbose_name_plural = _("indicator rule days")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "rule", "severity"],
                condition=Q(team__isnull=False),
                name="indicatorruleday_one_per_team",
            ),
            models.UniqueConstraint(
                fields=["organisation", "day", "rule", "severity"],
                condition=Q(team__isnull=True),
                name="indicatorruleday_one_per_organisation",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "team", "day"], name="indicatorruleday_scope_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.team_id or '-'} {self.day} {self.rule}"
