"""`intake ingest`: files, folders, Maildirs and mbox files, through the whole journey."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from intake.cli.app import app
from intake.context import Context
from intake.ingest import IngestSummary, ingest
from intake.sources import check_paths, count_sources, iter_sources


@app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Message files, folders of them, Maildirs or mbox files."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as one JSON object on the last line."),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: on a terminal)."),
) -> None:
    """Store every message, open or thread its ticket, and write its reply."""
    check_paths(paths)
    ctx = Context.build()
    summary = run_ingest(ctx, paths, show_progress=sys.stderr.isatty() if progress is None else progress)
    print_summary(summary, json_output)


def run_ingest(ctx: Context, paths: list[Path], *, show_progress: bool) -> IngestSummary:
    if not show_progress:
        return ingest(ctx, iter_sources(paths))
    total = count_sources(paths)
    columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingest", total=total)
        return ingest(ctx, iter_sources(paths), on_message=lambda _s, _o: bar.advance(task))


def print_summary(summary: IngestSummary, json_output: bool) -> None:
    data = summary.as_dict()
    table = Table("outcome", "messages", title="Ingest summary")
    for key, value in data.items():
        table.add_row(key.replace("_", " "), str(value))
    Console(stderr=json_output).print(table)
    if json_output:
        print(json.dumps(data))
