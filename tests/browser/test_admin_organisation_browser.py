"""The organisation admin sets her organisation's phone, the access policy when monitoring ends
and a 45-minute session timeout in a real browser; 46 idle minutes later her next click leads to
the login page, which says why."""

from __future__ import annotations

import time

from patients.models import Organisation
from telemed import sessions
from tests.browser.conftest import serious


def test_admin_sets_the_session_timeout_and_is_signed_out_after_it(
    page, org_admin, org_municipality, login_as, screenshot, axe_check, monkeypatch
):
    now = [time.time()]
    monkeypatch.setattr(sessions, "_now", lambda: now[0])
    login_as(page, org_admin)
    page.goto("/administration/")
    page.click("main a[href='/administration/organisation/']")
    assert "900000000000001" in page.inner_text("main")  # the SOR code, read-only
    assert not serious(axe_check(page))

    page.fill("#id_phone", "33 12 34 56")
    page.check("input[name=discharge_access][value=end]")
    page.fill("#id_session_timeout_minutes", "45")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".messages")
    org_municipality.refresh_from_db()
    assert org_municipality.session_timeout_minutes == 45
    assert org_municipality.discharge_access == Organisation.DischargeAccess.END
    assert page.input_value("#id_phone") == "33 12 34 56"
    assert not serious(axe_check(page))
    screenshot(page, "admin-organisation")

    # 44 idle minutes: still signed in.
    now[0] += 44 * 60
    page.click("nav.subnav a[href='/administration/users/']")
    page.wait_for_url("**/administration/users/")
    # 46 more: the next click leads to the login page with the reason, then back to the page.
    now[0] += 46 * 60
    page.click("nav.subnav a[href='/administration/reminders/']")
    page.wait_for_url("**/login/?next=/administration/reminders/")
    assert "45" in page.inner_text(".messages")
    assert not serious(axe_check(page))
    page.fill("input[name=username]", org_admin.get_username())
    page.fill("input[name=password]", "demo-password-1")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url("**/administration/reminders/")
