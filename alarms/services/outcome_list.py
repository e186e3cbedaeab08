"""The organisation's own outcome list: made from the defaults, added to, renamed, retired.

Outcomes are never deleted (acknowledged results point at them); a retired one is no longer
offered. The list always keeps one offered "no action" outcome: acknowledging all green results
uses it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from alarms.models import Outcome
from alarms.outcomes import outcome_defaults_ensure
from patients.models import Organisation


class OutcomeError(Exception):
    """Refused: ``code`` is "last_no_action"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@transaction.atomic
def outcomes_make_own(*, organisation: Organisation) -> int:
    """Copy the built-in outcomes into the organisation's own list, unless it has one. Returns
    how many were copied."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if Outcome.objects.filter(organisation=organisation).exists():
        return 0
    outcome_defaults_ensure()
    defaults = Outcome.objects.filter(organisation__isnull=True, active=True)
    copies = [
        Outcome(
            organisation=organisation,
            code=default.code,
            label_da=default.label_da,
            label_en=default.label_en,
            kind=default.kind,
            sort_order=default.sort_order,
        )
        for default in defaults
    ]
    Outcome.objects.bulk_create(copies)
    return len(copies)


@transaction.atomic
def outcome_add(*, organisation: Organisation, label_da: str, label_en: str, kind: str) -> Outcome:
    """A new outcome at the end of the organisation's list (made from the defaults first)."""
    outcomes_make_own(organisation=organisation)
    own = Outcome.objects.filter(organisation=organisation)
    base = slugify(label_en or label_da)[:34] or "outcome"
    taken = set(own.values_list("code", flat=True))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    last = own.aggregate(last=Max("sort_order"))["last"] or 0
    return Outcome.objects.create(
        organisation=organisation,
        code=code,
        label_da=label_da.strip(),
        label_en=label_en.strip(),
        kind=kind,
        sort_order=last + 10,
    )


@transaction.atomic
def outcome_change(
    *,
    outcome: Outcome,
    label_da: str,
    label_en: str,
    kind: str,
    active: bool,
    sort_order: int,
) -> Outcome:
    """Rename, reclassify, reorder or retire one of the organisation's own outcomes."""
    assert outcome.organisation_id is not None, "the built-in defaults are not edited"
    Organisation.objects.select_for_update().filter(pk=outcome.organisation_id).first()
    still_no_action = (
        Outcome.objects.filter(
            organisation_id=outcome.organisation_id, active=True, kind=Outcome.Kind.NO_ACTION
        )
        .exclude(pk=outcome.pk)
        .exists()
    )
    if not still_no_action and not (active and kind == Outcome.Kind.NO_ACTION):
        raise OutcomeError(
            "last_no_action",
            "Keep at least one offered 'no action' outcome: acknowledging all green uses it.",
        )
    outcome.label_da, outcome.label_en = label_da.strip(), label_en.strip()
    outcome.kind, outcome.active, outcome.sort_order = kind, active, sort_order
    outcome.save(update_fields=["label_da", "label_en", "kind", "active", "sort_order"])
    return outcome
