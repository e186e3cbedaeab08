"""The organisation admin invites a nurse; the nurse opens the e-mailed link, chooses her
password and lands on her triage list. Axe clean on every page; the admin never sees a
password."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from tests.browser.conftest import axe_check, login_as, screenshot, serious

NEW_PASSWORD = "Kol-sygeplejerske-2026"


def test_admin_invites_a_nurse_who_sets_her_password(browser, live_server, page, org_admin, team):
    login_as(page, org_admin)
    page.goto(reverse("patients:users"))
    assert not serious(axe_check(page))
    page.fill("input[name=username]", "gitte")
    page.fill("input[name=first_name]", "Gitte")
    page.fill("input[name=last_name]", "Vest")
    page.fill("input[name=email]", "gitte.vest@testrup.dk")
    page.select_option("select[name=role]", "nurse")
    page.check(f"input[name=teams][value='{team.pk}']")
    page.click("form:has(input[name=username]) button[type=submit]")
    page.wait_for_url(re.compile(r"/administration/users/\d+/$"))
    body = page.locator("main").inner_text()
    assert "gitte.vest@testrup.dk" in body
    assert page.locator("input[type=password]").count() == 0
    screenshot(page, "admin-invitation-sent")
    assert not serious(axe_check(page))

    # The e-mail was captured by Django's locmem backend (the live server runs in this process).
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["gitte.vest@testrup.dk"]
    link = re.search(r"https?://[^/\s]+(/welcome/\S+/)", mail.outbox[0].body).group(1)

    # The nurse, in her own browser.
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", timezone_id="Europe/Copenhagen"
    )
    nurse_page = context.new_page()
    try:
        nurse_page.goto(link)
        assert "gitte" in nurse_page.locator("main").inner_text()
        assert not serious(axe_check(nurse_page))
        # A password that the validators refuse: a message at the field, nothing lost.
        nurse_page.fill("#id_new_password1", "12345678")
        nurse_page.fill("#id_new_password2", "12345678")
        nurse_page.click("form:has(#id_new_password1) button[type=submit]")
        nurse_page.wait_for_selector("#pw1-error")
        assert not serious(axe_check(nurse_page))
        nurse_page.fill("#id_new_password1", NEW_PASSWORD)
        nurse_page.fill("#id_new_password2", NEW_PASSWORD)
        nurse_page.click("form:has(#id_new_password1) button[type=submit]")
        nurse_page.wait_for_url(lambda url: reverse("alarms:nurse_home") in url)
        nurse_page.wait_for_load_state("networkidle")
        screenshot(nurse_page, "invited-nurse-triage")
        assert not serious(axe_check(nurse_page))

        # The link has done its work: used again, it explains calmly what to do.
        other = browser.new_context(base_url=live_server.url, locale="da-DK")
        again = other.new_page()
        again.goto(link)
        assert again.locator("h1").is_visible()
        assert again.locator(f"a[href='{reverse('login')}']").count() >= 1
        screenshot(again, "invitation-link-used")
        assert not serious(axe_check(again))
        other.close()
    finally:
        context.close()
