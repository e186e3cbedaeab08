"""Reasons read in the reader's language, also the parts that came from a questionnaire."""

import pytest
from django.utils import timezone

from alarms import reasons
from alarms.evaluation import answer_reason
from alarms.services import AnswerInput, submission_record
from tests.factories import monitored_patient, questionnaire

pytestmark = pytest.mark.django_db


def test_an_answer_reason_is_shown_in_danish_and_in_english():
    stored = answer_reason(
        "red", "Hoster du mere?", "Ja, meget", "Do you cough more?", "Yes, a lot"
    )
    stored_dict = stored.as_dict()
    assert reasons.describe(stored_dict, "da") == "Hoster du mere? Ja, meget"
    assert reasons.describe(stored_dict, "en") == "Do you cough more? Yes, a lot"


def test_english_falls_back_to_danish_when_the_questionnaire_has_none():
    stored = answer_reason("yellow", "Hoster du mere?", "Ja").as_dict()
    assert reasons.describe(stored, "en") == "Hoster du mere? Ja"


def test_a_recorded_answer_keeps_both_languages(team):
    patient = monitored_patient(team)
    kol = questionnaire("kol")
    item = kol.items.filter(options__severity="red").first()
    option = item.options.get(severity="red")
    submission = submission_record(
        patient=patient,
        questionnaire=kol,
        answers=[AnswerInput(item=item, option=option)],
        readings=[],
        submitted_at=timezone.now(),
        submitted_by=None,
    )
    [reason] = [r for r in submission.triage_result.reasons if r["code"] == "answer"]
    assert reasons.describe(reason, "da").startswith(item.text_da)
    assert reasons.describe(reason, "en").startswith(item.text_en)
    assert item.text_en != item.text_da


def test_a_table_built_for_english_while_danish_is_active_stays_english():
    """The per-language tables are cached for the process: one built while another language
    was active must not keep that language (it once turned English reasons Danish)."""
    from django.utils import translation

    reasons._templates.cache_clear()
    with translation.override("da"):
        reasons.describe({"code": "missing", "questionnaire": "KOL"}, "en")
    with translation.override("en"):
        assert reasons.describe({"code": "missing", "questionnaire": "KOL"}) == (
            "Expected KOL not received"
        )
