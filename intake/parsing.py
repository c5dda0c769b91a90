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

import base64
import binascii
import email
import email.policy
import hashlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from email.generator import BytesGenerator
from email.message import Message
from email.utils import parsedate_to_datetime

from intake.mail import Address, Attachment, ParsedMail
from intake.mime_text import (
    clean_line,
    decode_bytes,
    decode_payload,
    decode_words,
    extension_for,
    guess_charset,
    guess_type,
    has_raw_bytes,
    html_to_text,
    part_charset,
    raw_bytes_to_text,
    resolve_charset,
    split_uuencoded,
)
from intake.tnef import expand_tnef

log = logging.getLogger(__name__)
# mail-parser and tnefparse log every odd part at WARNING; that is ours to report, as defects.
logging.getLogger("mailparser").addHandler(logging.NullHandler())
logging.getLogger("tnefparse").addHandler(logging.NullHandler())

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
_MAX_ADDRESSES = 1000  # per address header
_MAX_REFERENCES = 500
_MAX_DEFECTS = 100
_MAX_NAME_CHARS = 255


def parse_mail(raw: bytes, *, max_bytes: int | None = None) -> ParsedMail:
    """Parse raw message bytes; never raises.

    Over ``max_bytes`` the message is still read (by the standard library alone, so the
    big work is done once), flagged ``needs_human`` with a defect saying why.
    """
    raw = bytes(raw)
    oversize = max_bytes is not None and len(raw) > max_bytes
    parsers = (_parse_with_stdlib,) if oversize else (_parse_with_mailparser, _parse_with_stdlib)
    failures: list[str] = []
    parsed = None
    for parser in parsers:
        try:
            parsed = parser(raw)
        except Exception as exc:  # noqa: BLE001 - any parser failure moves on to the next one
            log.info("%s failed: %r", parser.__name__, exc)
            failures.append(f"{parser.__name__.removeprefix('_parse_with_')} failed: {exc!r}"[:300])
            continue
        break
    if parsed is None:
        parsed = _parse_as_raw_text(raw)
    if failures:
        parsed = replace(parsed, defects=tuple(failures) + parsed.defects)
    if oversize:
        parsed = _flag(parsed, f"message of {len(raw)} bytes is over the limit of {max_bytes}")
    return parsed


def _flag(parsed: ParsedMail, defect: str) -> ParsedMail:
    return replace(parsed, defects=parsed.defects + (defect,), needs_human=True)


# --- the two MIME parsers and the last resort ----------------------------------------------


def _parse_with_mailparser(raw: bytes) -> ParsedMail:
    import mailparser

    data, defects = _repair_head(raw)
    mp = mailparser.MailParser.from_bytes(data)
    msg = mp.message
    if msg is None:
        raise ValueError("mail-parser returned no message")
    for entry in mp.defects:
        for part, items in entry.items():
            defects.extend(f"{part}: {item}" for item in items)
    return _read(raw, msg, defects, parser="mail-parser", part_defects=False)


def _parse_with_stdlib(raw: bytes) -> ParsedMail:
    data, defects = _repair_head(raw)
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    return _read(raw, msg, defects, parser="stdlib", part_defects=True)


def _parse_as_raw_text(raw: bytes) -> ParsedMail:
    """Last resort: the bytes as text, flagged for a human."""
    text, _ = decode_bytes(raw, None)
    return ParsedMail(
        from_=None, reply_to=(), to=(), cc=(), subject="", date=None, message_id=None,
        in_reply_to=None, references=(), text=text, html=None, attachments=(), headers=(),
        content_types=(), defects=("no MIME parser could read this message",), parser="raw",
        size=len(raw), needs_human=True,
    )


_HEADER_LINE = re.compile(rb"[!-9;-~]+:|From ")


def _repair_head(raw: bytes) -> tuple[bytes, list[str]]:
    """Skip blank or junk lines before the header block, which would make it all body."""
    if _HEADER_LINE.match(raw):
        return raw, []
    lines = raw[:4096].splitlines(keepends=True)[:6]
    skipped = 0
    for i, line in enumerate(lines[:-1]):
        if _HEADER_LINE.match(line) and _HEADER_LINE.match(lines[i + 1]):
            what = "blank" if not raw[:skipped].strip() else "junk"
            return raw[skipped:], [f"{i} {what} line(s) before the headers skipped"]
        skipped += len(line)
    return raw, []


# --- reading a parsed tree into ParsedMail --------------------------------------------------


class _Headers:
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
        self._charset: str | None | bool = False

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
        if self._charset is False:
            data = b" ".join(
                value.encode("utf-8", "surrogateescape")
                for _, value in self.items
                if has_raw_bytes(value)
            )
            declared = _declared_charset(self._msg)
            self._charset = guess_charset(data, (declared,) if declared else ()) if data else declared
        return self._charset or None


