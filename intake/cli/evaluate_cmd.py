"""`intake evaluate LABELS_DIR`: how well the classifier does on a labelled folder of messages."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from intake.cli.app import app, fail
from intake.config import load_settings
from intake.evaluation import FIELDS, EvaluationError, Report
from intake.evaluation import evaluate as run_evaluation
from intake.routing import load_routing

LabelsDirArg = typer.Argument(..., help="A folder with .eml files and labels.jsonl.")
JsonOption = typer.Option(False, "--json", help="One JSON object with every figure.")


@app.command()
def evaluate(labels_dir: Path = LabelsDirArg, json_output: bool = JsonOption) -> None:
    """Accuracy per field and per intent, the confusion matrix, and every miss with its evidence."""
    if not labels_dir.is_dir():
        raise fail(f"{labels_dir} is not a folder")
    if not (labels_dir / "labels.jsonl").is_file():
        raise fail(f"{labels_dir} has no labels.jsonl")
    routing = load_routing(load_settings().routing_file)
    try:
        report = run_evaluation(labels_dir, routing)
    except EvaluationError as exc:
        raise fail(str(exc)) from None
    if json_output:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    console = Console()
    console = Console(width=max(console.width, 150))  # the confusion matrix needs the room
    _fields(console, report)
    _per_intent(console, report)
    _confusion(console, report)
    _misses(console, report)


def _fields(console: Console, report: Report) -> None:
    table = Table(title=f"Accuracy per field ({len(report.cases)} messages)")
    table.add_column("field")
    table.add_column("accuracy", justify="right")
    for name in FIELDS:
        if name in report.accuracy:
            table.add_row(name, f"{report.accuracy[name]:.3f}")
    table.add_row("intent (strict, also_ok not counted)", f"{report.strict_intent_accuracy:.3f}")
    console.print(table)


def _per_intent(console: Console, report: Report) -> None:
    table = Table(title="Accuracy per intent")
    for name in ("intent", "correct", "total", "accuracy"):
        table.add_column(name, justify="left" if name == "intent" else "right")
    for intent, (correct, total) in sorted(report.per_intent.items()):
        table.add_row(intent, str(correct), str(total), f"{correct / total:.2f}")
    console.print(table)


def _confusion(console: Console, report: Report) -> None:
    names = sorted({e for e, _ in report.confusion} | {p for _, p in report.confusion})
    table = Table(
        title="Confusion matrix (rows: label, columns: predicted, by number)",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column(" label")
    for i, _ in enumerate(names, 1):
        table.add_column(f"{i:>3}", justify="right", no_wrap=True)
    for i, expected in enumerate(names, 1):
        cells = [str(report.confusion.get((expected, p), "") or ".") for p in names]
        table.add_row(str(i), f" {expected}", *cells)
    console.print(table)


def _misses(console: Console, report: Report) -> None:
    misses = report.misses
    if not misses:
        console.print("No misses.")
        return
    table = Table(title=f"Misses ({len(misses)})", show_lines=True)
    table.add_column("file")
    table.add_column("wrong")
    table.add_column("conf.", justify="right")
    table.add_column("evidence")
    for case in misses:
        wrong = "\n".join(
            f"{n}: {case.label[n]!r} -> {case.predicted(n)!r}" for n in case.wrong_fields()
        )
        evidence = "\n".join(str(e) for e in case.got.evidence) or "-"
        table.add_row(case.file, wrong, f"{case.got.confidence:.2f}", evidence)
    console.print(table)
