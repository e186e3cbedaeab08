"""A real SMTP server for the e-mail tests (aiosmtpd, in a thread of the test process).

It keeps every message it accepted. ``hold()`` makes it stall each new transaction after
``RCPT TO`` until ``release()``: a sender in that state is mid-delivery (the message is not
accepted yet), which is where the tests kill workers.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Handler:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.waiting = 0  # senders stalled after RCPT TO
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if not self._open.is_set() and not envelope.rcpt_tos:
            with self._lock:
                self.waiting += 1
            await asyncio.get_running_loop().run_in_executor(None, self._open.wait)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.messages.append(
                message_from_bytes(envelope.original_content or b"", policy=policy.default)
            )
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self) -> None:
        self.handler = Handler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._controller.stop()

    @property
    def messages(self) -> list[Message]:
        with self.handler._lock:
            return list(self.handler.messages)

    @property
    def waiting(self) -> int:
        return self.handler.waiting

    def hold(self) -> None:
        self.handler._open.clear()

    def release(self) -> None:
        self.handler._open.set()

    def settings(self) -> dict[str, object]:
        """Django settings that send to this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
