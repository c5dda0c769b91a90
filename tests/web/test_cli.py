"""`intake users` and `intake purge` on the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

import intake.cli  # noqa: F401 - registers the commands
from intake.cli.app import app
from intake.config import load_settings
from intake.context import Context
from intake.ingest import ingest
from intake.sources import RawSource
from intake.store.models import Ticket
from intake.web.users import authenticate
from tests.builders import citizen_mail


@pytest.fixture
def env(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "INTAKE_OUTBOX_DIR": str(tmp_path / "out"),
    }


def run(env: dict[str, str], *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=input, env=env)


def db_of(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return Context.build(load_settings(database_url=env["INTAKE_DATABASE_URL"])).db


def test_users_add_list_disable_reset(env) -> None:  # type: ignore[no-untyped-def]
    added = run(
        env,
        "users",
        "add",
        "Anna",
        "--role",
        "manager",
        "--name",
        "Anna A",
        "--password-stdin",
        input="a very long secret\n",
    )
    assert added.exit_code == 0, added.output
    assert authenticate(db_of(env), "anna", "a very long secret") is not None

    listed = run(env, "users", "list", "--json")
    assert json.loads(listed.stdout.strip()) == {
        "username": "anna",
        "name": "Anna A",
        "role": "manager",
        "language": "nl",
        "active": True,
    }

    assert run(env, "users", "disable", "anna").exit_code == 0
    assert authenticate(db_of(env), "anna", "a very long secret") is None
    assert run(env, "users", "enable", "anna").exit_code == 0

    reset = run(env, "users", "reset", "anna", "--password-stdin", input="another long secret\n")
    assert reset.exit_code == 0
    assert authenticate(db_of(env), "anna", "another long secret") is not None


def test_the_password_prompt_hides_input_and_asks_twice(env) -> None:  # type: ignore[no-untyped-def]
    result = run(env, "users", "add", "ben", input="a very long secret\na very long secret\n")
    assert result.exit_code == 0, result.output
    assert "a very long secret" not in result.output
    assert authenticate(db_of(env), "ben", "a very long secret") is not None


def test_bad_input_is_one_line_and_a_non_zero_exit(env) -> None:  # type: ignore[no-untyped-def]
    short = run(env, "users", "add", "cas", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    role = run(
        env,
        "users",
        "add",
        "cas",
        "--role",
        "boss",
        "--password-stdin",
        input="a very long secret\n",
    )
    assert role.exit_code != 0 and "role must be one of" in role.output
    assert run(env, "users", "disable", "nobody").exit_code != 0


def test_an_sso_account_has_no_password(env) -> None:  # type: ignore[no-untyped-def]
    assert run(env, "users", "add", "dirk", "--sso").exit_code == 0
    assert authenticate(db_of(env), "dirk", "") is None


def test_purge_prints_its_counts_as_json(env) -> None:  # type: ignore[no-untyped-def]
    # Given one ticket closed 40 days ago and one closed 10 days ago
    ctx = Context.build(load_settings(database_url=env["INTAKE_DATABASE_URL"], outbox_dir=env["INTAKE_OUTBOX_DIR"]))
    ingest(ctx, [RawSource(f"{n}.eml", citizen_mail(sender=f"{n}@example.com")) for n in ("old", "recent")])
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        for reference, days in zip(session.scalars(select(Ticket.reference).order_by(Ticket.id)), (40, 10)):
            session.execute(update(Ticket).where(Ticket.reference == reference)
                            .values(status="closed", closed_at=now - timedelta(days=days)))

    # When tickets closed more than 30 days ago are purged
    result = run(env, "purge", "--days", "30")

    # Then only the old one goes, and the counts say so
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["tickets"] == 1
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
