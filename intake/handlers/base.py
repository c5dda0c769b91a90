"""The plan every handler starts from: the intent's route in the routing file."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers.plan import Plan
from intake.routing import Routing
from intake.statuses import TicketStatus


def routed_plan(verdict: Classification, routing: Routing, **changes: object) -> Plan:
    route = routing.route(verdict.intent)
    fields: dict[str, object] = dict(
        intent=verdict.intent,
        queue=route.queue,
        status=route.status,
        send_ack=True,
        needs_appointment=route.needs_appointment,
        appointment_url=route.appointment_url if route.needs_appointment else None,
        documents=route.documents,
        missing_documents=False,
        location=verdict.location,
        template="ack",
    )
    fields.update(changes)
    return Plan(**fields)  # type: ignore[arg-type]


__all__ = ["routed_plan", "TicketStatus"]
