"""`intake parse` and `intake classify`: what Intake makes of messages, touching no database."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from intake.classifiers import classify as classify_mail
from intake.cli.app import app
from intake.config import load_settings
from intake.handlers import plan_for
from intake.parsing import parse_mail
from intake.reports import classification_as_dict, parsed_as_dict
from intake.routing import load_routing
from intake.sources import check_paths, iter_sources

PathsArg = typer.Argument(..., help="Message files, folders of them, Maildirs or mbox files.")


@app.command()
def parse(
    paths: list[Path] = PathsArg,
    json_output: bool = typer.Option(False, "--json", help="One JSON object per message per line."),
) -> None:
    """Show what Intake reads from each message: sender, subject, text, attachments, defects."""
    check_paths(paths)
    settings = load_settings()
    console = Console()
    for source in iter_sources(paths):
        data = parsed_as_dict(parse_mail(source.raw, max_bytes=settings.max_message_bytes), source.origin)
        if json_output:
            print(json.dumps(data, ensure_ascii=False))
            continue
        table = Table(title=source.origin, show_header=False)
        for key in ("from", "to", "subject", "date", "message_id", "in_reply_to"):
            table.add_row(key, str(data[key] or ""))
        table.add_row("attachments", ", ".join(f"{a['filename']} ({a['content_type']}, {a['size']} B)" for a in data["attachments"]))  # type: ignore[union-attr]
        table.add_row("defects", "; ".join(data["defects"]))  # type: ignore[arg-type]
        table.add_row("text", str(data["text"])[:600])
        console.print(table)


@app.command()
def classify(
    paths: list[Path] = PathsArg,
    json_output: bool = typer.Option(False, "--json", help="One JSON object per message per line."),
) -> None:
    """Show the intent, language and reply decision for each message, with the evidence."""
    check_paths(paths)
    settings = load_settings()
    routing = load_routing(settings.routing_file)
    console = Console()
    table = Table("file", "intent", "conf.", "lang", "ack", "appointment", "evidence")
    for source in iter_sources(paths):
        verdict = classify_mail(parse_mail(source.raw, max_bytes=settings.max_message_bytes))
        data = classification_as_dict(verdict, plan_for(verdict, routing), source.origin)
        if json_output:
            print(json.dumps(data, ensure_ascii=False))
        else:
            table.add_row(
                source.origin, str(data["intent"]), f"{data['confidence']:.2f}", str(data["language"]),
                "yes" if data["send_ack"] else "no", str(data["appointment_url"] or "-"),
                "; ".join(data["evidence"])[:80],  # type: ignore[arg-type]
            )
    if not json_output:
        console.print(table)
