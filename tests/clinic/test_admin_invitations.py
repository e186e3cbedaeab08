"""Inviting a clinician: the admin never sees a password; the link works once, then not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from telemed.invitations import invitation_days, invitation_path, invitation_tokens
from telemed.models import AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kol-sygeplejerske-2026"


def _invite(client, team, **extra):
    data = {
        "username": "gitte",
        "first_name": "Gitte",
        "last_name": "Vest",
        "email": "gitte.vest@testrup.dk",
        "role": "nurse",
        "title": "",
        "language": "da",
        "teams": [team.pk],
    }
    data.update(extra)
    return client.post(reverse("patients:users"), data)


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/welcome/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_inviting_a_nurse_sends_a_link_and_shows_no_password(client, org_admin, team):
    login(client, org_admin)
    response = _invite(client, team)
    assert response.status_code == 302
    user = User.objects.get(username="gitte")
    assert not user.has_usable_password()
    assert user.clinician.organisation == org_admin.clinician.organisation
    assert list(user.groups.values_list("team__pk", flat=True)) == [team.pk]
    page = client.get(response["Location"]).content.decode()
    assert "gitte.vest@testrup.dk" in page
    # Nothing like a password is shown: the old page had one in a <dd class="mono">.
    assert '<dd class="mono">' not in page and response.content == b""
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gitte.vest@testrup.dk"]
    assert "gitte" in message.body and "/welcome/" in message.body
    whats = list(AuditEvent.objects.values_list("what", flat=True))
    assert "Admin: user created" in whats and "Admin: invitation sent" in whats


def test_the_invitation_is_in_the_clinicians_email_language(client, org_admin, team, monkeypatch):
    from django.utils import translation

    languages: list[str] = []
    real_override = translation.override

    def recording_override(language, *args, **kwargs):
        languages.append(language)
        return real_override(language, *args, **kwargs)

    monkeypatch.setattr("telemed.invitations.translation.override", recording_override)
    login(client, org_admin)
    _invite(client, team, language="en")
    assert mail.outbox[0].subject == "Your Telemed account is ready"
    _invite(client, team, username="hanne", email="hanne@testrup.dk", language="da")
    assert languages == ["en", "da"]


def test_the_link_sets_the_password_signs_in_and_then_stops_working(client, org_admin, team):
    login(client, org_admin)
    _invite(client, team)
    link = _link(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "gitte" in page.content.decode()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    # Signed in, and the start page of a nurse is the triage list.
    assert client.get(reverse("home"))["Location"] == reverse("alarms:nurse_home")
    user = User.objects.get(username="gitte")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        user=user, what="Chose own password from the invitation"
    ).exists()
    client.logout()
    again = client.get(link)
    assert again.status_code == 400
    assert "ikke længere" in again.content.decode() or "no longer" in again.content.decode()
    assert (
        client.post(
            link, {"new_password1": "Other-pass-2026x", "new_password2": "Other-pass-2026x"}
        ).status_code
        == 400
    )
    assert User.objects.get(username="gitte").check_password(NEW_PASSWORD)


def test_a_weak_password_is_refused_with_a_message_at_the_field(client, org_admin, team):
    login(client, org_admin)
    _invite(client, team)
    link = _link(mail.outbox[0])
    client.logout()
    response = client.post(
        link, {"new_password1": "12345678", "new_password2": "12345678"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="pw1-error"' in body and "entirely numeric" in body
    mismatch = client.post(
        link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert mismatch.status_code == 400
    assert not User.objects.get(username="gitte").has_usable_password()


def test_an_expired_or_forged_link_shows_a_calm_page(client, org_admin, team):
    login(client, org_admin)
    _invite(client, team)
    link = _link(mail.outbox[0])
    client.logout()
    user = User.objects.get(username="gitte")
    later = invitation_tokens._now() + timedelta(days=invitation_days(), hours=1)
    original_now = invitation_tokens._now
    invitation_tokens._now = lambda: later  # type: ignore[method-assign]
    try:
        assert not invitation_tokens.check_token(user, link.rstrip("/").split("/")[-1])
        expired = client.get(link)
    finally:
        invitation_tokens._now = original_now  # type: ignore[method-assign]
    assert expired.status_code == 400
    assert (
        "administrator"
        in client.get(link[:-5] + "xxxx/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert client.get("/welcome/zzz/abc-def/").status_code == 400
    with override_settings(INVITATION_DAYS=30):
        invitation_tokens._now = lambda: later  # type: ignore[method-assign]
        try:
            assert client.get(link).status_code == 200
        finally:
            invitation_tokens._now = original_now  # type: ignore[method-assign]


def test_a_deactivated_clinicians_link_stops_working(client, org_admin, team):
    login(client, org_admin)
    _invite(client, team)
    link = _link(mail.outbox[0])
    user = User.objects.get(username="gitte")
    client.post(reverse("patients:user_active", args=[user.pk]), {"active": "0"})
    client.logout()
    assert client.get(link).status_code == 400


def test_send_the_invitation_again(client, org_admin, team, nurse):
    login(client, org_admin)
    _invite(client, team)
    user = User.objects.get(username="gitte")
    response = client.post(reverse("patients:user_invite", args=[user.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["gitte.vest@testrup.dk"]
    page = client.get(reverse("patients:user_edit", args=[user.pk])).content.decode()
    assert reverse("patients:user_invite", args=[user.pk]) in page
    # A nurse who already has her password gets no invitation.
    client.post(reverse("patients:user_invite", args=[nurse.pk]))
    assert len(mail.outbox) == 2
    assert (
        reverse("patients:user_invite", args=[nurse.pk])
        not in client.get(reverse("patients:user_edit", args=[nurse.pk])).content.decode()
    )


def test_a_mail_server_that_refuses_is_a_message_not_a_500(client, org_admin, team, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("telemed.invitations.send_mail", refuse)
    login(client, org_admin)
    client.cookies["django_language"] = "en"  # the message is written in the admin's language
    response = _invite(client, team)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "could not be sent" in page
    assert User.objects.filter(username="gitte").exists()


def test_email_is_required_and_a_duplicate_username_saves_nothing(client, org_admin, team, nurse):
    login(client, org_admin)
    response = _invite(client, team, email="")
    assert response.status_code == 400
    assert not User.objects.filter(username="gitte").exists()
    duplicate = _invite(client, team, username="NURSE", email="x@testrup.dk")
    assert duplicate.status_code == 400
    assert "Brugernavnet er optaget" in duplicate.content.decode()
    assert User.objects.filter(username__iexact="nurse").count() == 1
    assert mail.outbox == []


def test_other_admins_users_and_other_roles_are_refused(client, org_admin, nurse, outsider, team):
    login(client, org_admin)
    assert client.post(reverse("patients:user_invite", args=[outsider.pk])).status_code == 404
    client.logout()
    login(client, nurse)
    assert client.post(reverse("patients:user_invite", args=[nurse.pk])).status_code == 403


def test_a_password_reset_token_is_not_an_invitation(org_admin, team, client):
    from django.contrib.auth.tokens import default_token_generator

    login(client, org_admin)
    _invite(client, team)
    user = User.objects.get(username="gitte")
    path = invitation_path(user)
    reset = path.rsplit("/", 2)[0] + "/" + default_token_generator.make_token(user) + "/"
    client.logout()
    assert client.get(reset).status_code == 400
