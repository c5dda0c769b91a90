"""The worker's JSON log lines carry the fields an operator searches by."""

from __future__ import annotations

import json
import logging

from intake.logging_setup import JsonFormatter


def test_the_retention_purge_line_carries_what_was_purged() -> None:
    record = logging.LogRecord("intake.worker", logging.INFO, __file__, 1, "retention purge", None, None)
    record.step, record.purged = "purged", {"tickets": 3, "raw_messages": 5}

    line = json.loads(JsonFormatter().format(record))

    assert line["step"] == "purged"
    assert line["purged"] == {"tickets": 3, "raw_messages": 5}
