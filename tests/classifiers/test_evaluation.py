"""`intake evaluate`: accuracy per field and intent, confusion matrix and misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake import PROJECT_ROOT
from intake.cli.app import run_app
from intake.evaluation import EvaluationError, evaluate
from intake.routing import load_routing
from tests.classifiers.examples import all_examples

ROUTING = load_routing(PROJECT_ROOT / "config" / "routing.toml")


def labelled_folder(tmp_path: Path, wrong: str | None = None) -> Path:
    """Example mails as .eml files with a labels.jsonl, one label wrong on purpose if asked."""
    picked = [ex for ex in all_examples() if ex.id in ("fp01", "ls02", "cc02", "oo02", "rd01")]
    with (tmp_path / "labels.jsonl").open("w") as labels:
        for ex in picked:
            (tmp_path / f"{ex.id}.eml").write_bytes(ex.raw())
            intent = "registration" if ex.id == wrong else ex.intent
            label = {
                "file": f"{ex.id}.eml",
                "intent": intent,
                "also_ok": [],
                "language": ex.language,
                "send_ack": intent not in ("auto_reply", "bounce", "spam"),
                "needs_appointment": None
                if intent == "auto_reply"
                else intent in ("card_lost", "registration"),
                "missing_documents": bool(ex.missing),
                "location": ex.location,
            }
            labels.write(json.dumps(label) + "\n")
    return tmp_path


def test_a_fully_right_folder_scores_one_on_every_field(tmp_path: Path) -> None:
    report = evaluate(labelled_folder(tmp_path), ROUTING)
    assert report.accuracy["intent"] == 1.0
    assert report.accuracy["needs_appointment"] == 1.0
    assert report.misses == []


def test_a_miss_is_listed_with_its_evidence_and_in_the_confusion_matrix(tmp_path: Path) -> None:
    report = evaluate(labelled_folder(tmp_path, wrong="ls02"), ROUTING)
    assert report.accuracy["intent"] == pytest.approx(0.8)
    (miss,) = [c for c in report.misses if c.file == "ls02.eml"]
    assert "intent" in miss.wrong_fields()
    assert miss.got.evidence
    assert report.confusion[("registration", "card_lost")] == 1
    assert report.per_intent["registration"] == (0, 1)


def test_a_folder_without_labels_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="labels.jsonl"):
        evaluate(tmp_path, ROUTING)


def test_the_command_prints_json_with_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_app(["evaluate", str(labelled_folder(tmp_path)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["accuracy"]) >= {
        "intent",
        "send_ack",
        "language",
        "needs_appointment",
        "missing_documents",
    }
    assert data["misses"] == []


def test_the_command_prints_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_app(["evaluate", str(labelled_folder(tmp_path, wrong="fp01"))]) == 0
    out = capsys.readouterr().out
    assert "Accuracy per field" in out and "Confusion matrix" in out and "fp01.eml" in out


@pytest.mark.parametrize("folder", ["does-not-exist", "empty"])
def test_a_missing_folder_or_labels_file_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], folder: str
) -> None:
    (tmp_path / "empty").mkdir()
    assert run_app(["evaluate", str(tmp_path / folder)]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("intake: ") and "\n" not in err
