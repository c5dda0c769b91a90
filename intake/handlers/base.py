"""The plan every handler starts from: the intent's route in the routing file."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers.plan import REPLY_SECTIONS, Plan
from intake.routing import Routing


def routed_plan(
    verdict: Classification, routing: Routing, section: str | None, **changes: object
) -> Plan:
    """The intent's route as a plan acknowledged with `section`, with a handler's changes on top."""
    if section is not None and section not in REPLY_SECTIONS:
        raise ValueError(f"unknown reply section {section!r}")
    route = routing.route(verdict.intent)
    fields: dict[str, object] = {
        "intent": verdict.intent,
        "queue": route.queue,
        "status": route.status,
        "send_ack": section is not None,
        "needs_appointment": route.needs_appointment,
        "appointment_url": route.appointment_url if route.needs_appointment else None,
        "documents": route.documents,
        "missing_documents": False,
        "location": verdict.location,
        "template": "ack" if section is not None else None,
        "reply_section": section,
    }
    fields.update(changes)
    return Plan(**fields)  # type: ignore[arg-type]
