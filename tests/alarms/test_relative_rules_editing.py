"""Relative rules (e.g. weight +2 kg within 3 days = red) edited by the admin's threshold
template, the doctor's referral and the patient's thresholds tab: the same checks everywhere,
nothing half-saved, and a rule saved on the patient's tab raises the alarm it describes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from alarms.models import RelativeRule, ThresholdSet, TriageResult
from alarms.services import Reading, measurements_record
from alarms.threshold_templates import (
    MAX_WINDOW_DAYS,
    LimitRow,
    RuleRow,
    ThresholdError,
    rule_row_problems,
    rules_problems,
    template_current,
    template_save,
)
from monitoring.models import MeasurementType, Source
from patients.models import Referral
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import RelativeRuleFactory, ThresholdSetFactory, measurement_type

# A weight type that needs no database: the pure check reads only these fields.
WEIGHT = MeasurementType(
    pk=3,
    key="weight",
    name_da="Vægt",
    name_en="Weight",
    display_unit_da="kg",
    plausible_min=Decimal("20"),
    plausible_max=Decimal("350"),
)
PULSE = MeasurementType(
    pk=2,
    key="pulse",
    name_da="Puls",
    name_en="Pulse",
    display_unit_da="slag/min",
    plausible_min=Decimal("20"),
    plausible_max=Decimal("250"),
)


@pytest.fixture(autouse=True)
def english(settings):
    """Pages in English unless a test asks for Danish (the messages are checked in English)."""
    settings.LANGUAGE_CODE = "en"


def rule(**kwargs) -> RuleRow:
    values = {
        "type": WEIGHT,
        "direction": "rise",
        "amount": Decimal("2"),
        "window_days": 3,
        "baseline": "lowest",
        "severity": "red",
    }
    values.update(kwargs)
    return RuleRow(**values)


# The pure check -------------------------------------------------------------------------------


def test_a_sensible_rule_has_no_problems():
    assert rules_problems([rule(), rule(severity="yellow", amount=Decimal("1"))]) == []
    assert rules_problems([rule(type=PULSE, direction="fall", baseline="median")]) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"amount": Decimal("0")}, "more than 0 kg"),
        ({"amount": Decimal("-1")}, "more than 0 kg"),
        ({"amount": Decimal("330")}, "cannot be measured"),
        ({"amount": Decimal("0.0005")}, "three decimals"),
        ({"window_days": 0}, f"1 to {MAX_WINDOW_DAYS} days"),
        ({"window_days": MAX_WINDOW_DAYS + 1}, f"1 to {MAX_WINDOW_DAYS} days"),
        ({"direction": "sideways"}, "rise or fall"),
        ({"baseline": "mean"}, "baseline"),
        ({"severity": "green"}, "yellow or a red alarm"),
    ],
)
def test_a_bad_rule_says_what_is_wrong(changes, words):
    problems = rules_problems([rule(**changes)])
    assert len(problems) == 1
    assert words in problems[0] and problems[0].startswith("Weight")


def test_two_rules_for_the_same_change_and_severity_are_refused_at_the_second():
    rows = rule_row_problems([rule(), rule(amount=Decimal("3"), window_days=5), rule(type=PULSE)])
    assert rows[0] == [] and rows[2] == []
    assert rows[1] == ["Weight: there is already a rule for a rise with this severity."]


@given(
    amount=st.decimals(allow_nan=True, allow_infinity=True, places=4),
    window=st.integers(min_value=-5, max_value=400),
    direction=st.sampled_from(["rise", "fall", "", "up"]),
    severity=st.sampled_from(["yellow", "red", "green", "missing"]),
    baseline=st.sampled_from(["lowest", "highest", "median", "avg"]),
)
def test_a_rule_is_accepted_exactly_when_the_database_and_the_evaluation_can_use_it(
    amount, window, direction, severity, baseline
):
    candidate = rule(
        amount=amount,
        window_days=window,
        direction=direction,
        severity=severity,
        baseline=baseline,
    )
    expected_ok = (
        amount.is_finite()
        and Decimal(0) < amount < WEIGHT.plausible_max - WEIGHT.plausible_min
        and amount == amount.quantize(Decimal("0.001"))  # fits decimal_places=3
        and 1 <= window <= MAX_WINDOW_DAYS
        and direction in ("rise", "fall")
        and severity in ("yellow", "red")
        and baseline in ("lowest", "highest", "median")
    )
    problems = rules_problems([candidate])
    assert (problems == []) == expected_ok
    # A duplicate of an acceptable rule is the only thing wrong with the pair.
    if expected_ok:
        assert len(rules_problems([candidate, candidate])) == 1


# The services refuse the same things ---------------------------------------------------------


@pytest.mark.django_db
def test_template_save_refuses_a_bad_rule_and_saves_nothing(org_municipality, org_admin):
    with pytest.raises(ThresholdError) as error:
        template_save(
            organisation=org_municipality,
            copd_group="moderate",
            limits=[LimitRow(measurement_type("spo2"), Decimal("87"), Decimal("90"))],
            rules=[rule(type=measurement_type("weight"), window_days=0)],
            by=org_admin,
            reason="Ny regel",
        )
    assert "the window must be 1 to 90 days" in error.value.problems[0]
    assert not ThresholdSet.objects.exists()


# The admin's threshold template ---------------------------------------------------------------


def template_data(**overrides) -> dict[str, str]:
    data = {
        "t-spo2-red_low": "87",
        "t-spo2-yellow_low": "90",
        "reason": "Vægtregel",
        "r-count": "2",
        "r-0-type": "weight",
        "r-0-direction": "rise",
        "r-0-amount": "2,5",
        "r-0-window_days": "3",
        "r-0-baseline": "lowest",
        "r-0-severity": "red",
        "r-1-type": "",
        "r-1-direction": "rise",
        "r-1-amount": "",
        "r-1-window_days": "",
        "r-1-baseline": "lowest",
        "r-1-severity": "yellow",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_adds_changes_and_removes_a_rule_on_the_template(client, org_admin, org_municipality):
    login(client, org_admin)
    url = reverse("referrals:template_edit", args=["moderate"])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="r-0-type"' in page.content.decode()  # empty rows to add rules in

    assert client.post(url, template_data(), HTTP_ACCEPT_LANGUAGE="da").status_code == 302
    current = template_current(organisation=org_municipality, copd_group="moderate")
    saved = current.relative_rules.get()
    assert (saved.type.key, saved.amount, saved.window_days, saved.severity) == (
        "weight",
        Decimal("2.5"),
        3,
        "red",
    )
    assert AuditEvent.objects.filter(what="Threshold template saved").count() == 1

    # The saved rule is shown in row 0, with the amount as typed in Danish.
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert 'name="r-0-amount" id="id_r-0-amount" value="2,5"' in body
    assert 'name="r-2-type"' in body  # the rule and two empty rows

    changed = template_data(**{"r-0-window_days": "5", "reason": "Længere vindue"})
    assert client.post(url, changed).status_code == 302
    current = template_current(organisation=org_municipality, copd_group="moderate")
    assert current.version == 2 and current.relative_rules.get().window_days == 5

    removed = template_data(**{"r-0-remove": "1", "reason": "Ingen vægtregel"})
    assert client.post(url, removed).status_code == 302
    current = template_current(organisation=org_municipality, copd_group="moderate")
    assert current.version == 3 and not current.relative_rules.exists()
    # Earlier versions keep their rules.
    assert RelativeRule.objects.filter(threshold_set__version=1).count() == 1


@pytest.mark.django_db
def test_a_refused_template_keeps_everything_typed_with_the_message_at_the_row(
    client, org_admin, org_municipality
):
    login(client, org_admin)
    url = reverse("referrals:template_edit", args=["moderate"])
    data = template_data(
        **{
            "r-1-type": "weight",
            "r-1-amount": "3",
            "r-1-window_days": "7",
            "r-1-severity": "red",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        'value="Vægtregel"' in body
        and 'name="t-spo2-red_low" id="id_t-spo2-red_low" value="87"' in body
    )
    assert 'name="r-1-window_days" id="id_r-1-window_days" value="7"' in body
    errors = body.split('id="r-1-errors"')[1].split("</td>")[0]
    assert "there is already a rule for a rise with this severity" in errors
    assert 'id="r-0-errors"' not in body
    assert not ThresholdSet.objects.exists()

    response = client.post(url, template_data(**{"r-0-amount": "to"}))
    assert response.status_code == 400
    assert "“to” is not a number" in response.content.decode()
    assert 'value="to"' in response.content.decode()
    assert not ThresholdSet.objects.exists()


@pytest.mark.django_db
def test_another_organisations_admin_never_sees_the_template_rules(
    client, org_admin, org_municipality, outsider
):
    template_save(
        organisation=org_municipality,
        copd_group="moderate",
        limits=[],
        rules=[rule(type=measurement_type("weight"))],
        by=org_admin,
        reason="Start",
    )
    from tests.factories import OrgAdminFactory

    other_admin = OrgAdminFactory(
        organisation=outsider.clinician.organisation, user__username="other_admin"
    ).user
    login(client, other_admin)
    body = client.get(reverse("referrals:template_edit", args=["moderate"])).content.decode()
    assert 'name="r-0-amount" id="id_r-0-amount" value=""' in body


# The doctor's referral ------------------------------------------------------------------------


@pytest.fixture
def template_with_rule(org_municipality, org_admin):
    return template_save(
        organisation=org_municipality,
        copd_group="moderate",
        limits=[LimitRow(measurement_type("spo2"), Decimal("87"), Decimal("90"))],
        rules=[rule(type=measurement_type("weight"))],
        by=org_admin,
        reason="Standard",
    )


def referral_data(org, **overrides) -> dict[str, str]:
    data = {
        "cpr": "070752-1234",
        "first_name": "Grethe",
        "last_name": "Hansen",
        "receiving_organisation": str(org.pk),
        "copd_group": "moderate",
        "diagnosis_code": "DJ449",
        "note": "",
        "t-spo2-red_low": "87",
        "t-spo2-yellow_low": "90",
        "send": "1",
        "r-count": "3",
        "r-0-type": "weight",
        "r-0-direction": "rise",
        "r-0-amount": "2",
        "r-0-window_days": "3",
        "r-0-baseline": "lowest",
        "r-0-severity": "red",
        "r-1-type": "spo2",
        "r-1-direction": "fall",
        "r-1-amount": "4",
        "r-1-window_days": "7",
        "r-1-baseline": "median",
        "r-1-severity": "yellow",
        "r-2-type": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_referral_form_is_prefilled_with_the_template_rules_and_sends_the_doctors(
    client, doctor, org_municipality, template_with_rule
):
    login(client, doctor)
    page = client.get(
        reverse("referrals:new"),
        {"receiving_organisation": org_municipality.pk, "copd_group": "moderate"},
    )
    body = page.content.decode()
    assert '<option value="weight" selected>' in body
    assert 'name="r-0-window_days" id="id_r-0-window_days" value="3"' in body

    response = client.post(reverse("referrals:new"), referral_data(org_municipality))
    assert response.status_code == 302
    referral = Referral.objects.get()
    rules = {r.type.key: r for r in referral.threshold_set.relative_rules.all()}
    assert set(rules) == {"weight", "spo2"}
    assert (rules["spo2"].direction, rules["spo2"].baseline) == ("fall", "median")


@pytest.mark.django_db
def test_a_referral_with_a_bad_rule_is_not_sent_and_keeps_what_was_typed(
    client, doctor, org_municipality, template_with_rule
):
    login(client, doctor)
    response = client.post(
        reverse("referrals:new"), referral_data(org_municipality, **{"r-1-window_days": "400"})
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Grethe"' in body and 'value="400"' in body
    assert "the window must be 1 to 90 days" in body.split('id="r-1-errors"')[1]
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_accepting_gives_the_patient_the_referral_rules(
    client, doctor, nurse, team, org_municipality, template_with_rule
):
    from alarms.referrals import referral_accept

    login(client, doctor)
    client.post(reverse("referrals:new"), referral_data(org_municipality))
    acceptance = referral_accept(referral=Referral.objects.get(), by=nurse, team=team)
    assert acceptance.threshold_set.relative_rules.count() == 2


# The patient's thresholds tab -----------------------------------------------------------------


@pytest.fixture
def first_set(citizen):
    threshold_set = ThresholdSetFactory(patient=citizen, copd=True)
    RelativeRule.objects.filter(threshold_set=threshold_set).delete()
    return threshold_set


def tab_data(**overrides) -> dict[str, str]:
    data = {
        "reason": "Vægtøgning tidligere tegn på forværring",
        "r-count": "2",
        "r-0-type": "weight",
        "r-0-direction": "rise",
        "r-0-amount": "2",
        "r-0-window_days": "3",
        "r-0-baseline": "lowest",
        "r-0-severity": "red",
        "r-1-type": "",
    }
    data.update(overrides)
    return data


def _limits_as_posted(threshold_set: ThresholdSet) -> dict[str, str]:
    """The limit fields of the tab's form as the page fills them in."""
    data = {}
    for row in threshold_set.thresholds.select_related("type"):
        for name in ("red_low", "yellow_low", "yellow_high", "red_high"):
            value = getattr(row, name)
            if value is not None:
                data[f"{row.type.key}-{name}"] = str(value.normalize())
    return data


