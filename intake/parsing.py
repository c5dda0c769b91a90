"""Raw bytes -> ParsedMail: mail-parser first, the standard library next, raw text last.

Parsing never raises: whatever the bytes are, a ParsedMail comes back, with the
problems it met listed in ``defects`` and ``needs_human`` set when the message
could not be read properly.

mail-parser builds the MIME tree and adds its own diagnostics (address, date and
Received header defects, charset recovery). When it raises, the standard library
builds the tree instead. Either way one walker below reads that tree into ParsedMail:
the text and HTML bodies, the attachments (an attached message stays one attachment
and is not merged into the body), the decoded headers. It reads header bytes, not
text that was already decoded, so old charsets in 8-bit headers and bodies survive.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

from intake import feedparser_speedup
from intake.addresses import MAX_ADDRESSES, parse_address_list
from intake.mail import Address, ParsedMail
from intake.mime_skeleton import message_from_bytes
from intake.mime_text import (
    clean_line,
    decode_bytes,
    decode_words,
    guess_charset,
    has_raw_bytes,
    part_charset,
    raw_bytes_to_text,
    resolve_charset,
)
from intake.mime_walk import MimeWalk, bodies_of, iter_parts, tidy_text
from intake.tnef import expand_tnef

log = logging.getLogger(__name__)
# mail-parser and tnefparse log every odd part, at ERROR quoting header text (names,
# addresses) that our logs must not carry. What went wrong is in ParsedMail.defects.
logging.getLogger("mailparser").setLevel(logging.CRITICAL)
logging.getLogger("tnefparse").setLevel(logging.CRITICAL)
feedparser_speedup.install()

# Headers kept for the detectors (auto-reply, bounce, list mail, threading).
_KEPT_HEADERS = frozenset(
    {
        "auto-submitted", "precedence", "x-autoreply", "x-autorespond", "x-auto-response-suppress",
        "list-id", "list-unsubscribe", "list-post", "list-help", "return-path", "x-loop",
        "x-ms-exchange-inbox-rules-loop", "x-mailer", "user-agent", "content-type", "x-failed-recipients",
        "x-spam-flag", "x-spam-status", "feedback-type", "x-original-to", "delivered-to", "sender",
        "x-priority", "importance", "thread-topic", "x-forwarded-to",
    }
)
_MAX_HEADER_CHARS = 4000  # one decoded header value as kept
_MAX_RAW_HEADER_CHARS = 65536  # of one raw header value, read at most this much
_MAX_KEPT_HEADERS = 200
_MAX_REFERENCES = 500
_MAX_DEFECTS = 100


def parse_mail(raw: bytes, *, max_bytes: int | None = None) -> ParsedMail:
    """Parse raw message bytes; never raises.

    Over ``max_bytes`` the message is still read (by the standard library alone, so the
    big work is done once), flagged ``needs_human`` with a defect saying why.
    """
    raw = bytes(raw)
    oversize = max_bytes is not None and len(raw) > max_bytes
    parsers, notes = _parsers_for(raw, oversize=oversize)
    parsed = None
    for parser in parsers:
        try:
            parsed = parser(raw)
            break
        except Exception as exc:  # noqa: BLE001 - any parser failure moves on to the next one
            log.info("%s failed: %s", parser.__name__, type(exc).__name__)  # no mail content
            notes.append(f"{parser.__name__.removeprefix('_parse_with_')} failed: {exc!r}"[:300])
    if parsed is None:
        parsed = _parse_as_raw_text(raw)
    if notes:
        parsed = replace(parsed, defects=tuple(notes) + parsed.defects)
    if oversize:
        parsed = _flag(parsed, f"message of {len(raw)} bytes is over the limit of {max_bytes}")
    return parsed


_Parser = Callable[[bytes], ParsedMail]


def _parsers_for(raw: bytes, *, oversize: bool) -> tuple[list[_Parser], list[str]]:
    """mail-parser, then the standard library; the latter alone where the former would do
    expensive work for nothing (an over-size message, a header block of megabytes)."""
    if oversize:
        return [_parse_with_stdlib], []
    if len(raw) > _MAX_HEAD_BYTES and _BLANK_LINE.search(raw, 0, _MAX_HEAD_BYTES) is None:
        note = f"header block over {_MAX_HEAD_BYTES} bytes: read by the standard library alone"
        return [_parse_with_stdlib], [note]
    return [_parse_with_mailparser, _parse_with_stdlib], []


def _flag(parsed: ParsedMail, defect: str) -> ParsedMail:
    return replace(parsed, defects=parsed.defects + (defect,), needs_human=True)


# --- the two MIME parsers and the last resort ----------------------------------------------


def load_parser() -> None:
    """Import mail-parser now instead of on the first message (before worker processes fork)."""
    import mailparser  # noqa: F401


def _parse_with_mailparser(raw: bytes) -> ParsedMail:
    import mailparser

    msg, defects = _stdlib_tree(raw)
    for entry in mailparser.MailParser(msg).defects:
        for part, items in entry.items():
            defects.extend(f"{part}: {item}" for item in items)
    return _read(raw, msg, defects, parser="mail-parser", part_defects=False)


def _parse_with_stdlib(raw: bytes) -> ParsedMail:
    msg, defects = _stdlib_tree(raw)
    return _read(raw, msg, defects, parser="stdlib", part_defects=True)


def _stdlib_tree(raw: bytes) -> tuple[Message, list[str]]:
    """The standard library's tree of the message, its head repaired first; the repairs made."""
    data, defects = _repair_head(raw)
    msg = message_from_bytes(data)
    if _headers_cut_short(msg):
        joined = _join_broken_folds(data, defects)
        if joined is not None:
            msg = message_from_bytes(joined)
    return msg, defects


