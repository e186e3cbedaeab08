"""The outcomes a nurse chooses from when acknowledging an alarm, and how to find them.

Every organisation starts with the built-in list below (Danish and English, each an action, no
action or a false alarm); an organisation that adds outcomes of its own uses its own list.
"""

from __future__ import annotations

from django.db.models import QuerySet

from alarms.models import Outcome

NO_ACTION = "no_action"

# code, Danish label, English label, kind. Used by migration 0008 and when the defaults are missing.
DEFAULTS: list[tuple[str, str, str, str]] = [
    (NO_ACTION, "Ingen handling nødvendig", "No action needed", Outcome.Kind.NO_ACTION),
    ("advised_by_phone", "Borgeren vejledt telefonisk", "Advised the citizen by phone", "action"),
    ("asked_to_remeasure", "Bedt om at måle igen", "Asked to re-measure", "action"),
    ("contacted_gp", "Kontaktet egen læge", "Contacted the GP", "action"),
    ("contacted_hospital", "Kontaktet hospitalet", "Contacted the hospital", "action"),
    (
        "rescue_pack_started",
        "Akutpakke startet (antibiotika/prednisolon)",
        "Rescue pack started (antibiotics/prednisolone)",
        "action",
    ),
    ("home_visit_planned", "Hjemmebesøg planlagt", "Home visit planned", "action"),
    ("emergency_admitted", "Akut / indlagt", "Emergency / admitted", "action"),
    (
        "measurement_error",
        "Målefejl eller fejl på udstyret (falsk alarm)",
        "Measurement error or device fault (false alarm)",
        Outcome.Kind.FALSE_ALARM,
    ),
]


def outcome_defaults_ensure(model: type[Outcome] = Outcome) -> None:
    """Create the built-in outcomes that are missing (by migration 0008 with its historical
    model, and again after a database flush)."""
    for order, (code, label_da, label_en, kind) in enumerate(DEFAULTS):
        model.objects.get_or_create(
            organisation=None,
            code=code,
            defaults={
                "label_da": label_da,
                "label_en": label_en,
                "kind": str(kind),
                "sort_order": order * 10,
            },
        )


def outcomes_for(organisation_id: int | None) -> QuerySet[Outcome]:
    """The outcomes offered to a clinician of this organisation, in their order."""
    if organisation_id is not None:
        own = Outcome.objects.filter(organisation_id=organisation_id, active=True)
        if own.exists():
            return own
    defaults = Outcome.objects.filter(organisation__isnull=True, active=True)
    if not defaults.exists():
        outcome_defaults_ensure()
    return defaults


def no_action_outcome(organisation_id: int | None) -> Outcome:
    """The outcome of a bulk acknowledgement of green results: the first "no action" one."""
    found = outcomes_for(organisation_id).filter(kind=Outcome.Kind.NO_ACTION).first()
    if found is None:
        outcome_defaults_ensure()
        found = Outcome.objects.get(organisation__isnull=True, code=NO_ACTION)
    return found
