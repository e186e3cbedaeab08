"""The organisation admin's questionnaire library: drafts, questions of every kind, preview,
publishing as a new version, retiring, and the FHIR Questionnaire a published one maps to."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alarms.services import AnswerInput, Reading, submission_record
from interop.fhir.questionnaire import questionnaire_response_to_fhir, questionnaire_to_fhir
from interop.fhir.validate import errors
from monitoring import questionnaire_editor as editor
from monitoring.models import MeasurementType, Questionnaire, QuestionnaireItem, Submission
from telemed.audit_text import describe, is_known
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import (
    OrgAdminFactory,
    OrganisationFactory,
    ScheduleFactory,
    measurement_type,
    questionnaire,
)

pytestmark = pytest.mark.django_db

LIST = "/administration/questionnaires/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin(client, org_admin):
    return login(client, org_admin)


def url(name, *args):
    return reverse(f"patients:{name}", args=args)


def create_draft(client, code="dyspnoea", **extra):
    data = {"code": code, "title_da": "Åndenød", "title_en": "Breathlessness"} | extra
    response = client.post(url("questionnaire_new"), data, **EN)
    assert response.status_code == 302, response.content.decode()
    return Questionnaire.objects.get(code=code)


def option_rows(rows, *, initial=0):
    data = {
        "options-TOTAL_FORMS": str(len(rows)),
        "options-INITIAL_FORMS": str(initial),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"options-{n}-{key}"] = value
    return data


def add_item(client, draft, kind, *, status=302, options=None, **fields):
    data = {"kind": kind, "required": "on", "text_da": f"{kind} da", "text_en": f"{kind} en"}
    data |= fields
    if options is not None:
        data |= option_rows(options, initial=2 if kind == "boolean" else 0)
    response = client.post(url("questionnaire_item_new", draft.pk), data, **EN)
    assert response.status_code == status, response.content.decode()
    return response


def yes_no(yes="green", no="green", **score):
    return [
        {"text_da": "Ja", "text_en": "Yes", "severity": yes, "score": score.get("yes", "")},
        {"text_da": "Nej", "text_en": "No", "severity": no, "score": score.get("no", "")},
    ]


def build_every_kind(client, code="every"):
    """A draft with a question of every kind and a condition, through the editor's pages."""
    draft = create_draft(client, code)
    add_item(client, draft, "boolean", link_id="fever", options=yes_no(yes="red"))
    fever = draft.items.get(link_id="fever")
    add_item(
        client,
        draft,
        "choice",
        link_id="breathless",
        options=[
            {"code": "no", "text_da": "Nej", "text_en": "No", "severity": "green"},
            {"text_da": "Lidt mere", "text_en": "A bit more", "severity": "yellow"},
            {"text_da": "", "text_en": "", "severity": "green"},
        ],
    )
    add_item(client, draft, "number", link_id="puffs", number_min="0", number_max="20")
    add_item(
        client,
        draft,
        "measurement",
        link_id="temperature",
        measurement_types=[measurement_type("temperature").pk],
        condition=f"{fever.pk}:yes",
    )
    add_item(client, draft, "text", link_id="other", required="")
    return draft


def test_only_admins_open_the_library(client, nurse, org_admin):
    assert client.get(LIST).status_code == 302  # to the login page
    login(client, nurse)
    assert client.get(LIST).status_code == 403
    login(client, org_admin)
    page = client.get(LIST, **EN).content.decode()
    assert "COPD – daily questionnaire" in page and "CAT – COPD Assessment Test" in page
    assert "/admin/" not in page


def test_the_list_costs_the_same_queries_however_many_questionnaires(admin, org_admin):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(LIST).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        create_draft(admin, f"extra-{n}")
    kol = questionnaire("kol")
    editor.questionnaire_new_version(request=None, questionnaire=kol)  # type: ignore[arg-type]
    ScheduleFactory(questionnaire=kol)
    assert count() == before


def test_create_a_draft_and_a_taken_code_is_refused_next_to_the_field(admin):
    draft = create_draft(admin, description_da="Hvordan har du det?")
    assert (draft.status, draft.version) == ("draft", 1)
    assert draft.description_da == "Hvordan har du det?"
    event = AuditEvent.objects.latest("pk")
    assert event.what == "Questionnaire dyspnoea v1 created" and is_known(event.what)

    response = admin.post(
        url("questionnaire_new"), {"code": "kol", "title_da": "X", "title_en": "X"}, **EN
    )
    assert response.status_code == 400
    assert "This code is taken." in response.content.decode()
    assert Questionnaire.objects.filter(code="kol").count() == 1


