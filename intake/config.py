"""Settings from environment variables, built once and passed into factories."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake import PROJECT_ROOT
from intake.errors import ConfigError


class Settings(BaseSettings):
    """Everything Intake reads from its environment (prefix ``INTAKE_``)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'intake.db'}")
    redis_url: str | None = None
    outbox_dir: Path = Field(default_factory=lambda: Path.cwd() / "outbox")
    routing_file: Path = PROJECT_ROOT / "config" / "routing.toml"
    templates_dir: Path = PROJECT_ROOT / "templates"

    # Who we are: From/Reply-To of replies and the domain of our Message-IDs.
    office_address: str = "migratie@stad.gent"
    office_name: str = "Dienst Migratie Stad Gent"
    reply_to: str | None = None
    message_id_domain: str = "stad.gent"
    # Key for the HMAC carried in our Message-IDs; set it in production.
    secret_key: str = "change-me-in-production"
    reference_prefix: str = "GNT"

    max_message_bytes: int = 25 * 1024 * 1024
    max_acks_per_sender_per_day: int = 5

    # Mail in (IMAP); unset host means the embedded default (files, Maildir, mbox).
    imap_host: str | None = None
    imap_port: int = 993
    imap_security: Literal["tls", "starttls", "none"] = "tls"
    imap_user: str | None = None
    imap_password: str | None = None
    imap_oauth2_token_command: str | None = None
    imap_oauth2_token_file: Path | None = None
    imap_folder: str = "INBOX"
    imap_done_action: Literal["move", "flag"] = "move"
    imap_done_folder: str = "Intake/Processed"
    imap_done_flag: str = "$IntakeDone"
    imap_batch_size: int = 100
    imap_poll_interval: float = 30.0
    imap_verify_tls: bool = True

    # Mail out (SMTP); unset host means replies are written as .eml files to outbox_dir.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = 30.0
    smtp_verify_tls: bool = True
    # Keep an SMTP connection open per sending thread and reuse it while it is younger than this.
    smtp_reuse_seconds: float = 30.0

    # The mailbox worker (`intake worker`): poller, dramatiq workers, sweeper, metrics.
    imap_use_idle: bool = True
    imap_idle_timeout: float = 600.0  # re-issue IDLE this often (RFC 2177: under 29 minutes)
    imap_timeout: float = 60.0  # socket timeout of one IMAP command
    reconnect_max_delay: float = 60.0
    # Keys in Redis (dramatiq queues, poller lease) start with this; one namespace per installation.
    redis_namespace: str = "intake"
    lease_ttl: float = 30.0  # a dead poller's lease expires after this; another takes over
    worker_processes: int = 2  # dramatiq worker processes started by `intake worker` (0: threads only)
    worker_threads: int = 4  # more threads overlap database waits but contend for the GIL
    process_batch_size: int = 40  # stored messages filed per transaction and task
    worker_idle_poll_ms: int = 100  # how often an idle worker looks at the queue (latency)
    shutdown_timeout: float = 60.0  # how long SIGTERM waits for the messages in hand
    retry_max: int = 5
    retry_min_backoff_ms: int = 1000
    retry_max_backoff_ms: int = 300_000
    sweep_interval: float = 30.0
    sweep_grace: float = 120.0  # unfinished work older than this, with its queue empty, is re-enqueued
    sweep_max_age: float = 900.0  # unfinished work older than this is re-enqueued even if the queue is busy
    sending_stale_after: float = 600.0  # a reply claimed by a worker that died is flagged, not resent
    reply_max_attempts: int = 10  # then the reply is marked failed and its ticket flagged
    metrics_port: int | None = None  # Prometheus metrics on this port when set
    metrics_host: str = "127.0.0.1"
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"

    # The web page (intake web). The session key defaults to one derived from secret_key.
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_session_secret: str | None = None
    # A session ends after this long without a request, and in any case this long after login.
    web_session_idle_minutes: int = 60
    web_session_max_hours: int = 12
    # Secure cookies need HTTPS; only the demo on loopback turns this off.
    web_cookie_secure: bool = True
    # Name of the header a reverse proxy sets to the signed-in user (single sign-on); None = off.
    # Only turn it on when the proxy is the only way in and it strips that header from clients.
    web_trusted_user_header: str | None = None
    # Addresses whose X-Forwarded-* headers uvicorn believes (intake web --forwarded-allow-ips).
    web_forwarded_allow_ips: str = "127.0.0.1"
    web_login_max_failures: int = 5
    web_login_lockout_minutes: int = 15
    web_page_size: int = 50
    # Send an agent's reply from the web request at once; the worker retries what fails.
    web_deliver_replies_now: bool = True
    web_timezone: str = "Europe/Brussels"

    # Closed tickets, their messages and attachments are purged this many days after closing.
    retention_days: int = 365

    @field_validator(
        "web_session_idle_minutes", "web_session_max_hours", "web_login_max_failures",
        "web_login_lockout_minutes", "web_page_size", "retention_days",
    )
    @classmethod
    def _positive_web(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @field_validator(
        "max_message_bytes", "max_acks_per_sender_per_day", "imap_batch_size", "worker_threads", "lease_ttl",
        "process_batch_size",
        "sweep_interval", "imap_poll_interval", "imap_idle_timeout",
    )
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation error into one line that names the bad key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "?"
        env = f"INTAKE_{key.upper()}"
        value = os.environ.get(env)
        shown = f" (value {value!r})" if value is not None else ""
        raise ConfigError(f"invalid setting {env}{shown}: {first['msg']}") from None