def _declared_charset(msg: Message) -> str | None:
    for i, part in enumerate(_iter_parts(msg)):
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
    headers = _Headers(msg)
    walk = _Walk(headers, defects, part_defects)
    walk.run(msg)
    attachments, tnef_text = expand_tnef(walk.attachments, defects)
    html = "\n".join(walk.htmls) or None
    text = "\n\n".join(t for t in walk.texts if t.strip())
    if not text.strip() and html:
        text = html_to_text(html)
    if not text.strip() and tnef_text:
        text = tnef_text
    problems: list[str] = []
    from_list = _addresses(headers, "from", problems, allow_local=True)
    if not from_list:
        for other in ("sender", "reply-to"):
            from_list = _addresses(headers, other, problems, allow_local=False)
            if from_list:
                defects.append(f"no usable From header; sender taken from {other.title()}")
                break
    defects.extend(problems)
    return ParsedMail(
        from_=from_list[0] if from_list else None,
        reply_to=tuple(_addresses(headers, "reply-to", defects)),
        to=tuple(_addresses(headers, "to", defects)),
        cc=tuple(_addresses(headers, "cc", defects)),
        subject=headers.text(headers.raw("subject"), defects),
        date=_date(headers),
        message_id=_msgid(headers.raw("message-id")),
        in_reply_to=_msgid(headers.raw("in-reply-to")),
        references=_msgids(headers.raw("references")),
        text=_tidy_text(text),
        html=html,
        attachments=tuple(attachments),
        headers=_kept_headers(headers),
        content_types=tuple(walk.content_types),
        defects=_capped(defects),
        parser=parser,
        size=len(raw),
        needs_human=not headers.items,
    )


def _tidy_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _capped(defects: list[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(d[:500] for d in defects))
    if len(unique) > _MAX_DEFECTS:
        unique = unique[:_MAX_DEFECTS] + [f"... and {len(unique) - _MAX_DEFECTS} more defects"]
    return tuple(unique)


def _iter_parts(msg: Message) -> Iterator[Message]:
    """Every part in document order, attached messages included, without recursion."""
    stack = [msg]
    while stack:
        part = stack.pop()
        yield part
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))


# --- the MIME walk: bodies and attachments --------------------------------------------------

_BODY_TYPES = ("text/plain", "text/html")
_MESSAGE_TYPES = ("message/rfc822", "message/global")


