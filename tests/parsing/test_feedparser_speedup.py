"""The parser's speed-ups find exactly what the standard library's patterns find."""

from __future__ import annotations

import email
import email.feedparser
import re

import pytest

import intake.parsing  # noqa: F401 - installs the speed-ups, as the worker does
from intake.feedparser_speedup import _BoundaryLine, _FeedparserRe, _LineEndAtEnd

STDLIB_LINE_END = re.compile(r"(\r\n|\r|\n)\Z")
ENDINGS = ["", "a", "\n", "\r", "\r\n", "\n\r", "\n\n", "\r\r", "\r\n\r\n", "a\n", "a\r", "a\r\n", "ab\n\r",
           "x" * 500 + "\r\n", "line\r\nline", "\n\r\n", " \r\n", "a\nb"]


@pytest.mark.parametrize("text", ENDINGS)
def test_the_line_end_trim_finds_the_same_match_as_the_standard_pattern(text: str) -> None:
    expected = STDLIB_LINE_END.search(text)
    found = _LineEndAtEnd.search(text)
    assert (found and (found.span(), found.group(0))) == (expected and (expected.span(), expected.group(0)))


def stdlib_boundary(separator: str) -> re.Pattern[str]:
    # As email.feedparser writes it.
    return re.compile("(?P<sep>" + re.escape(separator) + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")


SEPARATORS = ["--b1", "--===============8271735627462818573==", "----=_Part_0_1.2$x", "--a.b*c+d?(e)[f]{g}|h^i",
              "--Apple-Mail=_5D1E-\\-", "--é ü"]
LINES = ["", "{s}", "{s}\n", "{s}\r\n", "{s}\r", "{s}--", "{s}--\r\n", "{s}  \t\r\n", "{s}--  \n", "{s}x\r\n",
         "{s}--x", " {s}\n", "{s}\n\n", "{s}-", "{s}---\r\n", "other\r\n", "{s}\r\n\r\n"]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_boundary_matches_the_same_lines_with_the_same_groups(separator: str) -> None:
    compiled = _FeedparserRe.compile(stdlib_boundary(separator).pattern)
    assert isinstance(compiled, _BoundaryLine)
    for template in LINES:
        line = template.format(s=separator)
        expected, found = stdlib_boundary(separator).match(line), compiled.match(line)
        assert bool(found) == bool(expected), line
        if expected:
            assert (found.group("end"), found.group("ws"), found.group("linesep"), found.end()) == (
                expected.group("end"), expected.group("ws"), expected.group("linesep"), expected.end()), line


def test_other_patterns_are_compiled_as_usual() -> None:
    assert isinstance(_FeedparserRe.compile(r"^(From |[\041-\071\073-\176]*:|[\t ])"), re.Pattern)
    assert _FeedparserRe().escape("a.b") == re.escape("a.b")


def test_the_parser_uses_them_and_parts_keep_their_bytes() -> None:
    assert isinstance(email.feedparser.NLCRE_eol, _LineEndAtEnd)
    assert isinstance(email.feedparser.re, _FeedparserRe)
    body = ("QUJD" * 19 + "\r\n") * 5000
    raw = (
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nHallo\r\n"
        f"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}--b--\r\n"
    ).encode()
    text, pdf = email.message_from_bytes(raw).get_payload()
    assert text.get_payload() == "Hallo"
    assert pdf.get_payload() == body[:-2]  # the line end before the boundary belongs to it
