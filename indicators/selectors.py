"""Reads for the indicators page: who may see which team, and a period's daily rows.

Every read is one query over the pre-aggregated rows, whatever the number of patients, alarms
or days behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, Q, Sum

from indicators.models import IndicatorDay, IndicatorRuleDay
from patients.models import Organisation, Team
from telemed.roles import Role, user_role


@dataclass(frozen=True)
class Scopes:
    """What a user may choose: teams of her organisation, and maybe the whole organisation.

    Nurses and doctors see the teams they belong to (a team lead is a nurse of the team); an
    organisation admin sees every team of her organisation and the organisation as a whole.
    """

    organisation: Organisation
    teams: tuple[Team, ...]
    whole_organisation: bool

    def team(self, pk: int) -> Team | None:
        return next((team for team in self.teams if team.pk == pk), None)


def scopes_for(user: Any) -> Scopes:
    organisation = user.clinician.organisation
    teams = Team.objects.filter(organisation=organisation).order_by("name")
    role = user_role(user)
    if role != Role.ADMIN:
        teams = teams.filter(group__user=user)
    return Scopes(
        organisation=organisation, teams=tuple(teams), whole_organisation=role == Role.ADMIN
    )


DAY_FIELDS = (
    "team_id",
    "day",
    "patients_active",
    "patients_started",
    "patients_ended",
    "occasions_due",
    "occasions_on_time",
    "missing_alarms",
    "alarms_red",
    "alarms_yellow",
    "ack_red_office",
    "ack_red_outside",
    "ack_yellow_office",
    "ack_yellow_outside",
    "escalations",
    "referrals_received",
    "referrals_accepted",
    "referrals_rejected",
    "referral_days_to_data",
)


@dataclass(frozen=True)
class PeriodRows:
    """The scope's rows and the organisation's rows (referrals) of a period, by day."""

    scope: list[dict[str, Any]]
    organisation: list[dict[str, Any]]


def period_rows(
    *, organisation_id: int, team_id: int | None, first: date, last: date
) -> PeriodRows:
    """One query: the team's (or organisation's) rows and the organisation's rows."""
    rows = list(
        IndicatorDay.objects.filter(
            Q(team_id=team_id) | Q(team__isnull=True) if team_id else Q(team__isnull=True),
            organisation_id=organisation_id,
            day__gte=first,
            day__lte=last,
        )
        .order_by("day")
        .values(*DAY_FIELDS)
    )
    whole = [row for row in rows if row["team_id"] is None]
    scope = [row for row in rows if row["team_id"] == team_id] if team_id else whole
    return PeriodRows(scope=scope, organisation=whole)


def rule_totals(
    *, organisation_id: int, team_id: int | None, first: date, last: date
) -> list[dict[str, Any]]:
    """Outcome counts per rule and severity over the period (one query)."""
    scope = Q(team_id=team_id) if team_id else Q(team__isnull=True)
    totals = (
        IndicatorRuleDay.objects.filter(
            scope, organisation_id=organisation_id, day__gte=first, day__lte=last
        )
        .values("rule", "severity")
        .annotate(
            action=Sum("action"),
            no_action=Sum("no_action"),
            false_alarm=Sum("false_alarm"),
            no_outcome=Sum("no_outcome"),
        )
        .order_by("rule", "severity")
    )
    return [dict(row) for row in totals]


def figures_up_to(*, organisation_id: int) -> date | None:
    """The last day computed for the organisation (None before the first nightly run)."""
    found: date | None = IndicatorDay.objects.filter(
        organisation_id=organisation_id, team__isnull=True
    ).aggregate(last=Max("day"))["last"]
    return found
