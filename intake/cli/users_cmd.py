"""Personal data on the command line: the team's accounts (`intake users`) and retention (`intake purge`)."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from intake.cli.app import app, fail
from intake.context import Context
from intake.web.users import (
    LANGUAGES,
    ROLES,
    UserError,
    add_user,
    list_users,
    reset_password,
    set_active,
)

users_app = typer.Typer(
    help="Accounts of the web page: add, disable, enable, reset, list.", no_args_is_help=True
)
app.add_typer(users_app, name="users")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise fail("no password on standard input")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name (stored in lower case)."),
    role: str = typer.Option("agent", help=f"One of {', '.join(ROLES)}."),
    name: str = typer.Option("", "--name", help="Display name."),
    language: str = typer.Option("nl", help=f"Interface language: {', '.join(LANGUAGES)}."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    sso: bool = typer.Option(
        False, "--sso", help="No password: signs in only through the proxy's single sign-on."
    ),
) -> None:
    """Add an account; asks for the password with hidden input."""
    password = None if sso else _read_password(password_stdin)
    ctx = Context.build()
    try:
        account = add_user(
            ctx.db, username, role=role, password=password, display_name=name, language=language
        )
    except UserError as exc:
        raise fail(str(exc)) from None
    print(f"added {account.username} ({account.role})")


@users_app.command("disable")
def users_disable(username: str = typer.Argument(...)) -> None:
    """Disable an account; its sessions end at their next request."""
    _set_active(username, False)
    print(f"disabled {username}")


@users_app.command("enable")
def users_enable(username: str = typer.Argument(...)) -> None:
    """Enable a disabled account again."""
    _set_active(username, True)
    print(f"enabled {username}")


@users_app.command("reset")
def users_reset(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
) -> None:
    """Set a new password; the account's open sessions end."""
    password = _read_password(password_stdin)
    ctx = Context.build()
    try:
        reset_password(ctx.db, username, password)
    except UserError as exc:
        raise fail(str(exc)) from None
    print(f"password of {username} reset")


@users_app.command("list")
def users_list(
    json_output: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """The accounts with role, language and whether they are active."""
    ctx = Context.build()
    rows = list_users(ctx.db)
    if json_output:
        for account, active in rows:
            print(
                json.dumps(
                    {
                        "username": account.username,
                        "name": account.display_name,
                        "role": account.role,
                        "language": account.language,
                        "active": active,
                    }
                )
            )
        return
    table = Table("username", "name", "role", "language", "active")
    for account, active in rows:
        table.add_row(
            account.username,
            account.display_name,
            account.role,
            account.language,
            "yes" if active else "no",
        )
    Console().print(table)


def _set_active(username: str, active: bool) -> None:
    ctx = Context.build()
    try:
        set_active(ctx.db, username, active)
    except UserError as exc:
        raise fail(str(exc)) from None


@app.command("purge")
def purge_command(
    days: int = typer.Option(
        None,
        min=1,
        help="Purge tickets closed more than this many days ago "
        "(default INTAKE_RETENTION_DAYS, 365).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would go."),
) -> None:
    """Delete closed tickets with their messages, attachments and raw mail; anonymous counts stay."""
    from intake.purge import purge_closed

    ctx = Context.build()
    counts = purge_closed(ctx, days or ctx.settings.retention_days, dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    print(
        f"{verb} {counts.tickets} tickets, {counts.messages} messages, {counts.attachments} attachments, "
        f"{counts.raw_messages} raw messages, {counts.replies} replies, {counts.contacts} contacts",
        file=sys.stderr,
    )
    print(json.dumps({"dry_run": dry_run, **counts.as_dict()}))
