"""What a handler decides for one message: queue, status, reply, appointment link, documents."""

from __future__ import annotations

from dataclasses import dataclass

from intake.intents import Intent
from intake.statuses import TicketStatus


@dataclass(frozen=True, slots=True)
class Plan:
    intent: Intent
    queue: str
    status: TicketStatus
    send_ack: bool
    # None for automatic mail, which gets no reply at all.
    needs_appointment: bool | None
    appointment_url: str | None
    documents: tuple[str, ...]
    missing_documents: bool
    location: str | None
    # The reply template (templates/replies/<language>/<template>.txt.j2), None for no reply.
    template: str | None
