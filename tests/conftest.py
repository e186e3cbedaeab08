"""Shared fixtures. The database is a real PostgreSQL (embedded when DATABASE_URL is unset).

Personas (STYLE.md, "Tests"): every view test checks who may see it and who may not.

* ``nurse`` — monitoring nurse on ``team`` (which monitors ``citizen``);
* ``other_nurse`` — nurse on ``other_team`` in the same municipality;
* ``doctor`` — GP with treatment responsibility for ``citizen`` (the referring doctor);
* ``citizen`` — the Patient, active, with a citizen login (``citizen.citizen_user``);
* ``outsider`` — a nurse in another municipality, no team, no patients;
* ``org_admin`` — organisation admin of ``org_municipality``.

Clinician fixtures are users. Everybody's password is ``PASSWORD`` ("demo-password-1");
``login(client, user)`` logs in with it for real (``client.login``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import (
    PASSWORD,
    DoctorFactory,
    NurseFactory,
    OrgAdminFactory,
    OrganisationFactory,
    PatientFactory,
    TeamFactory,
)


def login(client: Any, user: Any) -> Any:
    assert client.login(username=user.username, password=PASSWORD), user.username
    return client


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def org_municipality(db):
    return OrganisationFactory(
        name="Testrup Kommune", kind="municipality", sor_code="900000000000001"
    )


@pytest.fixture
def gp_clinic(db):
    return OrganisationFactory(
        name="Lægerne i Testrup", kind="gp_clinic", sor_code="900000000000002"
    )


@pytest.fixture
def team(org_municipality):
    return TeamFactory(organisation=org_municipality, name="KOL-team Nord")


@pytest.fixture
def other_team(org_municipality):
    return TeamFactory(organisation=org_municipality, name="KOL-team Syd")


@pytest.fixture
def nurse(org_municipality, team):
    return NurseFactory(
        organisation=org_municipality,
        teams=[team],
        user__username="nurse",
        user__first_name="Anne",
        user__last_name="Nord",
    ).user


@pytest.fixture
def colleague(org_municipality, team):
    """A second nurse of the nurse's team (Bente Syd)."""
    return NurseFactory(
        organisation=org_municipality,
        teams=[team],
        user__username="bente",
        user__first_name="Bente",
        user__last_name="Syd",
    ).user


@pytest.fixture
def other_nurse(org_municipality, other_team):
    return NurseFactory(
        organisation=org_municipality,
        teams=[other_team],
        user__username="other_nurse",
        user__first_name="Birthe",
        user__last_name="Syd",
    ).user


@pytest.fixture
def doctor(gp_clinic):
    return DoctorFactory(
        organisation=gp_clinic,
        user__username="doctor",
        user__first_name="Carl",
        user__last_name="Læge",
    ).user


@pytest.fixture
def citizen(team, doctor):
    """The Patient; log in as ``citizen.citizen_user``."""
    return PatientFactory(
        with_login=True,
        citizen_user__username="citizen",
        first_name="Dorte",
        last_name="Borger",
        monitoring_team=team,
        treating_doctor=doctor,
    )


@pytest.fixture
def citizen_user(citizen):
    return citizen.citizen_user


@pytest.fixture
def outsider(db):
    elsewhere = OrganisationFactory(
        name="Andeby Kommune", kind="municipality", sor_code="900000000000003"
    )
    return NurseFactory(
        organisation=elsewhere,
        user__username="outsider",
        user__first_name="Erik",
        user__last_name="Udenfor",
    ).user


@pytest.fixture
def org_admin(org_municipality):
    return OrgAdminFactory(
        organisation=org_municipality,
        user__username="org_admin",
        user__first_name="Frida",
        user__last_name="Admin",
    ).user