@pytest.mark.django_db
def test_a_rule_saved_on_the_patient_tab_raises_a_red_alarm_for_a_rise_within_the_window(
    client, citizen, doctor, first_set
):
    weight = measurement_type("weight")
    now = timezone.now()
    measurements_record(
        patient=citizen,
        readings=[Reading(weight, Decimal("80.0"), now - timedelta(days=2))],
        source=Source.DEVICE,
    )
    login(client, doctor)
    page = client.get(reverse("patient:thresholds", args=[citizen.pk]))
    assert 'name="r-0-type"' in page.content.decode()

    response = client.post(
        reverse("patient:thresholds_change", args=[citizen.pk]),
        {**_limits_as_posted(first_set), **tab_data()},
    )
    assert response.status_code == 302
    current = ThresholdSet.objects.filter(patient=citizen).order_by("-version")[0]
    assert current.version == 2
    assert current.relative_rules.get().amount == Decimal("2")
    # The limits were carried over unchanged.
    assert _limits_as_posted(current) == _limits_as_posted(first_set)

    # Measured after the change came into force (the set in force at measured_at judges it).
    now = timezone.now()
    measurements_record(
        patient=citizen,
        readings=[Reading(weight, Decimal("82.1"), now)],
        source=Source.DEVICE,
    )
    result = TriageResult.objects.filter(measurement__value=Decimal("82.1")).get()
    assert result.severity == "red"
    assert result.reasons[0]["code"] == "relative_rise"
    assert result.threshold_set_id == current.pk

    # A rise below the amount is no alarm from the rule.
    measurements_record(
        patient=citizen,
        readings=[Reading(weight, Decimal("81.0"), now + timedelta(minutes=1))],
        source=Source.DEVICE,
    )
    assert not any(
        r["code"] == "relative_rise"
        for r in TriageResult.objects.get(measurement__value=Decimal("81.0")).reasons
    )


