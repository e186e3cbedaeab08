"""The nurse's alarm work in a real browser: nurse A claims a red, nurse B of the same team sees
the claim, A acknowledges with "contacted the GP" and a note for the citizen, the citizen reads
the note on her receipt, and the handover shows what is still open."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import monitored_patient, record_reading


def monitored(team, first, last, key, value, ago=timedelta(0)):
    person = monitored_patient(team, first_name=first, last_name=last, with_login=True)
    record_reading(person, key, value, ago)
    return person


def test_claim_acknowledge_with_outcome_receipt_and_handover(
    page, phone_page, nurse, colleague, team
):
    red = monitored(team, "Rasmus", "Rødgaard", "spo2", "83", timedelta(minutes=30))
    monitored(team, "Ulla", "Gulstrup", "pulse", "116", timedelta(hours=2))

    # Nurse A opens the red row and says she is on it.
    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    page.click(f"#patient-{red.pk} a.toggle")
    page.locator(f"#patient-{red.pk} .claim button").wait_for()
    page.click(f"#patient-{red.pk} .claim button")
    page.locator(f"#patient-{red.pk} .claim-badge--mine").wait_for()

    # Nurse B, on her own screen, sees who is on it and is not invited to claim it too.
    login_as(phone_page, colleague)
    phone_page.goto(reverse("alarms:nurse_home"))
    badge = phone_page.locator(f"#patient-{red.pk} .claim-badge")
    assert "Anne Nord er på den" in badge.inner_text()
    phone_page.goto(reverse("alarms:nurse_home") + f"?open={red.pk}")
    assert "Overtag fra Anne Nord" in phone_page.locator(f"#patient-{red.pk} .claim").inner_text()

    # Nurse A acknowledges: contacted the GP, with a note the citizen may read.
    page.select_option(f"#patient-{red.pk} select[name=outcome]", "contacted_gp")
    page.fill(f"#patient-{red.pk} textarea[name=note]", "Din læge ringer til dig i dag.")
    page.check(f"#patient-{red.pk} input[name=receipt_to_citizen]")
    page.check(f"#patient-{red.pk} input[name=note_to_citizen]")
    page.click(f"#patient-{red.pk} .ack-form button[type=submit]")
    page.locator(f"#patient-{red.pk} .recent-acks").wait_for()
    # The claim ended with the acknowledgement.
    assert page.locator(f"#patient-{red.pk} .claim-badge").count() == 0

    # The citizen reads the note on her receipt.
    phone_page.context.clear_cookies()
    login_as(phone_page, red.citizen_user)
    phone_page.goto(reverse("citizen:receipts"))
    assert "Din læge ringer til dig i dag." in phone_page.locator(".receipt").first.inner_text()
    assert not serious(axe_check(phone_page))

    # The handover shows what is still open: the yellow, nobody on it yet.
    page.goto(reverse("alarms:handover"))
    table = page.locator(".handover-table").inner_text()
    assert "Gulstrup" in table and "Rødgaard" not in table
    assert "Ingen endnu" in table
    screenshot(page, "handover")
    assert not serious(axe_check(page))
