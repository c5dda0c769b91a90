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
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
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
# mail-parser and tnefparse log every odd part, at ERROR quoting header text (names,
# addresses) that our logs must not carry. What went wrong is in ParsedMail.defects.
logging.getLogger("mailparser").setLevel(logging.CRITICAL)
logging.getLogger("tnefparse").setLevel(logging.CRITICAL)

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


def _parse_with_mailparser(raw: bytes) -> ParsedMail:
    import mailparser

    data, defects = _repair_head(raw)
    mp = mailparser.MailParser.from_bytes(data)
    if mp.message is not None and _headers_cut_short(mp.message):
        joined = _join_broken_folds(data, defects)
        if joined is not None:
            mp = mailparser.MailParser.from_bytes(joined)
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
    if _headers_cut_short(msg):
        joined = _join_broken_folds(data, defects)
        if joined is not None:
            msg = email.message_from_bytes(joined, policy=email.policy.compat32)
    return _read(raw, msg, defects, parser="stdlib", part_defects=True)


def _parse_as_raw_text(raw: bytes) -> ParsedMail:
    """Last resort: the bytes as text, flagged for a human."""
    text, _ = decode_bytes(raw, None)
    return ParsedMail(
        from_=None, reply_to=(), to=(), cc=(), subject="", date=None, message_id=None,
        in_reply_to=None, references=(), text=_tidy_text(text), html=None, attachments=(),
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
    text, html = _bodies(walk, tnef_text)
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
        attached_texts=tuple(walk.attached_texts),
    )


def _bodies(walk: _Walk, tnef_text: str | None) -> tuple[str, str | None]:
    """The text: plain parts, else the HTML as text, else named inline text, else TNEF's."""
    texts, htmls = walk.texts, walk.htmls
    if not any(t.strip() for t in texts) and not htmls:
        texts, htmls = walk.spare_texts, walk.spare_htmls
    html = "\n".join(htmls).replace("\x00", "") or None
    text = "\n\n".join(t for t in texts if t.strip())
    if not text.strip() and html:
        text = html_to_text(html)
    if not text.strip() and tnef_text:
        text = tnef_text
    return _tidy_text(text), html


def _sender(headers: _Headers, defects: list[str]) -> Address | None:
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


