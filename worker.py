"""The dramatiq entry point: importing it sets up the broker and the actors.

    dramatiq worker -p 2 -t 4 worker   # dramatiq's own CLI finds `broker` here
    intake worker                      # the poller, the sweeper and the workers together

Settings come from the INTAKE_* environment, as for every command. The Context (database,
routing, templates) is built on first use in each worker process.
"""

from __future__ import annotations

import dramatiq

from intake.config import load_settings
from intake.metrics import Metrics
from intake.runner import Runtime

settings = load_settings()
runtime = Runtime(settings, Metrics.disabled())
broker = runtime.broker
dramatiq.set_broker(broker)
actors = runtime.actors
context = runtime.context