def _parse_as_raw_text(raw: bytes) -> ParsedMail:
    """Last resort: the bytes as text, flagged for a human."""
    text, _ = decode_bytes(raw, None)
    return ParsedMail(
        from_=None, reply_to=(), to=(), cc=(), subject="", date=None, message_id=None,
        in_reply_to=None, references=(), text=tidy_text(text), html=None, attachments=(),
        headers=(), content_types=(), defects=("no MIME parser could read this message",),
        parser="raw", size=len(raw), needs_human=True,
    )


_HEADER_LINE = re.compile(rb"[!-9;-~]+:|From ")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BLANK_LINE = re.compile(rb"(?:\r?\n){2}|\r\r")
_MAX_HEAD_BYTES = 1 << 20


def _repair_head(raw: bytes) -> tuple[bytes, list[str]]:
    """Old Mac CR-only line ends made LF; blank or junk lines before the headers skipped."""
    defects = []
    if b"\r" in raw[:65536] and b"\n" not in raw[:65536]:
        raw = raw.replace(b"\r", b"\n")
        defects.append("CR-only line endings read as line breaks")
    if _HEADER_LINE.match(raw):
        return raw, defects
    lines = raw[:4096].splitlines(keepends=True)[:6]
    skipped = 0
    for i, line in enumerate(lines[:-1]):
        if _HEADER_LINE.match(line) and _HEADER_LINE.match(lines[i + 1]):
            what = "blank" if not raw[:skipped].strip() else "junk"
            return raw[skipped:], [*defects, f"{i} {what} line(s) before the headers skipped"]
        skipped += len(line)
    return raw, defects


def _headers_cut_short(msg: Message) -> bool:
    return any(type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in msg.defects)


def _join_broken_folds(data: bytes, defects: list[str]) -> bytes | None:
    """Header lines folded without the leading blank, joined back to the header above them.

    Only lines followed by more header lines before the blank line that ends the header
    block are joined, and never past a ``--`` line: a body that starts without a blank
    line (a MIME preamble, a boundary) stays a body.
    """
    blank = _BLANK_LINE.search(data, 0, _MAX_HEAD_BYTES)
    if blank is None:
        return None
    head = data[: blank.start()]
    delimiter = re.search(rb"(?:\r\n|\r|\n)--", head)
    if delimiter is not None:
        head = head[: delimiter.start()]
    parts = _LINE_END.split(head)
    seps = _LINE_END.findall(head) + [b""]
    header_after = False
    joined = 0
    for i in range(len(parts) - 1, 0, -1):
        line = parts[i]
        if _HEADER_LINE.match(line):
            header_after = True
        elif line[:1] not in (b" ", b"\t") and header_after:
            parts[i] = b" " + line
            joined += 1
    if not joined:
        return None
    defects.append(f"{joined} header line(s) folded without indentation joined to the header above")
    return b"".join(p + sep for p, sep in zip(parts, seps, strict=True)) + data[len(head) :]


# --- reading a parsed tree into ParsedMail --------------------------------------------------


class HeaderIndex:
    """The raw header values of one message, indexed once (no rescans on huge headers)."""

    def __init__(self, msg: Message) -> None:
        self.items: list[tuple[str, str]] = []
        self.index: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            name = str(name).strip().lower()
            value = value if isinstance(value, str) else str(value)
            self.items.append((name, value))
            self.index.setdefault(name, []).append(value)
        self._msg = msg
        self._charset: str | None = None
        self._charset_known = False

    def raw(self, name: str) -> str | None:
        values = self.index.get(name)
        return values[0][:_MAX_RAW_HEADER_CHARS] if values else None

    def text(self, value: str | None, problems: list[str] | None = None) -> str:
        """A raw header value decoded to one clean line: 8-bit bytes, then RFC 2047 words."""
        if value is None:
            return ""
        value = raw_bytes_to_text(value[:_MAX_RAW_HEADER_CHARS], self.charset)
        return clean_line(decode_words(value, problems))[:_MAX_HEADER_CHARS]

    def charset(self) -> str | None:
        """The charset raw 8-bit header bytes are read in when they are not UTF-8.

        Guessed once per message over all its 8-bit header bytes together (more text makes
        a better guess than one header), the charset the message declares tried first.
        """
        if not self._charset_known:
            self._charset_known = True
            data = b" ".join(
                value.encode("utf-8", "surrogateescape")
                for _, value in self.items
                if has_raw_bytes(value)
            )
            declared = _declared_charset(self._msg)
            if data:
                declared = guess_charset(data, (declared,) if declared else ())
            self._charset = declared
        return self._charset


