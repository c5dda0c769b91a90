"""The dramatiq entry point: importing it sets up the broker and the actors.

    dramatiq worker            # finds `broker` here
    intake worker              # the poller and the workers together
"""

from __future__ import annotations

import dramatiq

from intake.config import load_settings
from intake.context import Context
from intake.tasks import build_actors, make_broker

settings = load_settings()
broker = make_broker(settings.redis_url)
dramatiq.set_broker(broker)

_context: Context | None = None


def context() -> Context:
    """The Context, built on first use in each worker process (after the fork)."""
    global _context
    if _context is None:
        _context = Context.build(settings)
    return _context


actors = build_actors(broker, context)
