"""Setting large bodies aside while parsing gives the tree a whole parse gives, or parses whole."""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from pathlib import Path

import pytest

from intake import mime_skeleton
from intake.mime_skeleton import message_from_bytes


def shape(msg: Message) -> tuple:
    """Everything the parser decided: headers, type, defects, payloads, preamble, epilogue."""
    payload = msg.get_payload()
    inner = tuple(shape(p) for p in payload) if isinstance(payload, list) else payload
    return (
        tuple(msg.raw_items()), msg.get_content_type(), tuple(type(d).__name__ for d in msg.defects),
        msg.preamble, msg.epilogue, inner,
    )


def whole(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


def set_aside_count(data: bytes) -> int:
    """How many bodies the fast path set aside and put back (0: it parsed whole)."""
    skeleton, bodies = mime_skeleton._set_aside(data)
    if not bodies:
        return 0
    msg = whole(skeleton)
    return len(bodies) if mime_skeleton._put_back(msg, bodies) else 0


def base64_lines(kb: int, line_end: str = "\r\n") -> str:
    return ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4" + line_end) * (kb * 13)


def mixed(*parts: str, boundary: str = "b1", line_end: str = "\r\n", epilogue: str = "") -> bytes:
    n = line_end
    text = f"From: a@example.com{n}MIME-Version: 1.0{n}Content-Type: multipart/mixed; boundary={boundary}{n}{n}"
    for part in parts:
        text += f"--{boundary}{n}{part}{n}"
    return (text + f"--{boundary}--{n}{epilogue}").encode()


def pdf_part(kb: int = 40, line_end: str = "\r\n") -> str:
    n = line_end
    return (f"Content-Type: application/pdf; name=a.pdf{n}Content-Transfer-Encoding: base64{n}{n}"
            + base64_lines(kb, line_end).rstrip("\r\n"))


TEXT = "Content-Type: text/plain; charset=utf-8\r\n\r\nGoedemorgen,\r\n-- \r\nJosé"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(mixed(TEXT, pdf_part()), id="text and a pdf"),
        pytest.param(mixed(pdf_part(), pdf_part(60), TEXT), id="two pdfs then text"),
        pytest.param(mixed(pdf_part(line_end="\n"), line_end="\n"), id="LF line ends"),
        pytest.param(mixed(pdf_part(line_end="\r"), line_end="\r"), id="CR line ends"),
        pytest.param(mixed(TEXT, pdf_part(), epilogue="trailing words\r\n" * 3000), id="long epilogue"),
        pytest.param(mixed(TEXT, "Content-Type: text/plain\r\n\r\n" + ("Hallo -- daar\r\n" * 4000)), id="big text"),
    ],
)
def test_the_fast_path_sets_bodies_aside_and_gives_the_same_tree(data: bytes) -> None:
    assert set_aside_count(data) >= 1
    assert shape(message_from_bytes(data)) == shape(whole(data))


@pytest.mark.parametrize(
    "data",
    [
        # Parts of a digest are messages by default: a token there would be parsed as headers.
        pytest.param(mixed("", "From: b@example.com\r\nSubject: one\r\n\r\n" + base64_lines(40).rstrip(),
                           boundary="d").replace(b"multipart/mixed", b"multipart/digest"), id="digest"),
        # An attached message is parsed, never set aside.
        pytest.param(mixed("Content-Type: message/rfc822\r\n\r\nFrom: b@example.com\r\nSubject: x\r\n\r\n"
                           + base64_lines(40).rstrip()), id="attached message"),
        # A line starting "--" that is no boundary (a signature) inside a big text.
        pytest.param(mixed("Content-Type: text/plain\r\n\r\n" + "tekst\r\n" * 3000 + "-- \r\nJosé\r\n\r\n"
                           + "meer\r\n" * 4000), id="signature line"),
        # The last body runs to the end: no delimiter line after it.
        pytest.param(mixed(pdf_part())[:-12], id="no closing boundary"),
        # The part's headers end without a blank line.
        pytest.param(mixed("Content-Type: application/pdf\r\nnot a header\r\n\r\n" + base64_lines(40).rstrip()),
                     id="broken part headers"),
    ],
)
def test_what_cannot_be_shown_safe_gives_the_same_tree_too(data: bytes) -> None:
    assert shape(message_from_bytes(data)) == shape(whole(data))


def test_a_digest_part_is_not_filled_from_a_token() -> None:
    data = mixed("", "From: b@example.com\r\nSubject: one\r\n\r\n" + base64_lines(40).rstrip(),
                 boundary="d").replace(b"multipart/mixed", b"multipart/digest")
    assert set_aside_count(data) == 0


def test_small_messages_are_parsed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mime_skeleton, "_set_aside", lambda data: pytest.fail("set aside a small message"))
    message_from_bytes(mixed(TEXT, pdf_part(4)))


def test_the_corpus_parses_to_the_same_trees_with_every_body_set_aside(
    dev_corpus: Path, external_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bodies of any size set aside: the fast path runs on nearly every multipart in the corpus.
    monkeypatch.setattr(mime_skeleton, "MIN_BODY", 1)
    files = sorted(p for folder in (dev_corpus, external_corpus) for p in folder.rglob("*") if p.is_file())
    fast = 0
    for path in files:
        data = path.read_bytes()
        try:
            expected = shape(whole(data))
        except RecursionError:
            continue  # nested too deep for the standard library either way
        assert shape(message_from_bytes(data)) == expected, path.name
        fast += set_aside_count(data) > 0
    assert fast > 150, f"only {fast} messages took the fast path"
