"""The organisation admin builds a questionnaire in a real browser: a yes/no question whose "yes"
is red, published, then previewed at phone width (axe clean on every page).

``create_and_publish_yes_no`` does it through the pages for other browser tests (assign it with
a schedule template, accept a referral with it, the citizen answers red ...). Selectors use
field names and URLs, not label texts, so they hold in Danish and English alike.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from monitoring.models import Questionnaire
from tests.browser.conftest import axe_check, login_as, screenshot, serious


def _submit(page: Any) -> None:
    page.locator("main form button.button--primary").first.click()


def create_and_publish_yes_no(
    page: Any,
    *,
    code: str = "daily-check",
    title_da: str = "Dagligt tjek",
    title_en: str = "Daily check",
    question_da: str = "Har du mere åndenød end i går?",
    question_en: str = "Are you more breathless than yesterday?",
    link_id: str = "more_breathless",
    yes_severity: str = "red",
    check_accessibility: bool = True,
) -> Questionnaire:
    """As a logged-in organisation admin: create a draft with one yes/no question whose "yes"
    has ``yes_severity``, publish it, and return the published Questionnaire."""

    def clean(name: str) -> None:
        if check_accessibility:
            problems = serious(axe_check(page))
            assert not problems, f"{name}: {problems}"

    page.goto(reverse("patients:questionnaires"))
    clean("library")
    page.click(f'main a[href="{reverse("patients:questionnaire_new")}"]')
    page.fill("#id_code", code)
    page.fill("#id_title_da", title_da)
    page.fill("#id_title_en", title_en)
    clean("new questionnaire")
    _submit(page)
    page.wait_for_selector("#id_kind")
    draft = Questionnaire.objects.get(code=code, status=Questionnaire.Status.DRAFT)

    page.select_option("#id_kind", "boolean")
    page.locator('form[action$="/questions/new/"] button[type=submit]').click()
    page.wait_for_selector("#id_text_da")
    page.fill("#id_link_id", link_id)
    page.fill("#id_text_da", question_da)
    page.fill("#id_text_en", question_en)
    page.select_option('select[name="options-0-severity"]', yes_severity)
    clean("new question")
    screenshot(page, "admin-questionnaire-question")
    _submit(page)
    page.wait_for_selector(f".qitem .sev--{yes_severity}")
    clean("draft")

    page.locator('form[action$="/publish/"] button[type=submit]').click()
    page.wait_for_selector(".page-header .tag--ok")
    clean("published")
    draft.refresh_from_db()
    assert draft.status == Questionnaire.Status.PUBLISHED
    return draft


def test_admin_creates_publishes_and_previews_a_questionnaire_with_a_red_answer(page, org_admin):
    login_as(page, org_admin)
    published = create_and_publish_yes_no(page)
    item = published.items.get()
    assert item.kind == "boolean" and item.link_id == "more_breathless"
    assert {o.code: o.severity for o in item.options.all()} == {"yes": "red", "no": "green"}
    screenshot(page, "admin-questionnaire-published")

    page.click('a[href$="/preview/"]')
    frame = page.locator(".phone-frame")
    frame.wait_for()
    assert frame.bounding_box()["width"] <= 390
    assert "Har du mere åndenød end i går?" in frame.inner_text()
    assert frame.locator('input[name="option"]').count() == 2
    assert frame.locator("form").count() == 0  # nothing can be sent from the preview
    assert not serious(axe_check(page))
    screenshot(page, "admin-questionnaire-preview")

    page.goto(reverse("patients:questionnaires"))
    assert page.locator(f'a[href="{reverse("patients:questionnaire", args=[published.pk])}"]')