@pytest.mark.django_db
def test_a_refused_rule_on_the_patient_tab_keeps_the_typing_and_saves_nothing(
    client, citizen, doctor, first_set
):
    login(client, doctor)
    response = client.post(
        reverse("patient:thresholds_change", args=[citizen.pk]),
        {**_limits_as_posted(first_set), **tab_data(**{"r-0-amount": "0", "spo2-red_low": "80"})},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "weight: the change must be more than 0 kg." in body.split('id="r-0-errors"')[1]
    assert 'name="spo2-red_low" value="80"' in body or 'value="80"' in body
    assert "Vægtøgning tidligere tegn på forværring" in body
    assert ThresholdSet.objects.filter(patient=citizen).count() == 1


@pytest.mark.django_db
def test_removing_the_last_rule_is_a_change_and_leaving_the_editor_out_keeps_the_rules(
    client, citizen, doctor, first_set
):
    RelativeRuleFactory(threshold_set=first_set, type=measurement_type("weight"))
    login(client, doctor)
    url = reverse("patient:thresholds_change", args=[citizen.pk])
    limits = _limits_as_posted(first_set)

    # The same rules as in force: nothing changed, nothing saved.
    same = tab_data(**{"r-0-amount": "2", "r-0-window_days": "3", "r-0-severity": "red"})
    response = client.post(url, {**limits, **same})
    assert response.status_code == 400 and "Nothing was changed." in response.content.decode()

    # A form without the rule editor changes a limit and keeps the rules.
    response = client.post(url, {**limits, "spo2-red_low": "84", "reason": "Lavere"})
    assert response.status_code == 302
    assert ThresholdSet.objects.get(patient=citizen, version=2).relative_rules.count() == 1

    response = client.post(url, {**limits, "spo2-red_low": "84", **tab_data(**{"r-0-remove": "1"})})
    assert response.status_code == 302
    assert not ThresholdSet.objects.get(patient=citizen, version=3).relative_rules.exists()


@pytest.mark.django_db
def test_a_nurse_without_the_permission_sees_the_rules_but_no_editor(
    client, citizen, nurse, first_set
):
    RelativeRuleFactory(threshold_set=first_set, type=measurement_type("weight"))
    login(client, nurse)
    body = client.get(reverse("patient:thresholds", args=[citizen.pk])).content.decode()
    assert "Relative rules" in body and 'name="r-0-type"' not in body
    response = client.post(reverse("patient:thresholds_change", args=[citizen.pk]), tab_data())
    assert response.status_code == 403


@pytest.mark.django_db
def test_choosing_the_group_with_htmx_swaps_in_the_templates_rules(
    client, doctor, org_municipality, template_with_rule, django_assert_max_num_queries
):
    login(client, doctor)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("referrals:new"),
            {"receiving_organisation": org_municipality.pk, "copd_group": "moderate"},
            HTTP_HX_REQUEST="true",
        )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="thresholds"')
    assert '<option value="weight" selected>' in body and 'name="r-count" value="3"' in body
