"""The Typer app and the one place that turns known errors into one clear line on stderr."""

from __future__ import annotations

import sys

import typer

from intake.errors import IntakeError

app = typer.Typer(
    name="intake",
    help="Intake: e-mail intake and ticketing for the migration service of the City of Ghent.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line on stderr and return the exit to raise."""
    print(f"intake: {message}", file=sys.stderr)
    return typer.Exit(code)


def run_app(argv: list[str] | None = None) -> int:
    """Run the CLI; known errors become one line on stderr and a non-zero exit, no traceback.

    Typer itself reports usage errors (unknown options, missing arguments) with exit code 2.
    """
    try:
        app(args=argv, prog_name="intake")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except IntakeError as exc:
        # One line, whatever the lower layer put in its message.
        print("intake: " + " ".join(str(exc).split()), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("intake: interrupted", file=sys.stderr)
        return 130
    return 0
