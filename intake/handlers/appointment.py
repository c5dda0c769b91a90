"""Cases that need an appointment: the link and what to bring come from the routing file."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers import handles
from intake.handlers.base import routed_plan
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.routing import Routing


@handles(
    Intent.CARD_RENEWAL,
    Intent.CARD_LOST,
    Intent.CARD_CHIP_DEFECT,
    Intent.CHILD_CARD,
    Intent.EU_PLUS_CARD,
    Intent.ANNEX35_EXTENSION,
    Intent.CARD_DATA_CHANGE,
    Intent.GUARANTOR,
    Intent.ORANGE_CARD,
    Intent.REFUGEE_RESIDENCE_CARD,
    Intent.ADDITIONAL_DOCUMENTS,
    Intent.UKRAINE_PROTECTION,
    Intent.REGISTRATION,
)
def appointment_case(verdict: Classification, routing: Routing) -> Plan:
    """The appointment link of the case, and the documents to bring, from the routing file."""
    return routed_plan(verdict, routing, "appointment")


@handles(Intent.CARD_COLLECTION)
def card_collection(verdict: Classification, routing: Routing) -> Plan:
    """No appointment at the centres that hand out cards freely; a link for any other.

    When the message names no centre the reply gives both rules and the general link.
    """
    centre = verdict.location
    if centre is None:
        url = routing.centre_appointment_url("default")
        return routed_plan(
            verdict, routing, "collection_any", needs_appointment=True, appointment_url=url
        )
    if not routing.centre_needs_appointment(centre):
        return routed_plan(
            verdict, routing, "collection_free", needs_appointment=False, appointment_url=None
        )
    url = routing.centre_appointment_url(centre)
    return routed_plan(
        verdict, routing, "collection_appointment", needs_appointment=True, appointment_url=url
    )
