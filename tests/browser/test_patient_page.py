"""The patient page in a real browser, on the demo data: a nurse opens a patient in an
exacerbation, sees red values inside the red band, switches the period, reads the answers matrix
and cannot edit the thresholds; the treating doctor changes a threshold with a reason and the
history shows it. Screenshots go to docs/images/ for docs/guide-patient-page.md."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from alarms.models import ThresholdSet
from demo import DEMO_PASSWORD
from demo.seed import demo_seed
from monitoring.models import Measurement
from patients.models import Patient
from tests.browser.conftest import axe_check, login_as, screenshot, serious


def exacerbation_patient() -> Patient:
    """The nurse.nord1 team's patient with the most red values in the last 30 days."""
    since = timezone.now() - timedelta(days=30)
    top = (
        Measurement.objects.filter(
            severity="red",
            measured_at__gte=since,
            patient__monitoring_team__name="KOL-team Nord",
            patient__state="active",
        )
        .values("patient")
        .annotate(n=Count("pk"))
        .order_by("-n", "patient")
        .first()
    )
    assert top, "the demo data should have a patient with red values"
    return Patient.objects.select_related("treating_doctor").get(pk=top["patient"])


def figures(page) -> dict[str, dict]:
    raw = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('script[id^="chart-data-"]')]
            .map(s => [s.id.slice(11), s.textContent]))"""
    )
    return {key: json.loads(text) for key, text in raw.items()}


def red_points_inside_red_bands(figure: dict) -> int:
    """How many red points lie in a red band drawn at their moment (0 if any lies outside)."""
    bands = [s for s in figure["layout"]["shapes"] if s["name"] == "red"]
    inside = 0
    for trace in figure["data"]:
        severities = (trace.get("meta") or {}).get("severities")
        if not severities:
            continue
        for x, y, severity in zip(trace["x"], trace["y"], severities, strict=True):
            if severity != "red":
                continue
            if not any(b["x0"] <= x <= b["x1"] and b["y0"] <= y <= b["y1"] for b in bands):
                return 0
            inside += 1
    return inside


def test_nurse_reads_the_patient_page_and_doctor_changes_a_threshold(page, browser, live_server):
    demo_seed(patients=24)
    patient = exacerbation_patient()
    nurse = Patient._meta.get_field("treating_doctor").related_model.objects.get(
        username="nurse.nord1"
    )

    login_as(page, nurse, DEMO_PASSWORD)
    page.goto(reverse("patient:detail", args=[patient.pk]))
    page.locator(".chart__plot .main-svg").first.wait_for()
    assert patient.masked_cpr in page.locator(".phead").inner_text()

    charts = figures(page)
    red_inside = sum(red_points_inside_red_bands(f) for f in charts.values())
    assert red_inside >= 1, "a red value should be drawn inside the red band"
    assert page.locator(".chart__plot.js-plotly-plot").count() == len(charts)
    screenshot(page, "patient-charts")
    assert not serious(axe_check(page))

    # The CPR number is shown on request (and audited by the server).
    page.get_by_role("button", name="Vis CPR-nummer").click()
    page.locator("#patient-cpr", has_text=patient.formatted_cpr).wait_for()

    # Switch to 7 days: only the panel is replaced, the charts are drawn again.
    page.evaluate("window.__stayed = true")
    page.locator(".rangebar__quick a", has_text="7 dage").click()
    page.wait_for_url("**range=7d**")
    page.locator('.rangebar__quick a[aria-current="true"]', has_text="7 dage").wait_for()
    page.locator(".chart__plot .main-svg").first.wait_for()
    assert page.evaluate("window.__stayed === true")
    week = figures(page)
    spo2_x = next(t for t in week["spo2"]["data"] if t.get("mode") == "lines+markers")["x"]
    month_x = next(t for t in charts["spo2"]["data"] if t.get("mode") == "lines+markers")["x"]
    assert 0 < len(spo2_x) < len(month_x)

    # The answers matrix: questions as rows, coloured cells.
    page.locator(".ptabs a", has_text="Svar").click()
    page.locator(".matrix__table").first.wait_for()
    assert page.locator(".matrix__table .cell--red, .matrix__table .cell--yellow").count() > 0
    screenshot(page, "patient-answers")

    # Thresholds: readable, not editable for the nurse.
    page.locator(".ptabs a", has_text="Grænseværdier").click()
    page.locator("#thr-history").wait_for()
    assert page.locator("form[action$='/thresholds/change/#change']").count() == 0
    assert page.locator(".readonly-note").is_visible()

    # The treating doctor changes the SpO2 limits with a reason.
    doctor_page = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1366, "height": 900},
        locale="da-DK",
        timezone_id="Europe/Copenhagen",
    ).new_page()
    login_as(doctor_page, patient.treating_doctor, DEMO_PASSWORD)
    doctor_page.goto(reverse("patient:thresholds", args=[patient.pk]))
    # Out of order first: a clear message, nothing lost.
    doctor_page.fill("input[name='spo2-red_low']", "95")
    doctor_page.fill("textarea[name='reason']", "Aftalt med lungemedicinsk afdeling")
    doctor_page.get_by_role("button", name="Gem nye grænseværdier").click()
    doctor_page.locator(".thredit__row.has-error").first.wait_for()
    assert "må ikke være højere end" in doctor_page.locator(".thredit__row.has-error").inner_text()
    assert doctor_page.input_value("textarea[name='reason']") == (
        "Aftalt med lungemedicinsk afdeling"
    )
    doctor_page.fill("input[name='spo2-red_low']", "86")
    doctor_page.fill("input[name='spo2-yellow_low']", "89,5")
    doctor_page.get_by_role("button", name="Gem nye grænseværdier").click()
    doctor_page.locator(".message--success").wait_for()
    first = doctor_page.locator(".history__item").first
    assert "Aftalt med lungemedicinsk afdeling" in first.inner_text()
    assert "89,5" in first.inner_text()
    current = ThresholdSet.objects.filter(patient=patient).order_by("-version").first()
    assert current.created_by == patient.treating_doctor and current.version == 2
    screenshot(doctor_page, "patient-thresholds")
    doctor_page.context.close()

    # Back as the nurse: the chart shows the change as a step at the end.
    page.goto(reverse("patient:detail", args=[patient.pk]))
    page.locator(".chart__plot .main-svg").first.wait_for()
    spo2 = figures(page)["spo2"]
    red_lows = [s["y1"] for s in spo2["layout"]["shapes"] if s["name"] == "red"]
    assert red_lows[-1] == 86 and red_lows[0] != 86

    # On a phone the page does not scroll sideways (wide tables scroll inside their box).
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="da-DK",
        timezone_id="Europe/Copenhagen",
    ).new_page()
    login_as(phone, nurse, DEMO_PASSWORD)
    for name in ("detail", "answers", "thresholds"):
        phone.goto(reverse(f"patient:{name}", args=[patient.pk]))
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} scrolls sideways on a phone ({width}px)"
    phone.goto(reverse("patient:detail", args=[patient.pk]))
    phone.locator(".chart__plot .main-svg").first.wait_for()
    screenshot(phone, "patient-phone")
    phone.context.close()
