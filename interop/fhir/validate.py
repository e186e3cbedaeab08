"""Structural validation of produced and received resources with ``fhir.resources`` (R4B models,
which share R4's Observation/Patient/Questionnaire/ClinicalImpression structure)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def validate(resource: dict[str, Any]) -> Any:
    """Parse the resource with its R4B model; raises pydantic.ValidationError when invalid."""
    model = get_fhir_model_class(resource["resourceType"])
    return model.model_validate(resource)


def errors(resource: dict[str, Any]) -> list[str]:
    """Validation errors as readable lines (empty when valid)."""
    from pydantic import ValidationError

    try:
        validate(resource)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    except (KeyError, TypeError, ValueError) as exc:
        return [str(exc)]
    return []
