"""A real SMTP server on loopback for the email tests (aiosmtpd).

`smtp_server` yields a started `SmtpServer`: it records every message it
accepts, parsed with the standard `email` package, and can be told to refuse
a recipient (554, a permanent refusal) or the next N messages (451, try again
later). `mail_settings(server)` gives the app settings that send to it, with
`MAIL_SUPPRESS_SEND=False`, since Flask-Mail suppresses sending under TESTING.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
SENDER = "Canopy <canopy@localhost>"
TEMPORARY = "451 4.3.0 Mailbox busy, try again later"
PERMANENT = "554 5.7.1 Delivery refused"


def free_port() -> int:
    """Ask the system for a free TCP port on loopback (aiosmtpd refuses port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One accepted message: its envelope recipients and the parsed email."""

    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class Recorder:
    """aiosmtpd handler: keeps accepted messages, refuses what it is told to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._refused_recipients: dict[str, str] = {}
        self._refuse_next = 0
        self._refuse_next_reply = TEMPORARY
        self.delay_seconds = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            reply = self._refused_recipients.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self._lock:
            if self._refuse_next > 0:
                self._refuse_next -= 1
                return self._refuse_next_reply
            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
            self._received.append(Received(tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def refuse_recipient(self, address: str, reply: str = PERMANENT) -> None:
        with self._lock:
            self._refused_recipients[address.lower()] = reply

    def accept_recipient(self, address: str) -> None:
        with self._lock:
            self._refused_recipients.pop(address.lower(), None)

    def refuse_next(self, count: int, reply: str = TEMPORARY) -> None:
        with self._lock:
            self._refuse_next = count
            self._refuse_next_reply = reply

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)


class SmtpServer:
    """A started aiosmtpd Controller on a free loopback port, and its recorder."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.host = HOST
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname=self.host, port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        """Every message accepted so far, in arrival order."""
        return self.recorder.received

    def to(self, address: str) -> list[Received]:
        """Messages accepted for one recipient."""
        return [m for m in self.messages if address in m.recipients]

    def recipients(self) -> list[str]:
        """Every recipient of every accepted message, sorted."""
        return sorted(r for m in self.messages for r in m.recipients)

    def refuse_recipient(self, address: str, reply: str = PERMANENT) -> None:
        """Refuse every message to this address until `accept_recipient`."""
        self.recorder.refuse_recipient(address, reply)

    def accept_recipient(self, address: str) -> None:
        self.recorder.accept_recipient(address)

    def refuse_next(self, count: int, reply: str = TEMPORARY) -> None:
        """Refuse the next `count` messages at DATA, then accept again."""
        self.recorder.refuse_next(count, reply)


def mail_settings(server: SmtpServer) -> dict:
    """App settings that send real email to this server."""
    return {
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": SENDER,
    }


@pytest.fixture
def smtp_server():
    """A started SmtpServer on 127.0.0.1, stopped after the test."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