def test_every_kind_of_question_with_a_condition_publishes_as_valid_fhir(admin, citizen):
    draft = build_every_kind(admin)
    items = {i.link_id: i for i in draft.items.all()}
    assert list(draft.items.order_by("position").values_list("link_id", flat=True)) == [
        "fever",
        "breathless",
        "puffs",
        "temperature",
        "other",
    ]
    assert [(o.code, o.severity) for o in items["fever"].options.order_by("position")] == [
        ("yes", "red"),
        ("no", "green"),
    ]
    # The code of an answer is made from its English text; the empty row is left out.
    assert list(items["breathless"].options.values_list("code", flat=True)) == ["no", "a_bit_more"]
    assert (items["puffs"].number_min, items["puffs"].number_max) == (Decimal(0), Decimal(20))
    assert items["temperature"].enable_when_item == items["fever"]
    assert not items["other"].required

    response = admin.post(url("questionnaire_publish", draft.pk), **EN)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None

    loaded = Questionnaire.objects.prefetch_related("items__options").get(pk=draft.pk)
    resource = questionnaire_to_fhir(loaded)
    assert errors(resource) == []
    assert resource["status"] == "active"
    by_link = {entry["linkId"]: entry for entry in resource["item"]}
    assert [entry["type"] for entry in resource["item"]] == [
        "boolean",
        "choice",
        "decimal",
        "quantity",
        "text",
    ]
    assert by_link["temperature"]["enableWhen"][0]["question"] == "fever"

    fever, breathless = items["fever"], items["breathless"]
    submission = submission_record(
        patient=citizen,
        questionnaire=draft,
        answers=[
            AnswerInput(item=fever, option=fever.options.get(code="yes")),
            AnswerInput(item=breathless, option=breathless.options.get(code="a_bit_more")),
            AnswerInput(item=items["puffs"], value_number=Decimal(3)),
            AnswerInput(item=items["other"], value_text="Træt"),
        ],
        readings=[Reading(measurement_type("temperature"), Decimal("38.5"), timezone.now())],
        submitted_at=timezone.now(),
    )
    assert submission.severity == "red"  # the red "yes"
    submission = Submission.objects.prefetch_related(
        "answers__item", "answers__option", "measurements__type"
    ).get(pk=submission.pk)
    response_resource = questionnaire_response_to_fhir(submission)
    assert errors(response_resource) == []
    assert response_resource["questionnaire"].endswith(f"/every|{draft.version}")
    answered = [entry["linkId"] for entry in response_resource["item"]]
    # Every answered question's linkId is a linkId of the Questionnaire; the embedded
    # measurement is reported under its own measurement-<type> linkId (interop mapping).
    assert {"fever", "breathless", "puffs", "other"} <= set(by_link)
    assert [link for link in answered if not link.startswith("measurement-")] == [
        "fever",
        "breathless",
        "puffs",
        "other",
    ]


def test_every_change_is_one_audit_event_the_log_can_translate(admin):
    start = AuditEvent.objects.count()
    draft = build_every_kind(admin, "audited")
    admin.post(url("questionnaire_publish", draft.pk))
    events = list(AuditEvent.objects.order_by("pk")[start:])
    assert [e.what for e in events] == [
        "Questionnaire audited v1 created",
        "Questionnaire audited v1: question fever added",
        "Questionnaire audited v1: question breathless added",
        "Questionnaire audited v1: question puffs added",
        "Questionnaire audited v1: question temperature added",
        "Questionnaire audited v1: question other added",
        "Questionnaire audited v1 published",
    ]
    assert all(is_known(e.what) and e.patient_id is None for e in events)
    assert describe(events[1].what) != ""


def test_publishing_without_questions_is_refused_and_nothing_changes(admin):
    draft = create_draft(admin)
    events = AuditEvent.objects.count()
    response = admin.post(url("questionnaire_publish", draft.pk), **EN)
    assert response.status_code == 400
    assert "Add at least one question before publishing." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None
    assert AuditEvent.objects.count() == events


def test_a_condition_moved_above_its_question_is_refused_at_publishing(admin):
    draft = build_every_kind(admin)
    temperature = draft.items.get(link_id="temperature")
    for _ in range(3):
        admin.post(url("questionnaire_item_move", draft.pk, temperature.pk), {"direction": "up"})
    assert draft.items.order_by("position").first().link_id == "temperature"
    response = admin.post(url("questionnaire_publish", draft.pk), **EN)
    assert response.status_code == 400
    assert "which is not asked before it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_bad_question_input_is_refused_next_to_the_field(admin):
    draft = create_draft(admin)
    response = add_item(admin, draft, "number", status=400, number_min="10", number_max="5")
    assert "The highest answer must be above the lowest." in response.content.decode()
    response = add_item(admin, draft, "measurement", status=400)
    assert "Choose at least one measurement." in response.content.decode()
    response = add_item(
        admin,
        draft,
        "choice",
        status=400,
        options=[
            {"code": "a", "text_da": "A", "text_en": "A", "severity": "green"},
            {"code": "a", "text_da": "B", "text_en": "B", "severity": "red"},
        ],
    )
    assert "Two answers have the code “a”" in response.content.decode()
    assert 'value="B"' in response.content.decode()  # what was typed is kept
    assert not draft.items.exists()


