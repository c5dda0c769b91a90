"""Bad input on the command line: one clear line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_intake(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run(
        [sys.executable, "-m", "intake", *args], capture_output=True, text=True, env={**base, **(env or {})}, cwd=cwd,
        check=False,  # the tests look at the exit code
    )


def assert_one_clear_line(done: subprocess.CompletedProcess, *needles: str, lines: int | None = 1) -> None:
    """A failure without a traceback whose stderr names every needle, in ``lines`` lines (None: any)."""
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in done.stderr
    if lines is not None:
        assert len(done.stderr.strip().splitlines()) == lines, done.stderr


def test_help_lists_every_command() -> None:
    done = run_intake("--help")
    assert done.returncode == 0
    for command in ("ingest", "parse", "classify", "evaluate", "tickets", "demo", "worker", "status", "web", "users"):
        assert command in done.stdout


def test_an_unreadable_path_is_named_in_one_line(tmp_path: Path) -> None:
    done = run_intake("parse", str(tmp_path / "missing.eml"))
    assert_one_clear_line(done, "missing.eml", "no such file")


def test_an_unknown_option_is_refused_with_usage() -> None:
    done = run_intake("ingest", "--frobnicate", "x")
    assert_one_clear_line(done, "--frobnicate", "Usage:", lines=None)  # click's usage text spans several lines


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    message = tmp_path / "m.eml"
    message.write_bytes(b"From: a@example.com\r\nSubject: x\r\n\r\nhi\r\n")
    env = {"INTAKE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    done = run_intake("ingest", str(message), env=env)
    assert_one_clear_line(done, "cannot reach the database", "127.0.0.1:1")


def test_an_invalid_setting_names_its_variable(tmp_path: Path) -> None:
    done = run_intake("ingest", str(tmp_path), env={"INTAKE_SMTP_PORT": "many"})
    assert_one_clear_line(done, "INTAKE_SMTP_PORT")


def test_a_broken_routing_file_names_the_bad_key(tmp_path: Path) -> None:
    routing = tmp_path / "routing.toml"
    good = (Path(__file__).resolve().parents[2] / "config" / "routing.toml").read_text()
    routing.write_text(good.replace('[intents.card_lost]\nqueue = "afspraken-kaarten"', "[intents.card_lost]\nqueue = 12"))
    done = run_intake("ingest", str(tmp_path), env={"INTAKE_ROUTING_FILE": str(routing)})
    assert_one_clear_line(done, "intents.card_lost.queue")
