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

    @field_validator("max_message_bytes", "max_acks_per_sender_per_day", "imap_batch_size")
    @classmethod
    def _positive(cls, value: int) -> int:
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