def test_a_single_choice_without_answers_and_a_scored_draft_show_their_problems(admin):
    cat_score = MeasurementType.objects.get(key="cat_score")
    draft = create_draft(admin, "scored", score_type=cat_score.pk)
    add_item(admin, draft, "choice", link_id="empty", options=[])
    page = admin.get(url("questionnaire", draft.pk), **EN).content.decode()
    assert "needs at least two answers" in page
    assert "no answer has a score" in page


def test_the_cat_page_shows_its_score_range(admin):
    page = admin.get(url("questionnaire", questionnaire("cat").pk), **EN).content.decode()
    assert '<span id="score-range">0 to 40</span>' in page


def test_a_new_version_copies_the_questions_and_publishing_it_retires_the_old(admin, citizen):
    kol = questionnaire("kol")
    old_item = kol.items.get(link_id="fever")
    answered = submission_record(
        patient=citizen,
        questionnaire=kol,
        answers=[AnswerInput(item=old_item, option=old_item.options.get(code="yes"))],
        submitted_at=timezone.now(),
    )
    ScheduleFactory(patient=citizen, questionnaire=kol)

    response = admin.post(url("questionnaire_new_version", kol.pk), **EN)
    draft = Questionnaire.objects.get(code="kol", status="draft")
    assert response.url == url("questionnaire", draft.pk)
    assert draft.version == 2
    old_links = list(kol.items.order_by("position").values_list("link_id", flat=True))
    assert list(draft.items.order_by("position").values_list("link_id", flat=True)) == old_links
    new_temperature = draft.items.get(link_id="temperature")
    assert new_temperature.enable_when_item.questionnaire == draft
    assert new_temperature.measurement_types.get().key == "temperature"
    # A second draft of the same code is refused.
    assert admin.post(url("questionnaire_new_version", kol.pk), **EN).status_code == 400

    fever = draft.items.get(link_id="fever")
    admin.post(
        url("questionnaire_item", draft.pk, fever.pk),
        {
            "kind": "boolean",
            "link_id": "fever",
            "text_da": fever.text_da,
            "text_en": fever.text_en,
            "required": "on",
            "condition": "",
        }
        | option_rows(yes_no(yes="red"), initial=2),
    )
    assert admin.post(url("questionnaire_publish", draft.pk)).status_code == 302
    kol.refresh_from_db()
    draft.refresh_from_db()
    assert (kol.status, draft.status) == ("retired", "published")
    assert AuditEvent.objects.latest("pk").what == "Questionnaire kol v2 published (v1 retired)"
    # The earlier answer still points at version 1's own question, unchanged.
    answer = answered.answers.get()
    assert answer.item.questionnaire_id == kol.pk
    assert answer.option.severity == "yellow"
    assert draft.items.get(link_id="fever").options.get(code="yes").severity == "red"

    page = admin.get(LIST, **EN).content.decode()
    assert "still asked by 1 schedule" in page


def test_published_and_retired_versions_are_read_only(admin):
    kol = questionnaire("kol")
    item = kol.items.get(link_id="fever")
    response = admin.post(
        url("questionnaire_item", kol.pk, item.pk),
        {"kind": "boolean", "text_da": "Ændret", "text_en": "Changed"},
        **EN,
    )
    assert response.status_code == 302
    assert admin.post(url("questionnaire_item_remove", kol.pk, item.pk)).status_code == 400
    assert admin.post(url("questionnaire_edit", kol.pk), {"title_da": "X"}).status_code == 302
    add_item(admin, kol, "text", status=302)
    item.refresh_from_db()
    kol.refresh_from_db()
    assert item.text_da != "Ændret" and kol.title_da != "X"
    assert kol.items.count() == 10
    page = admin.get(url("questionnaire", kol.pk), **EN).content.decode()
    assert url("questionnaire_item", kol.pk, item.pk) not in page


def test_retire_the_published_version(admin):
    kol = questionnaire("kol")
    ScheduleFactory(questionnaire=kol)
    page = admin.get(url("questionnaire", kol.pk), **EN).content.decode()
    assert "1 schedule in force keeps asking it" in page
    assert admin.post(url("questionnaire_retire", kol.pk)).status_code == 302
    kol.refresh_from_db()
    assert kol.status == "retired"
    assert AuditEvent.objects.latest("pk").what == "Questionnaire kol v1 retired"
    assert admin.post(url("questionnaire_retire", kol.pk)).status_code == 400


