"""Cases the team handles by e-mail: F+ card, K/L card, a refugee's data update."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers import handles
from intake.handlers.base import routed_plan
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.routing import Routing
from intake.statuses import TicketStatus


@handles(Intent.FPLUS_CARD, Intent.KL_CARD_SWITCH)
def card_switch_by_email(verdict: Classification, routing: Routing) -> Plan:
    """No appointment: the team handles it by e-mail."""
    return routed_plan(verdict, routing, "by_email", documents=())


@handles(Intent.REFUGEE_DATA_UPDATE)
def refugee_data_update(verdict: Classification, routing: Routing) -> Plan:
    """Without the CGRS documents the ticket waits for them and the reply asks for them."""
    if verdict.missing_documents:
        return routed_plan(
            verdict,
            routing,
            "documents_missing",
            status=TicketStatus.WAITING_FOR_DOCUMENTS,
            missing_documents=True,
        )
    return routed_plan(verdict, routing, "documents_received", documents=())
