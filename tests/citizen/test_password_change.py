"""The citizen changes her password at /me/password/: current password required, validated,
audited, still logged in afterwards, and every other session of hers ends."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("citizen:password_change")
HOME = reverse("monitoring:citizen_home")
NEW = "Lyngblomst-ved-fjorden-7"


def change(client, old: str = PASSWORD, new1: str = NEW, new2: str | None = None):
    data = {
        "old_password": old,
        "new_password1": new1,
        "new_password2": new1 if new2 is None else new2,
    }
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_page_asks_for_the_current_and_the_new_password(client, citizen):
    login(client, citizen.citizen_user)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for name, autocomplete in [
        ("old_password", "current-password"),
        ("new_password1", "new-password"),
        ("new_password2", "new-password"),
    ]:
        assert f'name="{name}" id="id_{name}" autocomplete="{autocomplete}"' in html
        assert f'<label for="id_{name}">' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_home_page_links_to_it(client, citizen):
    login(client, citizen.citizen_user)
    assert f'href="{URL}"' in client.get(HOME).content.decode()


def test_a_changed_password_keeps_her_logged_in_with_a_message(client, citizen):
    user = citizen.citizen_user
    login(client, user)
    response = change(client)
    assert response.status_code == 302 and response["Location"] == HOME
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    page = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200  # still logged in: the session hash was updated
    assert "Your new password is saved" in page.content.decode()


def test_other_sessions_of_hers_end(client, citizen):
    user = citizen.citizen_user
    other_phone = login(Client(), user)
    assert other_phone.get(HOME).status_code == 200
    login(client, user)
    change(client)
    response = other_phone.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(HOME).status_code == 200


def test_a_wrong_current_password_is_explained_next_to_the_field(client, citizen):
    user = citizen.citizen_user
    login(client, user)
    response = change(client, old="not-my-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="field__error" id="old-error">' in html
    assert "Your old password was entered incorrectly" in html
    assert 'aria-invalid="true" aria-describedby="old-error"' in html
    # Nothing else lost: the new password as typed is still in its fields.
    assert html.count(f'value="{NEW}"') == 2
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_wrong_current_password_message_is_in_danish_too(client, citizen):
    login(client, citizen.citizen_user)
    data = {"old_password": "forkert", "new_password1": NEW, "new_password2": NEW}
    html = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Din gamle adgangskode blev ikke indtastet korrekt" in html


@pytest.mark.parametrize(
    ("new1", "new2", "field"),
    [
        ("kort", "kort", "pw1-error"),  # too short
        ("12345678901", "12345678901", "pw1-error"),  # only digits
        ("password123", "password123", "pw1-error"),  # common
        (NEW, NEW + "x", "pw2-error"),  # the two differ
    ],
)
def test_the_new_password_is_validated(client, citizen, new1, new2, field):
    user = citizen.citizen_user
    login(client, user)
    response = change(client, new1=new1, new2=new2)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="{field}"' in html
    assert f'value="{new1}"' not in html  # a refused new password is typed again
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_change_and_the_look_are_audited(client, citizen):
    login(client, citizen.citizen_user)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.get(URL)
    change(client, old="wrong")
    change(client)
    events = list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk"))
    assert [(e.action, e.what) for e in events] == [
        ("view", "Citizen: change password"),
        ("view", "Citizen: change password"),
        ("update", "Changed own password"),
    ]
    assert all(e.patient_id == citizen.pk for e in events)
    assert all(NEW not in e.path and PASSWORD not in e.path for e in events)


@pytest.mark.parametrize("persona", ["nurse", "doctor", "org_admin"])
def test_only_citizens_use_this_page(client, request, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert change(client).status_code == 403


def test_anonymous_goes_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
