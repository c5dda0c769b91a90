"""The `intake` command line: one module per command, registered on one Typer app."""

from __future__ import annotations

import sys

# Each module adds its commands to `app` when imported.
from intake.cli import (  # noqa: F401
    demo_cmd,
    evaluate_cmd,
    ingest_cmd,
    inspect_cmd,
    status_cmd,
    tickets_cmd,
    users_cmd,
    web_cmd,
    worker_cmd,
)
from intake.cli.app import run_app


def main() -> None:
    sys.exit(run_app())