def test_a_question_another_depends_on_cannot_be_removed(admin):
    draft = build_every_kind(admin)
    fever = draft.items.get(link_id="fever")
    response = admin.post(url("questionnaire_item_remove", draft.pk, fever.pk), **EN)
    assert response.status_code == 400
    assert "Change or remove that condition first." in response.content.decode()
    assert draft.items.count() == 5
    other = draft.items.get(link_id="other")
    assert admin.post(url("questionnaire_item_remove", draft.pk, other.pk)).status_code == 302
    assert draft.items.count() == 4


def test_change_a_question_and_its_answers(admin):
    draft = build_every_kind(admin)
    breathless = draft.items.get(link_id="breathless")
    page = admin.get(url("questionnaire_item", draft.pk, breathless.pk), **EN)
    assert 'value="a_bit_more"' in page.content.decode()
    response = admin.post(
        url("questionnaire_item", draft.pk, breathless.pk),
        {
            "kind": "choice",
            "link_id": "breathless",
            "text_da": "Mere forpustet?",
            "text_en": "More breathless?",
            "required": "on",
        }
        | option_rows(
            [
                {"code": "no", "text_da": "Nej", "text_en": "No", "severity": "green"},
                {"code": "a_bit_more", "text_da": "L", "text_en": "L", "DELETE": "on"},
                {"code": "much", "text_da": "Meget", "text_en": "Much", "severity": "red"},
            ],
            initial=2,
        ),
        **EN,
    )
    assert response.status_code == 302, response.content.decode()
    breathless.refresh_from_db()
    assert breathless.text_da == "Mere forpustet?"
    assert [(o.code, o.severity) for o in breathless.options.order_by("position")] == [
        ("no", "green"),
        ("much", "red"),
    ]


def test_preview_shows_each_question_as_the_citizen_does_and_sends_nothing(admin):
    kol = questionnaire("kol")
    first = admin.get(url("questionnaire_preview", kol.pk), **EN).content.decode()
    assert "Question 1 of 10" in first
    assert "Measure your oxygen saturation and pulse" in first
    assert 'name="m_spo2"' in first
    assert "citizen/" not in first.split('class="phone-frame')[1].split("</main>")[0]
    fever = admin.get(url("questionnaire_preview", kol.pk) + "?step=8", **EN).content.decode()
    assert 'name="option" value="yes"' in fever
    temperature = admin.get(url("questionnaire_preview", kol.pk) + "?step=9", **EN)
    assert "This question is asked only if" in temperature.content.decode()
    frame = fever.split('class="phone-frame')[1].split("</main>")[0]
    assert "<form" not in frame


def test_discard_a_draft(admin):
    draft = build_every_kind(admin)
    assert admin.post(url("questionnaire_discard", draft.pk)).status_code == 302
    assert not Questionnaire.objects.filter(pk=draft.pk).exists()
    assert not QuestionnaireItem.objects.filter(questionnaire_id=draft.pk).exists()
    assert AuditEvent.objects.latest("pk").what == "Questionnaire every v1 draft discarded"


def test_a_condition_on_an_answer_removed_later_is_refused_at_publishing(admin):
    draft = build_every_kind(admin)
    breathless = draft.items.get(link_id="breathless")
    add_item(admin, draft, "text", link_id="why", condition=f"{breathless.pk}:a_bit_more")
    page = admin.get(url("questionnaire", draft.pk), **EN).content.decode()
    assert "0 – 20" in page  # the number question's range
    assert "Asked only if “Lidt mere”" not in page and "= A bit more" in page
    admin.post(
        url("questionnaire_item", draft.pk, breathless.pk),
        {"kind": "choice", "link_id": "breathless", "text_da": "F", "text_en": "B"}
        | option_rows(
            [
                {"code": "no", "text_da": "Nej", "text_en": "No", "severity": "green"},
                {"code": "much", "text_da": "Meget", "text_en": "Much", "severity": "red"},
            ]
        ),
    )
    response = admin.post(url("questionnaire_publish", draft.pk), **EN)
    assert response.status_code == 400
    assert "depends on the answer “a_bit_more” of “breathless”" in response.content.decode()
    assert Questionnaire.objects.get(pk=draft.pk).status == "draft"


def test_clinicians_cannot_change_the_library_and_it_is_shared_by_organisations(
    client, nurse, doctor, org_admin
):
    login(client, org_admin)
    draft = build_every_kind(client)
    for user in (nurse, doctor):
        login(client, user)
        assert client.post(url("questionnaire_publish", draft.pk)).status_code == 403
        assert client.get(url("questionnaire_preview", draft.pk)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    elsewhere = OrganisationFactory(name="Andeby", sor_code="900000000000077")
    login(client, OrgAdminFactory(organisation=elsewhere).user)
    assert "Breathlessness" in client.get(LIST, **EN).content.decode()
    assert client.post(url("questionnaire_publish", draft.pk)).status_code == 302
