"""How a message reaches a citizen: the channel interface and its three channels.

* ``email``: Django mail (``django.core.mail``), the project's EMAIL_* settings.
* ``sms``: an SMS gateway (``SmsGateway``) chosen by ``SMS_BACKEND``: ``console`` writes the
  text message to standard output (development), ``http`` posts it as JSON to a provider
  (``HttpSmsGateway``; SMS_HTTP_URL, SMS_HTTP_TOKEN, SMS_SENDER, SMS_HTTP_TIMEOUT).
* ``web``: the due banner on the citizen's own page. Shown from the schedule whenever an
  occasion is due, whatever the citizen chose, so it has nothing to send.

A channel raises ``DeliveryError`` with a message an operator can act on; the caller records it.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from typing import Protocol, TextIO

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from notifications.models import Channel
from patients.models import Patient

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message was not delivered; the text says why (stored on the reminder)."""


@dataclass(frozen=True)
class Message:
    """One message in the reader's language: a subject and body for e-mail, a short text for
    SMS (one text message, 160 characters, where it fits)."""

    subject: str
    body: str
    short: str


class NotificationChannel(Protocol):
    name: str

    def address_of(self, patient: Patient) -> str:
        """Where this channel reaches the patient, "" when it cannot."""
        ...

    def send(self, address: str, message: Message) -> None:
        """Deliver or raise DeliveryError."""
        ...


class EmailChannel:
    name: str = Channel.EMAIL

    def address_of(self, patient: Patient) -> str:
        return patient.email.strip()

    def send(self, address: str, message: Message) -> None:
        try:
            send_mail(message.subject, message.body, None, [address])
        except Exception as error:  # the mail server refused or timed out
            raise DeliveryError(str(error) or type(error).__name__) from error


def sms_number(phone: str) -> str:
    """ "+45 20 30 40 50", "20304050", "0045 2030 4050" -> "+4520304050" (E.164); "" when it
    is not a phone number. Eight digits are a Danish number."""
    digits = re.sub(r"[\s\-().]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):
        digits = "+45" + digits
    return digits if re.fullmatch(r"\+\d{8,15}", digits) else ""


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str) -> None:
        """Hand one text message to the gateway or raise DeliveryError."""
        ...


class ConsoleSmsGateway:
    """Development: the text message is written to standard output (the worker's log)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, *, to: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS from {settings.SMS_SENDER} to {to}:\n{text}\n{'-' * 40}\n")
        stream.flush()
        logger.info("SMS to %s written to the console", to)


class HttpSmsGateway:
    """A generic JSON-over-HTTPS SMS provider: ``POST SMS_HTTP_URL`` with
    ``{"to": "+4520304050", "from": SMS_SENDER, "text": "…"}`` and
    ``Authorization: Bearer SMS_HTTP_TOKEN``; any 2xx answer is accepted."""

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.sender = sender if sender is not None else settings.SMS_SENDER
        self.timeout = timeout if timeout is not None else settings.SMS_HTTP_TIMEOUT

    def send(self, *, to: str, text: str) -> None:
        if not self.url:
            raise DeliveryError("SMS_HTTP_URL is not set.")
        try:
            response = requests.post(
                self.url,
                json={"to": to, "from": self.sender, "text": text},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise DeliveryError(f"SMS gateway not reached: {error}") from error
        if not 200 <= response.status_code < 300:
            raise DeliveryError(
                f"SMS gateway answered HTTP {response.status_code}: {response.text[:200]}"
            )


def sms_gateway() -> SmsGateway:
    """The gateway SMS_BACKEND names (checked at start, see notifications/checks.py)."""
    if settings.SMS_BACKEND == "http":
        return HttpSmsGateway()
    return ConsoleSmsGateway()


class SmsChannel:
    name: str = Channel.SMS

    def __init__(self, gateway: SmsGateway | None = None) -> None:
        self.gateway = gateway

    def address_of(self, patient: Patient) -> str:
        return sms_number(patient.phone)

    def send(self, address: str, message: Message) -> None:
        (self.gateway or sms_gateway()).send(to=address, text=message.short)


class WebChannel:
    """The due banner on the citizen's page: computed when she opens it, nothing to send."""

    name: str = Channel.WEB

    def address_of(self, patient: Patient) -> str:
        return _("own page")

    def send(self, address: str, message: Message) -> None:
        return None


def channel_for(name: str) -> NotificationChannel:
    channels: dict[str, NotificationChannel] = {
        Channel.EMAIL: EmailChannel(),
        Channel.SMS: SmsChannel(),
        Channel.WEB: WebChannel(),
    }
    return channels[name]
