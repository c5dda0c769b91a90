"""Parsing never raises: real messages, mutated the ways real mail breaks, always parse.

The seeds are a dozen real messages from ../shared (dev and external corpus, read at test
time; skipped when ../shared is absent) plus three built here, so the test runs anywhere.
Each example takes one seed and applies one to three mutations: truncation, flipped and
inserted bytes, broken or duplicated MIME boundaries, bad charset names, a 100,000
character header, NUL bytes, CR-only line ends, a lost header/body separator.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from intake.mail import ParsedMail
from intake.parsing import parse_mail

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"

SEED_FILES = (
    "dev/d001.eml",  # plain text
    "dev/d002.eml",  # multipart
    "dev/d005.eml",  # base64 attachment
    "external/zammad/mail046.box",  # 8-bit GB2312 headers, attached message
    "external/zammad/mail093.box",  # Shift_JIS labelled ISO-2022-JP
    "external/zbateson-mail-mime-parser/m0018.txt",  # uuencoded attachments in the body
    "external/zbateson-mail-mime-parser/m4004.txt",  # signed, related, alternative
    "external/sisimai/maildir/mac/lhost-postfix-01.eml",  # DSN, CR-only line ends
    "external/sisimai/maildir/bsd/lhost-amazonworkmail-01.eml",  # DSN with winmail.dat
    "external/stalwart-mail-parser/malformed/013.eml",  # crashes mail-parser
    "external/rt/rfc2231-attachment-filename-continuations",
    "external/php-mime-mail-parser/m0014",  # named inline text, iso-8859-1
)

INLINE_SEEDS = (
    (
        b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.com>\r\nTo: migratie@stad.gent\r\n"
        b"Subject: =?iso-8859-1?Q?Verl=E4ngerung?= kaart\r\nMessage-ID: <a1@example.com>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        b"Goeiedag, mijn kaart verl\xe4uft.\r\n"
        b"--XX\r\nContent-Type: application/pdf; name*=utf-8''attest%20%C3%A9.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJeLjz9MK\r\n--XX--\r\n"
    ),
    (
        b"From: Citizen <c@example.org>\n"
        b"Subject: \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n"
        b"Content-Type: multipart/alternative; boundary=b1\n\n"
        b"--b1\nContent-Type: text/html; charset=koi8-r\n\n"
        b"<html><body><p>\xf0\xd2\xc9\xd7\xc5\xd4</p></body></html>\n--b1\n"
        b"Content-Type: message/rfc822\n\n"
        b"From: x@example.net\nSubject: inner\n\ninner body\n--b1--\n"
    ),
    (
        b"From: MAILER-DAEMON\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
        b"--r\nContent-Type: text/plain\n\nDelivery failed.\n"
        b"--r\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; mx.example.com\n\n"
        b"Final-Recipient: rfc822; x@example.com\nAction: failed\n"
        b"--r\nContent-Type: text/rfc822-headers\n\nSubject: hello\n--r--\n"
    ),
)

BAD_CHARSETS = (
    "x-unknown",
    "unicode_escape",
    "rot13",
    "zlib",
    "utf-16",
    "utf-7",
    "idna",
    "punycode",
    "undefined",
    "",
    '"',
    "charset=us-ascii",
    "iso-gb2312",
    "x-mac-cyrillic",
    "ks_c_5601-1987",
    "Windows-1258",
    "iso-2022-jp",
    "gb18030",
    "\x00",
    "utf-8\x80",
    "a" * 300,
)


@cache
def seeds() -> tuple[bytes, ...]:
    found = [(CORPUS / name).read_bytes() for name in SEED_FILES if (CORPUS / name).exists()]
    return tuple(found) + INLINE_SEEDS


# --- mutations: each takes the message and a draw function --------------------------------


def truncate(raw: bytes, draw: st.DrawFn) -> bytes:
    return raw[: draw(st.integers(0, len(raw)))]


def flip_bytes(raw: bytes, draw: st.DrawFn) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 40))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def insert_random(raw: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + draw(st.binary(min_size=1, max_size=200)) + raw[at:]


def break_boundaries(raw: bytes, draw: st.DrawFn) -> bytes:
    boundaries = re.findall(rb'boundary="?([^";\r\n]+)', raw, re.IGNORECASE)
    if not boundaries:
        return raw
    boundary = draw(st.sampled_from(boundaries))
    how = draw(st.sampled_from(("drop", "duplicate", "case", "close-early", "rename")))
    lines = raw.split(b"\n")
    marks = [i for i, line in enumerate(lines) if line.startswith(b"--" + boundary)]
    if not marks:
        return raw
    i = draw(st.sampled_from(marks))
    if how == "drop":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "case":
        lines[i] = lines[i].swapcase()
    elif how == "close-early":
        lines.insert(i, b"--" + boundary + b"--")
    else:
        return raw.replace(boundary, draw(st.binary(min_size=0, max_size=8)))
    return b"\n".join(lines)


def bad_charset(raw: bytes, draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(BAD_CHARSETS)).encode("latin-1")
    if re.search(rb"charset=", raw, re.IGNORECASE):
        return re.sub(
            rb'(?i)charset="?[^";\r\n]*"?',
            b'charset="' + name + b'"',
            raw,
            count=draw(st.integers(0, 3)),
        )
    return re.sub(rb"(?i)\nsubject: ", b"\nSubject: =?" + name + b"?B?w6TDtsO8?= ", raw, count=1)


def huge_header(raw: bytes, draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(("plain", "encoded", "addresses", "many")))
    if kind == "plain":
        header = b"X-Huge: " + b"x" * 100_000
    elif kind == "encoded":
        header = b"Subject: " + b"=?utf-8?q?caf=C3=A9?= " * 5_000
    elif kind == "addresses":
        header = b"To: " + b", ".join(b"u%d@example.com" % i for i in range(6_000))
    else:
        header = b"\n".join(b"X-H%d: v" % i for i in range(5_000))
    return header + b"\n" + raw


def nul_bytes(raw: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + b"\x00" * draw(st.integers(1, 50)) + raw[at:]


def cr_only(raw: bytes, draw: st.DrawFn) -> bytes:
    return raw.replace(b"\r\n", b"\r").replace(b"\n", b"\r")


def no_separator(raw: bytes, draw: st.DrawFn) -> bytes:
    return re.sub(rb"\r?\n\r?\n", b"\n", raw, count=1)


def slice_repeat(raw: bytes, draw: st.DrawFn) -> bytes:
    a = draw(st.integers(0, len(raw)))
    b = draw(st.integers(a, min(len(raw), a + 2000)))
    return raw[:b] + raw[a:b] * draw(st.integers(1, 5)) + raw[b:]


MUTATIONS = (
    truncate,
    flip_bytes,
    insert_random,
    break_boundaries,
    bad_charset,
    huge_header,
    nul_bytes,
    cr_only,
    no_separator,
    slice_repeat,
)


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from(seeds()))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        event(mutation.__name__)
        raw = mutation(raw, draw)
    return raw


# --- the property ------------------------------------------------------------------------


def assert_well_formed(parsed: ParsedMail, raw: bytes) -> None:
    assert isinstance(parsed, ParsedMail)
    assert parsed.size == len(raw)
    for text in (parsed.text, parsed.subject, parsed.html or "", *parsed.defects):
        assert isinstance(text, str)
        text.encode("utf-8")  # no lone surrogates
    assert "\x00" not in parsed.text
    for address in (parsed.from_, *parsed.to, *parsed.cc, *parsed.reply_to):
        if address is not None:
            (address.email + address.name).encode("utf-8")
    for att in parsed.attachments:
        att.filename.encode("utf-8")
        assert att.size == len(att.data)
        assert att.sha256 == hashlib.sha256(att.data).hexdigest()
    for key, value in parsed.headers:
        (key + value).encode("utf-8")


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_messages())
def test_parsing_mutated_real_messages_never_raises(raw: bytes) -> None:
    assert_well_formed(parse_mail(raw), raw)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=3000))
def test_parsing_arbitrary_bytes_never_raises(raw: bytes) -> None:
    assert_well_formed(parse_mail(raw), raw)


def test_every_seed_parses_cleanly_before_mutation() -> None:
    for raw in seeds():
        parsed = parse_mail(raw)
        assert_well_formed(parsed, raw)
        assert parsed.parser in ("mail-parser", "stdlib")