def _declared_charset(msg: Message) -> str | None:
    for i, part in enumerate(iter_parts(msg)):
        if i > 50:
            break
        if part.get_content_maintype() not in ("text", "multipart"):
            continue
        codec, _ = resolve_charset(part_charset(part))
        if codec and codec not in ("ascii", "utf-8"):
            return codec
    return None


def _read(
    raw: bytes, msg: Message, defects: list[str], *, parser: str, part_defects: bool
) -> ParsedMail:
    headers = HeaderIndex(msg)
    walk = MimeWalk(headers, defects, part_defects)
    walk.run(msg)
    attachments, tnef_text = expand_tnef(walk.attachments, defects)
    text, html = bodies_of(walk, tnef_text)
    return ParsedMail(
        from_=_sender(headers, defects),
        reply_to=tuple(_addresses(headers, "reply-to", defects)),
        to=tuple(_addresses(headers, "to", defects)),
        cc=tuple(_addresses(headers, "cc", defects)),
        subject=headers.text(headers.raw("subject"), defects),
        date=_date(headers),
        message_id=_msgid(headers.raw("message-id")),
        in_reply_to=_msgid(headers.raw("in-reply-to")),
        references=_msgids(headers.raw("references")),
        text=text,
        html=html,
        attachments=tuple(attachments),
        headers=_kept_headers(headers),
        content_types=tuple(walk.content_types),
        defects=_capped(defects),
        parser=parser,
        size=len(raw),
        needs_human=not headers.items,
    )


def _sender(headers: HeaderIndex, defects: list[str]) -> Address | None:
    """From; a junk From before a good one loses (seen in spam); no From: Sender, Reply-To."""
    found = _addresses(headers, "from", defects, allow_local=True)
    found.sort(key=lambda a: "@" not in a.email)
    if found:
        return found[0]
    for other in ("sender", "reply-to"):
        found = _addresses(headers, other, defects)
        if found:
            defects.append(f"no usable From header; sender taken from {other.title()}")
            return found[0]
    return None


def _capped(defects: list[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(d[:500] for d in defects))
    if len(unique) > _MAX_DEFECTS:
        unique = unique[:_MAX_DEFECTS] + [f"... and {len(unique) - _MAX_DEFECTS} more defects"]
    return tuple(unique)


# --- headers -------------------------------------------------------------------------------


def _addresses(
    headers: HeaderIndex, name: str, problems: list[str], *, allow_local: bool = False
) -> list[Address]:
    result: list[Address] = []
    for value in headers.index.get(name, ()):
        text = raw_bytes_to_text(value[:_MAX_RAW_HEADER_CHARS], headers.charset)
        result.extend(parse_address_list(text, allow_local=allow_local, problems=problems))
        if len(result) >= MAX_ADDRESSES:
            return result[:MAX_ADDRESSES]
    return result


def _date(headers: HeaderIndex) -> datetime | None:
    value = headers.raw("date")
    if not value:
        return None
    try:
        ascii_only = value.encode("utf-8", "surrogateescape").decode("ascii", "ignore")
        parsed = parsedate_to_datetime(clean_line(ascii_only))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


_MSGID = re.compile(r"<([^<>\s]+)>")


def _msgid(value: str | None) -> str | None:
    if value is None:
        return None
    text = clean_line(raw_bytes_to_text(value[:_MAX_HEADER_CHARS], lambda: None))
    found = _MSGID.search(text)
    if found:
        return found.group(1)
    return text.strip("<> ").split(" ", 1)[0] or None


def _msgids(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    ids = _MSGID.findall(clean_line(raw_bytes_to_text(value, lambda: None)))
    if len(ids) > _MAX_REFERENCES:
        ids = ids[:1] + ids[-(_MAX_REFERENCES - 1) :]  # the thread's root and the latest
    return tuple(ids)


def _kept_headers(headers: HeaderIndex) -> tuple[tuple[str, str], ...]:
    kept = []
    for name, value in headers.items:
        if name in _KEPT_HEADERS or name.startswith("list-"):
            kept.append((name, headers.text(value)))
            if len(kept) >= _MAX_KEPT_HEADERS:
                break
    return tuple(kept)

