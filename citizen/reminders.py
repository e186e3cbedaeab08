"""The due banner on the citizen's "Today" and the form where she chooses her reminders.

The banner is the ``web`` channel of the notification layer (notifications/): it is built from
the same rows "Today" lists, so it is always there when an occasion is due, whatever channel the
citizen chose for e-mail and SMS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import Questionnaire
from notifications.channels import channel_for
from notifications.models import Channel
from notifications.timing import deadline_of
from patients.models import Patient


class _TodaySchedule(Protocol):
    pk: int
    grace_minutes: int
    questionnaire: Questionnaire
    status: str
    due_times: list[datetime]
    has_draft: bool


@dataclass(frozen=True)
class DueBanner:
    schedule_id: int
    questionnaire: Questionnaire
    deadline: datetime
    overdue: bool
    has_draft: bool


def due_banners(rows: Iterable[_TodaySchedule], now: datetime) -> list[DueBanner]:
    """One banner per schedule with an occasion due now and not answered (the rows' status
    says whether it was answered today), the most urgent first."""
    banners = []
    for row in rows:
        if row.status not in ("due", "overdue"):
            continue
        started = [due for due in row.due_times if due <= now]
        if not started:
            continue  # due later today: the card says when, no banner yet
        deadline = deadline_of(max(started), timedelta(minutes=row.grace_minutes))
        banners.append(
            DueBanner(
                schedule_id=row.pk,
                questionnaire=row.questionnaire,
                deadline=deadline,
                overdue=now >= deadline,
                has_draft=row.has_draft,
            )
        )
    return sorted(banners, key=lambda banner: banner.deadline)


class ReminderChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Remind me"),
        choices=[
            (Channel.EMAIL, _("By e-mail")),
            (Channel.SMS, _("By text message (SMS)")),
            (Channel.WEB, _("Only on this page (no e-mail or text message)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you want to be reminded.")},
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_channel(self) -> str:
        channel: str = self.cleaned_data["channel"]
        if channel == Channel.EMAIL and not channel_for(Channel.EMAIL).address_of(self.patient):
            raise forms.ValidationError(
                _(
                    "We have no e-mail address for you. Ask your nurses to add it, or choose "
                    "another way."
                )
            )
        if channel == Channel.SMS and not channel_for(Channel.SMS).address_of(self.patient):
            raise forms.ValidationError(
                _(
                    "We have no mobile number for you. Ask your nurses to add it, or choose "
                    "another way."
                )
            )
        return channel
