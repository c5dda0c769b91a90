"""Questions for the team to triage, and follow-ups on an earlier message."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers import handles
from intake.handlers.base import routed_plan
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.routing import Routing


@handles(Intent.GENERAL_QUESTION)
def general_question(verdict: Classification, routing: Routing) -> Plan:
    """The team answers; the reply points to Infopunt Migratie for the complex rules."""
    return routed_plan(verdict, routing, "question", documents=())


@handles(Intent.STATUS_FOLLOWUP)
def status_followup(verdict: Classification, routing: Routing) -> Plan:
    """Reached only when the earlier ticket could not be found: the team looks it up."""
    return routed_plan(verdict, routing, "followup", documents=())
