"""Questions for the team to triage, and follow-ups on an earlier message."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers import handles
from intake.handlers.base import routed_plan
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.routing import Routing


@handles(Intent.GENERAL_QUESTION, Intent.STATUS_FOLLOWUP)
def triage(verdict: Classification, routing: Routing) -> Plan:
    return routed_plan(verdict, routing, documents=())