def _tidy_text(text: str) -> str:
    """Line ends as LF, no NUL characters (a database text column refuses them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip("\n")


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
    attachment (``<its subject>.eml``): its text goes to ``attached_texts``, never into the
    body. ``content_types`` lists every part as ``Message.walk()`` does, an attached
    message's parts included, so a detector sees ``message/delivery-status`` where it is.
    """

    def __init__(
        self, headers: _Headers, defects: list[str], part_defects: bool, *, nested: bool = False
    ) -> None:
        self.headers = headers
        self.nested = nested  # walking an attached message: its own attached ones are not read
        self.defects = defects
        self.part_defects = part_defects
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[Attachment] = []
        self.content_types: list[str] = []
        self.recoveries = 0
        self.spare_texts: list[str] = []  # named inline text, read when there is no other
        self.spare_htmls: list[str] = []
        self.attached_texts: list[str] = []

    def run(self, msg: Message) -> None:
        stack: list[tuple[Message, bool]] = [(msg, True)]
        while stack:
            part, may_be_body = stack.pop()
            ctype = part.get_content_type()
            self.content_types.append(ctype)
            if self.part_defects:
                self.defects.extend(f"{ctype}: {type(d).__name__}" for d in part.defects)
            payload = part.get_payload()
            if ctype.startswith("multipart/") and isinstance(payload, str) and self.recoveries < 20:
                recovered = _recover_multipart(part, ctype, payload)
                if recovered is not None:
                    self.recoveries += 1
                    self.defects.append(f"{ctype}: boundary written unlike declared; recovered")
                    payload = recovered.get_payload()
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
        # Unnamed inline text is body; a named text part is a file, even when shown inline.
        if may_be_body and ctype in _BODY_TYPES and not name and disposition != "attachment":
            text, note = decode_payload(part)
            if note:
                self.defects.append(f"{ctype} part: {note}")
            if ctype == "text/html":
                self.htmls.append(text)
                return
            text, blocks = split_uuencoded(text)
            self.texts.append(text)
            for uu_name, uu_data in blocks:
                self._add(_clean_name(uu_name) or "attachment.bin", guess_type(uu_name), uu_data)
            return
        if self.nested and ctype not in _BODY_TYPES:
            return  # only the text of an attached message is read
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        if may_be_body and ctype in _BODY_TYPES and disposition != "attachment":
            # A named text part meant to be seen: the body when the message has no other.
            text, _ = decode_bytes(data, part_charset(part))
            (self.spare_htmls if ctype == "text/html" else self.spare_texts).append(text)
        self._add(
            name or self._default_name(part, ctype), ctype, data,
            inline=disposition == "inline" or (not disposition and _content_id(part) is not None),
            content_id=_content_id(part),
        )

    def _message_part(self, part: Message, ctype: str) -> None:
        if self.nested:
            return
        payload = part.get_payload()
        inner = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        for message in inner:  # content_types lists what Message.walk() lists, inner parts too
            self.content_types.extend(p.get_content_type() for p in _iter_parts(message))
        data = b"".join(_as_bytes(p) for p in inner)
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable") and data:
            data = _undo_transfer_encoding(data, cte)
            inner = [email.message_from_bytes(data[:65536])]
        if ctype in _MESSAGE_TYPES and inner and not self.nested:
            self.attached_texts.append(self._text_of(inner[0]))
        name = self._filename(part)
        if not name and ctype in _MESSAGE_TYPES:
            subject = self.headers.text(_raw_of(inner[0], "subject") or None) if inner else ""
            name = _clean_name(subject or _description(self, part)) or "message"
            name = name if name.lower().endswith(".eml") else f"{name}.eml"
        self._add(
            name or self._default_name(part, ctype), ctype, data,
            inline=_disposition(part) == "inline", content_id=_content_id(part),
        )

    def _text_of(self, message: Message) -> str:
        """The body text of an attached message, read as the message itself is read."""
        walk = _Walk(self.headers, [], part_defects=False, nested=True)
        walk.run(message)
        return _bodies(walk, None)[0]

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
        if has_raw_bytes(raw):  # read the 8-bit bytes first, then the parameters
            part = Message()
            part[header] = raw_bytes_to_text(raw, self.headers.charset)
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
        cid_name = _CID_FILE_NAME.match(_content_id(part) or "")
        if cid_name:
            return cid_name.group(1)  # Outlook's "image001.png@01D2..." names the file
        described = _clean_name(_description(self, part))
        if described:
            return described if described.lower().endswith(ext) else f"{described}{ext}"
        if ctype in _DEFAULT_NAMES:
            return _DEFAULT_NAMES[ctype]
        main, _, sub = ctype.partition("/")
        if main in ("image", "audio", "video"):
            return f"{main}{ext}"
        if main == "message" or ctype == "text/rfc822-headers":
            return f"{sub}{ext}"
        return f"attachment{ext}"


_DEFAULT_NAMES = {
    "application/pgp-signature": "signature.asc", "application/pgp-keys": "key.asc",
    "application/pkcs7-signature": "smime.p7s", "application/x-pkcs7-signature": "smime.p7s",
    "application/pkcs7-mime": "smime.p7m", "application/x-pkcs7-mime": "smime.p7m",
    "application/pgp-encrypted": "pgp-encrypted.asc", "text/calendar": "invite.ics",
    "application/ms-tnef": "winmail.dat", "application/vnd.ms-tnef": "winmail.dat",
}
_CID_FILE_NAME = re.compile(r"([\w\- ]+\.(?![0-9]+@)[A-Za-z0-9]{2,5})@")


_DELIMITER = re.compile(r"(?m)^--([^\r\n]{1,200}?)[ \t]*\r?$")


