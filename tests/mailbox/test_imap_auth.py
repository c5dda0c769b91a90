"""Where the OAuth2 access token comes from: a command's output or a file, read at each connect."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from intake.config import load_settings
from intake.errors import ConfigError
from intake.imap_auth import oauth2_token


def test_the_token_is_the_commands_output_stripped() -> None:
    settings = load_settings(imap_oauth2_token_command=f"{sys.executable} -c \"print('  abc.def  ')\"")
    assert oauth2_token(settings) == "abc.def"


def test_the_token_is_read_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("xyz\n")
    assert oauth2_token(load_settings(imap_oauth2_token_file=tmp_path / "token")) == "xyz"


def test_a_failing_command_names_the_setting_and_its_error() -> None:
    settings = load_settings(
        imap_oauth2_token_command=f"{sys.executable} -c \"import sys; sys.exit('tenant unknown')\""
    )
    with pytest.raises(ConfigError, match="TOKEN_COMMAND exited with 1: tenant unknown"):
        oauth2_token(settings)


def test_an_empty_token_is_refused(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("\n")
    with pytest.raises(ConfigError, match="empty token"):
        oauth2_token(load_settings(imap_oauth2_token_file=tmp_path / "token"))
