"""Automatic mail, bounces and spam: filed, never answered."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers import handles
from intake.handlers.base import routed_plan
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.routing import Routing


@handles(Intent.AUTO_REPLY, Intent.BOUNCE, Intent.SPAM)
def non_actionable(verdict: Classification, routing: Routing) -> Plan:
    return routed_plan(
        verdict,
        routing,
        None,
        needs_appointment=None,
        appointment_url=None,
        documents=(),
    )
