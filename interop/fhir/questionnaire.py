"""Questionnaire and QuestionnaireResponse (FHIR R4), with Danish texts as the primary text.

Items map by kind: boolean -> boolean, single choice -> choice (answerOption valueCoding with
the option code), number -> decimal, measurement -> quantity, free text -> text. A
questionnaire's canonical URL is ``<QUESTIONNAIRE>/<code>`` with its version.
"""

from __future__ import annotations

from typing import Any

from interop.fhir import systems
from interop.fhir.common import coding, decimal_json, instant, patient_reference

ITEM_TYPES = {
    "boolean": "boolean",
    "choice": "choice",
    "number": "decimal",
    "measurement": "quantity",
    "text": "text",
}
STATUS = {"draft": "draft", "published": "active", "retired": "retired"}


def canonical(questionnaire: Any) -> str:
    return f"{systems.QUESTIONNAIRE}/{questionnaire.code}"


def option_system(questionnaire: Any, item: Any) -> str:
    return f"{canonical(questionnaire)}/{item.link_id}"


def questionnaire_to_fhir(questionnaire: Any) -> dict[str, Any]:
    """Needs ``items`` with ``options`` prefetched."""
    items = []
    for item in questionnaire.items.all():
        entry: dict[str, Any] = {
            "linkId": item.link_id,
            "text": item.text_da,
            "type": ITEM_TYPES[item.kind],
            "required": item.required,
        }
        if item.kind == "choice":
            entry["answerOption"] = [
                {
                    "valueCoding": coding(
                        option_system(questionnaire, item), option.code, option.text_da
                    )
                }
                for option in item.options.all()
            ]
        if item.enable_when_item_id and item.enable_when_option_code:
            entry["enableWhen"] = [
                {
                    "question": item.enable_when_item.link_id,
                    "operator": "=",
                    "answerCoding": {
                        "system": option_system(questionnaire, item.enable_when_item),
                        "code": item.enable_when_option_code,
                    },
                }
            ]
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": str(questionnaire.pk),
        "url": canonical(questionnaire),
        "version": str(questionnaire.version),
        "name": questionnaire.code.replace("-", "_").upper(),
        "title": questionnaire.title_da,
        "status": STATUS.get(questionnaire.status, "draft"),
        "subjectType": ["Patient"],
        "language": "da",
        "item": items,
    }
    if questionnaire.description_da:
        resource["description"] = questionnaire.description_da
    return resource


def _answer_value(answer: Any, questionnaire: Any) -> dict[str, Any] | None:
    item = answer.item
    if answer.option_id:
        option = answer.option
        if item.kind == "boolean":
            return {"valueBoolean": option.code in ("yes", "ja", "true")}
        return {
            "valueCoding": coding(option_system(questionnaire, item), option.code, option.text_da)
        }
    if answer.value_number is not None:
        return {"valueDecimal": decimal_json(answer.value_number)}
    if answer.value_text:
        return {"valueString": answer.value_text}
    return None


def questionnaire_response_to_fhir(submission: Any) -> dict[str, Any]:
    """Needs ``questionnaire``, ``patient``, ``answers`` (with item, option) and
    ``measurements`` (with type) loaded."""
    questionnaire = submission.questionnaire
    items = []
    for answer in sorted(submission.answers.all(), key=lambda a: a.item.position):
        value = _answer_value(answer, questionnaire)
        entry: dict[str, Any] = {"linkId": answer.item.link_id, "text": answer.item.text_da}
        if value is not None:
            entry["answer"] = [value]
        items.append(entry)
    for measurement in submission.measurements.all():
        items.append(
            {
                "linkId": f"measurement-{measurement.type.key}",
                "text": measurement.type.name_da,
                "answer": [
                    {
                        "valueQuantity": {
                            "value": decimal_json(measurement.value),
                            "unit": measurement.type.display_unit,
                            "system": systems.UCUM,
                            "code": measurement.type.unit,
                        }
                    }
                ],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(submission.pk),
        "identifier": {"system": systems.URN, "value": f"urn:uuid:{submission.client_uuid}"},
        "questionnaire": f"{canonical(questionnaire)}|{questionnaire.version}",
        "status": "completed",
        "subject": patient_reference(submission.patient),
        "authored": instant(submission.submitted_at),
        "meta": {"tag": [coding(systems.SOURCE, submission.source)]},
        "item": items,
    }
