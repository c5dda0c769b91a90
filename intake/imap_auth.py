"""Connect and sign in to the IMAP server: TLS or STARTTLS, a password or an OAuth2 token.

Hosted mailboxes such as Microsoft 365 allow only OAuth2 (SASL XOAUTH2) for IMAP. Intake does
not run the OAuth2 flow itself: a configured command prints a fresh access token (for example a
small script around the tenant's client-credentials grant), or a file holds one that something
else keeps fresh. The token is read again at every connection, so a renewed token is picked up
on the next reconnect.
"""

from __future__ import annotations

import contextlib
import shlex
import socket
import ssl
import subprocess

from imapclient import IMAPClient  # type: ignore[import-untyped]

from intake.config import Settings
from intake.errors import ConfigError


def uses_oauth2(settings: Settings) -> bool:
    return bool(settings.imap_oauth2_token_command or settings.imap_oauth2_token_file)


def oauth2_token(settings: Settings) -> str:
    """The access token from the configured command (its stdout) or file, stripped."""
    if settings.imap_oauth2_token_command:
        try:
            done = subprocess.run(
                shlex.split(settings.imap_oauth2_token_command), capture_output=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"INTAKE_IMAP_OAUTH2_TOKEN_COMMAND could not run: {exc}") from None
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ConfigError(f"INTAKE_IMAP_OAUTH2_TOKEN_COMMAND exited with {done.returncode}: {err[0]}")
        token = done.stdout.decode("utf-8", "replace").strip()
        source = "INTAKE_IMAP_OAUTH2_TOKEN_COMMAND"
    elif settings.imap_oauth2_token_file:
        try:
            token = settings.imap_oauth2_token_file.read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"INTAKE_IMAP_OAUTH2_TOKEN_FILE cannot be read: {exc}") from None
        source = "INTAKE_IMAP_OAUTH2_TOKEN_FILE"
    else:
        raise ConfigError("no OAuth2 token source: set INTAKE_IMAP_OAUTH2_TOKEN_COMMAND or _FILE")
    if not token:
        raise ConfigError(f"{source} gave an empty token")
    return token


def tls_context(settings: Settings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not settings.imap_verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(settings: Settings) -> IMAPClient:
    """A signed-in connection; raises ConfigError for what no retry can fix."""
    if not settings.imap_host or not settings.imap_user:
        raise ConfigError("INTAKE_IMAP_HOST and INTAKE_IMAP_USER must both be set for the poller")
    if not uses_oauth2(settings) and settings.imap_password is None:
        raise ConfigError("set INTAKE_IMAP_PASSWORD, or an OAuth2 token command or file")
    context = tls_context(settings)
    client = IMAPClient(
        settings.imap_host,
        port=settings.imap_port,
        ssl=settings.imap_security == "tls",
        ssl_context=context,
        timeout=settings.imap_timeout,
    )
    _keepalive(client)
    try:
        if settings.imap_security == "starttls":
            client.starttls(context)
        if uses_oauth2(settings):
            client.oauth2_login(settings.imap_user, oauth2_token(settings))
        else:
            client.login(settings.imap_user, settings.imap_password or "")
    except BaseException:
        with contextlib.suppress(Exception):  # closing a connection that already failed
            client.shutdown()
        raise
    return client


def _keepalive(client: IMAPClient) -> None:
    """TCP keepalive, so a connection that silently died is noticed while idling in IDLE."""
    sock = client.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4)):
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
