"""Writes for monitoring: messages between a citizen and the monitoring team."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import Message
from patients.models import Patient

MESSAGE_MAX = 2000


class MessageError(ValueError):
    """A message that cannot be sent; ``message`` is translated for the person writing it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def message_send(
    *, patient: Patient, sender: User, body: str, now: datetime | None = None
) -> Message:
    """Add a message to the patient's thread. The citizen's own login writes as the citizen;
    anyone else writes as the team (the caller has checked that they may)."""
    text = (body or "").strip()
    if not text:
        raise MessageError("empty", _("Please write a message before sending."))
    if len(text) > MESSAGE_MAX:
        raise MessageError(
            "too_long",
            _("The message is too long: %(count)s characters, at most %(max)s.")
            % {"count": len(text), "max": MESSAGE_MAX},
        )
    from_citizen = patient.citizen_user_id is not None and patient.citizen_user_id == sender.pk
    profile = getattr(sender, "clinician", None)
    name = sender.get_full_name() or sender.get_username()
    if profile is not None and profile.title:
        name = f"{name}, {profile.title}"
    return Message.objects.create(
        patient=patient,
        sender=sender,
        sender_display=name[:200],
        sender_is_citizen=from_citizen,
        body=text,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def messages_mark_read(
    *,
    patient: Patient,
    reader_is_citizen: bool,
    reader: User | None = None,
    now: datetime | None = None,
) -> int:
    """Mark the other side's unread messages in the thread read. Returns how many."""
    moment = now or timezone.now()
    if reader_is_citizen:
        return Message.objects.filter(
            patient=patient, sender_is_citizen=False, read_by_citizen_at__isnull=True
        ).update(read_by_citizen_at=moment)
    return Message.objects.filter(
        patient=patient, sender_is_citizen=True, read_by_team_at__isnull=True
    ).update(read_by_team_at=moment, read_by_team_user=reader)


@transaction.atomic
def citizen_login_issue(*, patient: Patient, issued_by: User) -> tuple[User, str]:
    """Create the patient's citizen login if missing and give it a new first-login password.

    Returns the user and the password, which is shown once on the printed sheet and never
    stored in clear. The citizen must choose their own password at the first login.
    """
    from django.contrib.auth import get_user_model
    from django.utils.text import slugify

    from telemed.login import first_login_password_issue

    user = patient.citizen_user
    if user is None:
        User = get_user_model()
        base = slugify(patient.first_name).replace("-", "")[:12] or "borger"
        username = f"{base}.{patient.pk:04d}"
        user = User.objects.create_user(
            username=username, first_name=patient.first_name, last_name=patient.last_name
        )
        user.set_unusable_password()
        patient.citizen_user = user
        patient.save(update_fields=["citizen_user"])
    password = first_login_password_issue(user=user, issued_by=issued_by)
    return user, password
