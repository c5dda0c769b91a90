"""`intake web`: the team's web page in production, behind a reverse proxy that terminates TLS."""

from __future__ import annotations

import typer

from intake.cli.app import app
from intake.context import Context


@app.command("web")
def web_command(
    host: str = typer.Option(
        None, help="Address to listen on (default INTAKE_WEB_HOST, 127.0.0.1)."
    ),
    port: int = typer.Option(None, help="Port to listen on (default INTAKE_WEB_PORT, 8080)."),
    forwarded_allow_ips: str = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="Comma-separated proxy addresses whose X-Forwarded-For/-Proto are believed "
        "(default INTAKE_WEB_FORWARDED_ALLOW_IPS, 127.0.0.1).",
    ),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Serve the web page (queues, tickets, dashboard) for the team behind a reverse proxy."""
    from intake.web.server import serve

    ctx = Context.build()
    serve(
        ctx,
        host=host or ctx.settings.web_host,
        port=port or ctx.settings.web_port,
        production=True,
        forwarded_allow_ips=forwarded_allow_ips,
        workers=workers,
    )