class _Walk:
    """Reads bodies and attachments out of a parsed tree.

    In a multipart/related only the root part (``start``, else the first) can hold the body;
    the rest are its resources. Elsewhere every inline, unnamed text/plain or text/html part
    is body text. Everything else is an attachment, and an attached message is one
    attachment (``<its subject>.eml``), never walked into.
    """

    def __init__(self, headers: _Headers, defects: list[str], part_defects: bool) -> None:
        self.headers = headers
        self.defects = defects
        self.part_defects = part_defects
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[Attachment] = []
        self.content_types: list[str] = []

    def run(self, msg: Message) -> None:
        stack: list[tuple[Message, bool]] = [(msg, True)]
        while stack:
            part, may_be_body = stack.pop()
            ctype = part.get_content_type()
            self.content_types.append(ctype)
            if self.part_defects:
                self.defects.extend(f"{ctype}: {type(d).__name__}" for d in part.defects)
            payload = part.get_payload()
            if isinstance(payload, list) and ctype.startswith("multipart/"):
                children = [p for p in payload if isinstance(p, Message)]
                roles = self._child_roles(part, ctype, children, may_be_body)
                stack.extend(reversed(list(zip(children, roles, strict=True))))
            elif isinstance(payload, list) or ctype in _MESSAGE_TYPES:
                self._message_part(part, ctype)
            else:
                self._leaf(part, ctype, may_be_body)

    def _child_roles(
        self, part: Message, ctype: str, children: list[Message], may_be_body: bool
    ) -> list[bool]:
        if not may_be_body or _disposition(part) == "attachment":
            return [False] * len(children)
        if ctype != "multipart/related" or not children:
            return [True] * len(children)
        start = str(part.get_param("start") or "").strip().strip("<>")
        root = next(
            (i for i, c in enumerate(children) if start and _content_id(c) == start), 0
        )
        return [i == root for i in range(len(children))]

    def _leaf(self, part: Message, ctype: str, may_be_body: bool) -> None:
        name = self._filename(part)
        disposition = _disposition(part)
        if ctype.startswith("multipart/"):
            # A multipart whose boundary never shows up: its raw text is all there is.
            self.defects.append(f"{ctype} without usable parts; read as text")
            ctype = "text/plain"
        if may_be_body and ctype in _BODY_TYPES and not name and disposition != "attachment":
            text, note = decode_payload(part)
            if note:
                self.defects.append(f"{ctype} part: {note}")
            if ctype == "text/html":
                self.htmls.append(text)
                return
            text, blocks = split_uuencoded(text)
            self.texts.append(text)
            for uu_name, data in blocks:
                self._add(_clean_name(uu_name) or "attachment.bin", guess_type(uu_name), data)
            return
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        self._add(
            name or self._default_name(part, ctype), ctype, data,
            inline=disposition == "inline" or (not disposition and _content_id(part) is not None),
            content_id=_content_id(part),
        )

    def _message_part(self, part: Message, ctype: str) -> None:
        payload = part.get_payload()
        inner = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        data = b"".join(_as_bytes(p) for p in inner)
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable") and data:
            data = _undo_transfer_encoding(data, cte)
            inner = [email.message_from_bytes(data[:65536])]
        name = self._filename(part)
        if not name and ctype in _MESSAGE_TYPES:
            subject = self.headers.text(_raw_of(inner[0], "subject") or None) if inner else ""
            name = _clean_name(_description(self, part) or subject) or "message"
            name = name if name.lower().endswith(".eml") else f"{name}.eml"
        self._add(
            name or self._default_name(part, ctype), ctype, data,
            inline=_disposition(part) == "inline", content_id=_content_id(part),
        )

    def _add(
        self, name: str, ctype: str, data: bytes, *, inline: bool = False,
        content_id: str | None = None,
    ) -> None:
        self.attachments.append(
            Attachment(
                filename=name, content_type=ctype, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), data=data, inline=inline,
                content_id=content_id,
            )
        )

    def _filename(self, part: Message) -> str:
        for header, param in (("content-disposition", "filename"), ("content-type", "name")):
            value = self._param(part, header, param)
            if value:
                return _clean_name(value)
        return ""

    def _param(self, part: Message, header: str, param: str) -> str:
        """A header parameter decoded: RFC 2231 (charset, continuations), RFC 2047, 8-bit."""
        raw = _raw_of(part, header)
        if not raw:
            return ""
        if has_raw_bytes(raw):
            holder = Message()
            holder._headers = [(header, raw_bytes_to_text(raw, self.headers.charset))]
            part = holder
        try:
            value = part.get_param(param, header=header)
        except Exception:  # noqa: BLE001 - unreadable parameters name nothing
            return ""
        if isinstance(value, tuple):
            charset, _lang, text = value
            try:
                data = str(text).encode("latin-1")
            except UnicodeEncodeError:
                value = str(text)
            else:
                value, note = decode_bytes(data, charset or None)
                if note:
                    self.defects.append(f"{param}: {note}")
        return clean_line(decode_words(str(value or ""), self.defects))

    def _default_name(self, part: Message, ctype: str) -> str:
        """A name for an unnamed part: its description, else its kind, with an extension."""
        ext = extension_for(ctype)
        described = _clean_name(_description(self, part))
        if described:
            return described if described.lower().endswith(ext) else f"{described}{ext}"
        main, _, sub = ctype.partition("/")
        if main in ("image", "audio", "video"):
            return f"{main}{ext}"
        if main == "message" or ctype == "text/rfc822-headers":
            return f"{sub}{ext}"
        return f"attachment{ext}"


def _description(walk: _Walk, part: Message) -> str:
    text = walk.headers.text(_raw_of(part, "content-description") or None)
    return text if len(text) <= 100 else ""


def _raw_of(part: Message, header: str) -> str:
    """The first raw value of a header of one part (8-bit bytes still as surrogate escapes)."""
    return next((str(v) for k, v in part.raw_items() if k.lower() == header), "")


def _disposition(part: Message) -> str:
    value = part.get("content-disposition")
    if value is None:
        return ""
    return str(value).split(";", 1)[0].strip().lower()


def _content_id(part: Message) -> str | None:
    value = part.get("content-id")
    if value is None:
        return None
    return clean_line(str(value)).strip("<> ")[:_MAX_NAME_CHARS] or None


def _clean_name(name: str) -> str:
    """A file name as a name: no directories, no control characters, not too long."""
    name = clean_line(name).replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    if len(name) > _MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: _MAX_NAME_CHARS - len(ext) - 1]}.{ext}" if dot and len(ext) < 10 else name[:_MAX_NAME_CHARS]
    return name


def _as_bytes(msg: Message) -> bytes:
    """A parsed (sub)message back as bytes, 8-bit content kept as it came."""
    buffer = io.BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0).flatten(msg)
    except Exception:  # noqa: BLE001 - a message the generator cannot write is kept as text
        try:
            return msg.as_string().encode("utf-8", "surrogateescape")
        except Exception:  # noqa: BLE001
            return b""
    return buffer.getvalue()


