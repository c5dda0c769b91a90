"""`intake worker`: the mailbox poller, the dramatiq workers and the sweeper, until SIGTERM."""

from __future__ import annotations

import typer

from intake.cli.app import app, fail
from intake.config import load_settings
from intake.logging_setup import configure_logging


@app.command()
def worker(
    poller: bool = typer.Option(True, "--poller/--no-poller", help="Poll the mailbox (when this process holds its lease)."),
    workers: bool = typer.Option(True, "--workers/--no-workers", help="Run dramatiq workers that process and send."),
    processes: int = typer.Option(None, "--processes", "-p", help="Worker processes (default INTAKE_WORKER_PROCESSES; 0: threads in this process)."),
    threads: int = typer.Option(None, "--threads", "-t", help="Threads per worker process (default INTAKE_WORKER_THREADS)."),
) -> None:
    """Watch the mailbox and carry every message to its ticket and reply; stop with SIGTERM.

    Several hosts may run this against one Redis and one PostgreSQL: one of them polls the
    mailbox at a time (a lease in Redis), all of them process. Without INTAKE_REDIS_URL it all
    runs in this one process.
    """
    from intake.runner import WorkerPlan, run_worker

    settings = load_settings()
    if not poller and not workers:
        raise fail("nothing to run: --no-poller and --no-workers together")
    plan = WorkerPlan(
        poller=poller,
        workers=workers,
        processes=settings.worker_processes if processes is None else processes,
        threads=settings.worker_threads if threads is None else threads,
    )
    if plan.processes < 0 or plan.threads < 1:
        raise fail("--processes must be 0 or more and --threads 1 or more")
    configure_logging(settings, process_name="intake-worker")
    raise typer.Exit(run_worker(settings, plan))
