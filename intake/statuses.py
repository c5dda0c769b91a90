"""Ticket statuses and which of them count as open."""

from enum import StrEnum


class TicketStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    WAITING_FOR_DOCUMENTS = "waiting_for_documents"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.OPEN,
        TicketStatus.WAITING_FOR_CITIZEN,
        TicketStatus.WAITING_FOR_DOCUMENTS,
    }
)
# Done with: what the dashboard counts as closed and the retention purge removes.
CLOSED_STATUSES = (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value)
# Statuses that wait on the citizen: their mail moves the ticket back to the team.
WAITING_ON_CITIZEN = frozenset({TicketStatus.WAITING_FOR_CITIZEN, TicketStatus.WAITING_FOR_DOCUMENTS})
