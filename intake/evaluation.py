"""Measure the classifier against a labelled folder: accuracy per field and per intent, the
confusion matrix, and every miss with the evidence behind it.

The folder holds ``.eml`` files and ``labels.jsonl`` (one JSON object per message, as in
``../shared/corpus/dev``). ``needs_appointment`` is not decided by the classifier: it
follows from intent and service centre through the routing file, as the handlers do.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from intake.classifiers import classify
from intake.classifiers.verdict import Classification
from intake.errors import IntakeError
from intake.intents import Intent
from intake.parsing import parse_mail
from intake.routing import Routing

FIELDS = ("intent", "send_ack", "language", "needs_appointment", "missing_documents", "location")


class EvaluationError(IntakeError):
    """Raised when a labels folder cannot be read: no folder or labels, a bad line, no .eml."""


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled message: what the label says and what the classifier made of it."""

    file: str
    label: dict[str, object]
    got: Classification
    needs_appointment: bool | None

    def predicted(self, name: str) -> object:
        if name == "intent":
            return self.got.intent.value
        if name == "needs_appointment":
            return self.needs_appointment
        return getattr(self.got, name)

    def correct(self, name: str) -> bool:
        if name == "intent":
            return (
                self.got.intent.value == self.label["intent"]
                or self.got.intent.value in self.also_ok
            )
        return self.predicted(name) == self.label[name]

    @property
    def also_ok(self) -> tuple[str, ...]:
        return tuple(self.label.get("also_ok") or ())  # type: ignore[arg-type]

    def wrong_fields(self) -> list[str]:
        return [name for name in FIELDS if name in self.label and not self.correct(name)]


@dataclass
class Report:
    cases: list[Case]
    accuracy: dict[str, float] = field(default_factory=dict)
    strict_intent_accuracy: float = 0.0
    per_intent: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # intent -> (correct, total)
    confusion: Counter[tuple[str, str]] = field(
        default_factory=Counter
    )  # (expected, predicted) -> n

    @property
    def misses(self) -> list[Case]:
        return [c for c in self.cases if c.wrong_fields()]

    def as_dict(self) -> dict[str, object]:
        return {
            "messages": len(self.cases),
            "accuracy": {k: round(v, 4) for k, v in self.accuracy.items()},
            "strict_intent_accuracy": round(self.strict_intent_accuracy, 4),
            "per_intent": {
                k: {"correct": c, "total": t} for k, (c, t) in sorted(self.per_intent.items())
            },
            "confusion": [
                {"expected": e, "predicted": p, "count": n}
                for (e, p), n in sorted(self.confusion.items())
            ],
            "misses": [
                {
                    "file": c.file,
                    "wrong": {
                        name: {"expected": c.label[name], "got": c.predicted(name)}
                        for name in c.wrong_fields()
                    },
                    "confidence": c.got.confidence,
                    "evidence": [str(e) for e in c.got.evidence],
                }
                for c in self.misses
            ],
        }


def needs_appointment(verdict: Classification, routing: Routing) -> bool | None:
    """What the acknowledgement proposes: None when there is none, else by intent and centre."""
    if not verdict.send_ack:
        return None
    if verdict.intent is Intent.CARD_COLLECTION and verdict.location:
        return routing.centre_needs_appointment(verdict.location)
    return routing.route(verdict.intent).needs_appointment


def read_labels(folder: Path) -> list[dict[str, object]]:
    if not folder.is_dir():
        raise EvaluationError(f"{folder} is not a folder")
    path = folder / "labels.jsonl"
    if not path.is_file():
        raise EvaluationError(f"{folder} has no labels.jsonl")
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            label = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(label, dict) or "file" not in label or "intent" not in label:
            raise EvaluationError(f"{path}:{number}: a label needs at least 'file' and 'intent'")
        labels.append(label)
    return labels


def evaluate(folder: Path, routing: Routing) -> Report:
    cases = []
    for label in read_labels(folder):
        eml = folder / str(label["file"])
        if not eml.is_file():
            raise EvaluationError(f"{eml} is named in labels.jsonl but does not exist")
        got = classify(parse_mail(eml.read_bytes()))
        cases.append(Case(str(label["file"]), label, got, needs_appointment(got, routing)))
    return summarise(cases)


def summarise(cases: list[Case]) -> Report:
    report = Report(cases)
    for name in FIELDS:
        judged = [c for c in cases if name in c.label]
        if judged:
            report.accuracy[name] = sum(c.correct(name) for c in judged) / len(judged)
    if cases:
        report.strict_intent_accuracy = sum(
            c.got.intent.value == c.label["intent"] for c in cases
        ) / len(cases)
    per: dict[str, list[int]] = {}
    for c in cases:
        expected = str(c.label["intent"])
        ok = c.correct("intent")
        stats = per.setdefault(expected, [0, 0])
        stats[0] += ok
        stats[1] += 1
        report.confusion[(expected, expected if ok else c.got.intent.value)] += 1
    report.per_intent = {k: (v[0], v[1]) for k, v in per.items()}
    return report
