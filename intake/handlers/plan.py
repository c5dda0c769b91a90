"""What a handler decides for one message: queue, status, reply, appointment link, documents."""

from __future__ import annotations

from dataclasses import dataclass

from intake.intents import Intent
from intake.statuses import TicketStatus

# What the acknowledgement says about the case; each reply template words every one of them.
REPLY_SECTIONS = (
    "by_email",  # handled by e-mail, no appointment (F+, K/L card)
    "documents_missing",  # refugee data update without the CGRS documents: send them
    "documents_received",  # refugee data update with its documents
    "appointment",  # the appointment link for the case and what to bring
    "collection_free",  # collect a card without appointment at the named centre
    "collection_appointment",  # collect a card with an appointment at the named centre
    "collection_any",  # collect a card, centre unknown: both rules
    "followup",  # about an earlier message that could not be linked
    "question",  # anything else: the team answers, Infopunt Migratie helps
)


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
    # The reply kind for a new ticket (templates/replies/<language>/<template>.txt.j2); None: no reply.
    template: str | None
    # Which of REPLY_SECTIONS the reply carries for this case; None when there is no reply.
    reply_section: str | None = None