def _recover_multipart(part: Message, ctype: str, payload: str) -> Message | None:
    """Re-read a multipart whose declared boundary never matched, when the boundary in the
    body is the declared one folded over two header lines or in another letter case."""
    declared = part.get_boundary()
    if not declared or "--" not in payload:
        return None
    variants = {re.sub(r"\r?\n", "", declared).lower(), re.sub(r"\s+", "", declared).lower()}
    for line in _DELIMITER.finditer(payload):
        found = line.group(1).removesuffix("--")
        if found != declared and found.lower() in variants:
            quoted = found.replace("\\", "\\\\").replace('"', '\\"')
            head = f'Content-Type: {ctype}; boundary="{quoted}"\r\n\r\n'
            data = (head + payload).encode("utf-8", "surrogateescape")
            recovered = email.message_from_bytes(data, policy=email.policy.compat32)
            return recovered if isinstance(recovered.get_payload(), list) else None
    return None


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
        if dot and len(ext) < 10:
            name = f"{stem[: _MAX_NAME_CHARS - len(ext) - 1]}.{ext}"
        else:
            name = name[:_MAX_NAME_CHARS]
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
        name = clean_line(decode_words(name, problems)).strip("\"' ")
        result.append(Address(email=addr.lower(), name=name))
        if len(result) >= _MAX_ADDRESSES:
            break
    return result


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?]*\?=")
_SEPARATOR_IN_ANGLE = re.compile(r"<[^>]*[,;]")


def _split_address_list(value: str) -> list[str]:
    """Split at commas outside quotes, comments, angle brackets and encoded words; group
    names ("undisclosed-recipients:") dropped."""
    if not any(ch in value for ch in '"(\\:=') and not _SEPARATOR_IN_ANGLE.search(value):
        # The common case: no quotes, comments, groups or encoded words to keep together.
        return [item.strip() for item in re.split("[,;]", value) if item.strip()]
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = angle = False
    depth = i = 0
    while i < len(value):
        ch = value[i]
        i += 1
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
        elif ch == "=" and value.startswith("?", i):
            word = _ENCODED_WORD.match(value, i - 1)
            if word:  # "=?iso-8859-1?Q?B=FCrling,=20Andreas?=" holds a comma that is a name's
                current.append(word.group())
                i = word.end()
                continue
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
            current = []
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
    if angle is not None and ("@" in angle or (allow_local and _LOCAL_PART.match(angle.strip()))):
        addr = angle.strip()
        if addr.startswith("@") and ":" in addr:
            addr = addr.split(":", 1)[1]  # an obsolete source route
        name = " ".join(text for text, _ in words) or " ".join(comments)
        return _valid(addr, name, spaces_ok=True)
    at = [i for i, (text, _) in enumerate(words) if "@" in text.strip("<>")]
    if at:
        index = next((i for i in reversed(at) if not words[i][1]), at[-1])
        rest = " ".join(text for i, (text, _) in enumerate(words) if i != index)
        return _valid(words[index][0].strip("<>"), rest or " ".join(comments))
    in_comment = [c for c in comments if "@" in c and " " not in c.strip()]
    if in_comment:  # "Name (a@b)": the address was written as a comment
        return _valid(in_comment[0].strip("<> "), " ".join(text for text, _ in words))
    if allow_local and len(words) == 1 and not words[0][1] and _LOCAL_PART.match(words[0][0]):
        return _valid(words[0][0], " ".join(comments))
    return None


_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+=-]+\Z")


def _valid(addr: str, name: str, *, spaces_ok: bool = False) -> tuple[str, str] | None:
    """The address if it can be one: something before and after any @, no blanks unless
    written inside <> (kept as written, for a human to see; no reply will go there)."""
    addr = clean_line(addr.strip("'\"")).rstrip(".")  # "a@example.com." is a@example.com
    if not addr or addr.startswith("@") or addr.endswith("@"):
        return None
    if " " in addr and not spaces_ok:
        return None
    return addr, name.strip()


def _date(headers: _Headers) -> datetime | None:
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


def _kept_headers(headers: _Headers) -> tuple[tuple[str, str], ...]:
    kept = []
    for name, value in headers.items:
        if name in _KEPT_HEADERS or name.startswith("list-"):
            kept.append((name, headers.text(value)))
            if len(kept) >= _MAX_KEPT_HEADERS:
                break
    return tuple(kept)

