"""The faster line-end trim finds exactly what the standard library's pattern finds."""

from __future__ import annotations

import email
import email.feedparser
import re

import pytest

import intake.parsing  # noqa: F401 - installs the speed-up, as the worker does
from intake.feedparser_speedup import _LineEndAtEnd

STDLIB_PATTERN = re.compile(r"(\r\n|\r|\n)\Z")
ENDINGS = ["", "a", "\n", "\r", "\r\n", "\n\r", "\n\n", "\r\r", "\r\n\r\n", "a\n", "a\r", "a\r\n", "ab\n\r",
           "x" * 500 + "\r\n", "line\r\nline", "\n\r\n", " \r\n", "a\nb"]


@pytest.mark.parametrize("text", ENDINGS)
def test_it_finds_the_same_match_as_the_standard_pattern(text: str) -> None:
    expected = STDLIB_PATTERN.search(text)
    found = _LineEndAtEnd.search(text)
    assert (found and (found.span(), found.group(0))) == (expected and (expected.span(), expected.group(0)))


def test_the_parser_uses_it_and_parts_keep_their_bytes() -> None:
    assert isinstance(email.feedparser.NLCRE_eol, _LineEndAtEnd)
    body = ("QUJD" * 19 + "\r\n") * 5000
    raw = (
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nHallo\r\n"
        f"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}--b--\r\n"
    ).encode()
    text, pdf = email.message_from_bytes(raw).get_payload()
    assert text.get_payload() == "Hallo"
    assert pdf.get_payload() == body[:-2]  # the line end before the boundary belongs to it
