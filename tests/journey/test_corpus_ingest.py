"""Every message of both corpora goes through ingest with nothing failed, and twice is a no-op."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from intake.ingest import ingest
from intake.sources import RawSource, iter_sources
from intake.store.models import RawMessage, Ticket


def _external_sources(external: Path) -> list[RawSource]:
    files = [json.loads(line)["file"] for line in (external / "MANIFEST.jsonl").read_text().splitlines() if line.strip()]
    return [RawSource(str(external / f), (external / f).read_bytes()) for f in files]


def test_the_dev_and_external_corpora_ingest_with_no_failure_and_a_second_run_only_finds_duplicates(
    context, dev_corpus: Path, external_corpus: Path
) -> None:
    sources = list(iter_sources([dev_corpus])) + _external_sources(external_corpus)
    assert len(sources) == 90 + 596

    first = ingest(context, sources).as_dict()

    assert first["messages"] == len(sources)
    assert first["failed"] == 0
    assert first["tickets_opened"] + first["threaded"] + first["non_actionable"] + first["duplicates"] == len(sources)
    with context.db.session() as session:
        tickets_after_first = session.scalar(select(func.count()).select_from(Ticket))
        # Nothing is lost: every stored message reached a ticket.
        assert session.scalar(select(func.count()).where(RawMessage.ticket_id.is_(None))) == 0

    second = ingest(context, sources).as_dict()

    assert second == {"messages": len(sources), "tickets_opened": 0, "threaded": 0, "non_actionable": 0,
                      "duplicates": len(sources), "failed": 0}
    with context.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == tickets_after_first


def test_the_ingest_command_prints_its_summary_as_json_on_the_last_line(tmp_path: Path, dev_corpus: Path) -> None:
    env = {"INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "INTAKE_OUTBOX_DIR": str(tmp_path / "out"), "PATH": ""}

    def run() -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "intake", "ingest", "--json", str(dev_corpus)],
            capture_output=True, text=True, env=env, check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    first, second = run(), run()

    assert first["messages"] == 90 and first["failed"] == 0
    assert second["duplicates"] == 90 and second["tickets_opened"] == 0
