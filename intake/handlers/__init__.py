"""Handlers: a registry keyed by intent that turns a classification into a Plan.

Adding a procedure is adding one handler (or one intent to a shared handler), one routing
entry and its reply templates.
"""

from __future__ import annotations

from collections.abc import Callable

from intake.classifiers.verdict import Classification
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.routing import Routing

Handler = Callable[[Classification, Routing], Plan]
HANDLERS: dict[Intent, Handler] = {}


def handles(*intents: Intent) -> Callable[[Handler], Handler]:
    """Register a handler for intents; a second handler for one intent fails at import."""

    def register(func: Handler) -> Handler:
        for intent in intents:
            if intent in HANDLERS:
                raise RuntimeError(
                    f"two handlers for {intent.value}: {HANDLERS[intent].__name__}, {func.__name__}"
                )
            HANDLERS[intent] = func
        return func

    return register


def plan_for(verdict: Classification, routing: Routing) -> Plan:
    return HANDLERS[verdict.intent](verdict, routing)


def missing_handlers() -> list[Intent]:
    return [i for i in Intent if i not in HANDLERS]


# Importing the modules fills the registry.
from intake.handlers import appointment, by_email, non_actionable, triage  # noqa: F401
