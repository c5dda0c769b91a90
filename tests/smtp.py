"""A real SMTP server for tests (aiosmtpd on loopback, port chosen by the OS)."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


class _AnyPortController(Controller):
    """Controller bound to port 0: reads the port the OS chose before its readiness probe."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _Handler:
    def __init__(self, server: RecordingSMTPServer) -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope):
        if self.server.refuse_with:
            return self.server.refuse_with
        with self.server.lock:
            self.server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class RecordingSMTPServer:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.refuse_with: str | None = None
        self.controller = _AnyPortController(_Handler(self), hostname="127.0.0.1", port=0)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    def settings(self) -> dict[str, object]:
        """Settings overrides that point Intake at this server."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none"}
