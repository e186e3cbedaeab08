"""The quality indicators page and its CSV exports (thin: the work is in selectors and
presenters). Aggregates only: no patient is named, so nothing here is a look at patient data."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators import periods, presenters, selectors
from patients.models import Team
from telemed.csv_export import csv_response, csv_text, danish
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

ROLES = (Role.NURSE, Role.DOCTOR, Role.ADMIN)
ORGANISATION = "organisation"


@dataclass(frozen=True)
class Choice:
    scopes: selectors.Scopes
    team: Team | None  # None: the whole organisation
    scope_value: str
    period: periods.Period
    errors: dict[str, str]


def _choose(request: AuthenticatedHttpRequest) -> Choice | None:
    """The scope and period asked for; None when the user may see no scope at all.
    A team she may not see is a 404, as for any object of another organisation."""
    scopes = selectors.scopes_for(request.user)
    wanted = request.GET.get("scope", "")
    team: Team | None
    if wanted == ORGANISATION:
        if not scopes.whole_organisation:
            raise Http404
        team = None
    elif wanted:
        try:
            team = scopes.team(int(wanted))
        except ValueError:
            team = None
        if team is None:
            raise Http404
    elif scopes.teams:
        team = scopes.teams[0]
    elif scopes.whole_organisation:
        team = None
    else:
        return None
    today = timezone.localdate()
    errors: dict[str, str] = {}
    try:
        period = periods.choose(
            period=request.GET.get("period", ""),
            start=request.GET.get("start", ""),
            end=request.GET.get("end", ""),
            today=today,
        )
    except periods.PeriodError as error:
        errors[error.field] = error.message
        period = periods.preset(periods.DEFAULT_PRESET, today=today)
    return Choice(
        scopes=scopes,
        team=team,
        scope_value=str(team.pk) if team else ORGANISATION,
        period=period,
        errors=errors,
    )


def _page(choice: Choice) -> presenters.IndicatorsPage:
    organisation_id = choice.scopes.organisation.pk
    team_id = choice.team.pk if choice.team else None
    first, last = choice.period.first, choice.period.last
    return presenters.build(
        scope_name=choice.team.name if choice.team else choice.scopes.organisation.name,
        team_scope=choice.team is not None,
        period=choice.period,
        rows=selectors.period_rows(
            organisation_id=organisation_id, team_id=team_id, first=first, last=last
        ),
        rules=selectors.rule_totals(
            organisation_id=organisation_id, team_id=team_id, first=first, last=last
        ),
        up_to=selectors.figures_up_to(organisation_id=organisation_id),
    )


@require_GET
@role_required(*ROLES)
def indicators_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    choice = _choose(request)
    if choice is None:
        return render(request, "indicators/page.html", {"no_scope": True})
    query = request.GET.copy()
    return render(
        request,
        "indicators/page.html",
        {
            "choice": choice,
            "page": _page(choice),
            "presets": periods.PRESETS,
            "organisation_value": ORGANISATION,
            "query": query.urlencode(),
            "start_value": request.GET.get("start", ""),
            "end_value": request.GET.get("end", ""),
        },
        status=400 if choice.errors else 200,
    )


@require_GET
@role_required(*ROLES)
def indicators_csv(request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
    choice = _choose(request)
    if choice is None or choice.errors:
        raise Http404
    found = next((t for t in _page(choice).tables if t.key == table), None)
    if found is None:
        raise Http404
    comma = danish()
    response, writer = csv_response(
        f"indicators-{table}-{choice.period.first}-{choice.period.last}.csv"
    )
    writer.writerow([_("Scope"), *found.columns])
    for row in found.raw:
        writer.writerow([csv_text(_scope_name(choice)), *[_cell(v, comma) for v in row]])
    return response


def _scope_name(choice: Choice) -> str:
    return choice.team.name if choice.team else choice.scopes.organisation.name


def _cell(value: object, danish: bool) -> str:
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if danish else text
    return csv_text(str(value))