def _undo_transfer_encoding(data: bytes, cte: str) -> bytes:
    try:
        if cte == "base64":
            return base64.b64decode(b"".join(data.split()), validate=False)
        return binascii.a2b_qp(data)
    except (binascii.Error, ValueError):
        return data


# --- headers -------------------------------------------------------------------------------


def _addresses(
    headers: _Headers, name: str, problems: list[str], *, allow_local: bool = False
) -> list[Address]:
    result: list[Address] = []
    for value in headers.index.get(name, ()):
        text = raw_bytes_to_text(value[:_MAX_RAW_HEADER_CHARS], headers.charset)
        result.extend(parse_address_list(text, allow_local=allow_local, problems=problems))
        if len(result) >= _MAX_ADDRESSES:
            return result[:_MAX_ADDRESSES]
    return result


_ADDRESS_TOKEN = re.compile(
    r'"(?P<quoted>(?:[^"\\]|\\.)*)"?'
    r"|\((?P<comment>(?:[^()\\]|\\.)*)\)?"  # (not nested)
    r"|<(?P<angle>[^<>]*)>?"
    r"|(?P<word>[^\s\"(<]+)",
    re.DOTALL,
)
_BACKSLASH = re.compile(r"\\(.)", re.DOTALL)


def parse_address_list(
    value: str, *, allow_local: bool = False, problems: list[str] | None = None
) -> list[Address]:
    """Addresses out of one (already 8-bit-decoded) address header, forgiving of mistakes.

    ``Name <a@b>``, ``a@b (Name)``, ``"Last, First" <a@b>``, groups, unquoted names with
    odd characters, and a bare word with no ``@`` when ``allow_local`` (``MAILER-DAEMON``).
    Encoded words are decoded in names only, never in the address itself (RFC 2047 5).
    """
    result = []
    for item in _split_address_list(value.replace("\r", " ").replace("\n", " ")):
        found = _parse_address(item, allow_local)
        if found is None:
            continue
        addr, name = found
        result.append(Address(email=addr.lower(), name=clean_line(decode_words(name, problems)).strip("\"' ")))
        if len(result) >= _MAX_ADDRESSES:
            break
    return result


def _split_address_list(value: str) -> list[str]:
    """Split at commas outside quotes, comments and angle brackets; group names dropped."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = angle = False
    depth = 0
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth = 1
        elif ch == "<":
            angle = True
        elif ch == ">":
            angle = False
        elif ch in ",;" and not angle:
            items.append("".join(current))
            current = []
            continue
        elif ch == ":" and not angle:
            current = []  # "group name:" comes before its members
            continue
        current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _parse_address(item: str, allow_local: bool) -> tuple[str, str] | None:
    words: list[tuple[str, bool]] = []  # (text, was quoted)
    comments: list[str] = []
    angle: str | None = None
    for match in _ADDRESS_TOKEN.finditer(item):
        kind = match.lastgroup
        text = match.group(kind or "word") or ""
        if kind == "angle":
            angle = text if angle is None else angle
        elif kind == "comment":
            comments.append(_BACKSLASH.sub(r"\1", text).strip())
        elif kind == "quoted":
            words.append((_BACKSLASH.sub(r"\1", text), True))
        else:
            words.append((text, False))
    if angle is not None and ("@" in angle or (allow_local and angle.strip())):
        addr = angle.strip()
        if addr.startswith("@") and ":" in addr:
            addr = addr.split(":", 1)[1]  # an obsolete source route
        return _valid(addr, " ".join(text for text, _ in words) or " ".join(comments))
    at = [i for i, (text, _) in enumerate(words) if "@" in text.strip("<>")]
    if at:
        index = next((i for i in reversed(at) if not words[i][1]), at[-1])
        rest = " ".join(text for i, (text, _) in enumerate(words) if i != index)
        return _valid(words[index][0].strip("<>"), rest or " ".join(comments))
    if allow_local and len(words) == 1 and not words[0][1]:
        return _valid(words[0][0].strip("<>"), " ".join(comments))
    return None


def _valid(addr: str, name: str) -> tuple[str, str] | None:
    addr = addr.strip().strip("'\"")
    if not addr or any(ch.isspace() for ch in addr) or addr.startswith("@") or addr.endswith("@"):
        return None
    return clean_line(addr), name.strip()


def _date(headers: _Headers) -> datetime | None:
    value = headers.raw("date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(clean_line(value.encode("utf-8", "surrogateescape").decode("ascii", "ignore")))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
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


def _kept_headers(headers: _Headers) -> tuple[tuple[str, str], ...]:
    kept = []
    for name, value in headers.items:
        if name in _KEPT_HEADERS or name.startswith("list-"):
            kept.append((name, headers.text(value)))
            if len(kept) >= _MAX_KEPT_HEADERS:
                break
    return tuple(kept)

