"""Raw bytes -> ParsedMail: mail-parser first, the standard library next, raw text last.

Parsing never raises: whatever the bytes are, a ParsedMail comes back, with the
problems it met listed in ``defects`` and ``needs_human`` set when the message
could not be read properly.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from dataclasses import replace
from datetime import datetime, timezone
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from intake.mail import Address, Attachment, ParsedMail
from intake.mime_text import decode_payload, html_to_text
from intake.tnef import expand_tnef

log = logging.getLogger(__name__)
# mail-parser logs every odd part at WARNING; we record defects ourselves.
logging.getLogger("mailparser").setLevel(logging.ERROR)

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
_MAX_HEADER_CHARS = 4000


def parse_mail(raw: bytes, *, max_bytes: int | None = None) -> ParsedMail:
    """Parse raw message bytes; never raises."""
    oversize = max_bytes is not None and len(raw) > max_bytes
    for parser in (_parse_with_mailparser, _parse_with_stdlib):
        try:
            parsed = parser(raw)
        except Exception as exc:  # noqa: BLE001 - any parser failure moves on to the next one
            log.info("%s failed: %s", parser.__name__, exc)
            continue
        if oversize:
            return _flag(parsed, f"message of {len(raw)} bytes is over the limit of {max_bytes}")
        return parsed
    return _parse_as_raw_text(raw)


def _flag(parsed: ParsedMail, defect: str) -> ParsedMail:
    return replace(parsed, defects=parsed.defects + (defect,), needs_human=True)


# --- the two MIME parsers ------------------------------------------------------------------


def _parse_with_mailparser(raw: bytes) -> ParsedMail:
    import mailparser

    mp = mailparser.MailParser.from_bytes(raw)
    msg = mp.message
    if msg is None:
        raise ValueError("mail-parser returned no message")
    defects: list[str] = []
    for entry in mp.defects:
        for part, items in entry.items():
            defects.extend(f"{part}: {item}" for item in items)
    attachments = [_attachment_from_mailparser(a, defects) for a in mp.attachments]
    text = "\n\n".join(t for t in mp.text_plain if t.strip())
    html = "\n".join(mp.text_html) or None
    return _build(raw, msg, text, html, attachments, defects, parser="mail-parser")


def _attachment_from_mailparser(item: dict, defects: list[str]) -> Attachment:
    import base64
    import binascii

    payload = item.get("payload") or ""
    if item.get("binary"):
        try:
            data = base64.b64decode(payload)
        except (binascii.Error, ValueError):
            defects.append(f"attachment {item.get('filename')!r}: bad base64, kept as text")
            data = payload.encode("utf-8", "surrogateescape")
    else:
        data = payload.encode("utf-8", "surrogateescape")
    disposition = (item.get("content-disposition") or "").lower()
    content_id = (item.get("content-id") or "").strip("<> ") or None
    return _attachment(
        filename=_clean_header(item.get("filename") or ""),
        content_type=(item.get("mail_content_type") or "application/octet-stream").lower(),
        data=data,
        inline=disposition.startswith("inline") or (content_id is not None and not disposition),
        content_id=content_id,
    )


def _parse_with_stdlib(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    defects = [f"{type(d).__name__}" for part in msg.walk() for d in getattr(part, "defects", [])]
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = _decode_words(part.get_filename() or "")
        disposition = (part.get("Content-Disposition") or "").lower()
        if not filename and ctype in ("text/plain", "text/html") and "attachment" not in disposition:
            body, problem = decode_payload(part)
            if problem:
                defects.append(problem)
            (htmls if ctype == "text/html" else texts).append(body)
            continue
        data = part.get_payload(decode=True) or b""
        attachments.append(
            _attachment(
                filename=filename or _default_name(ctype),
                content_type=ctype,
                data=data,
                inline=disposition.startswith("inline"),
                content_id=(part.get("Content-ID") or "").strip("<> ") or None,
            )
        )
    text = "\n\n".join(t for t in texts if t.strip())
    return _build(raw, msg, text, "\n".join(htmls) or None, attachments, defects, parser="stdlib")


def _parse_as_raw_text(raw: bytes) -> ParsedMail:
    """Last resort: the bytes as text, flagged for a human."""
    text = raw.decode("utf-8", "replace")
    return ParsedMail(
        from_=None, reply_to=(), to=(), cc=(), subject="", date=None, message_id=None,
        in_reply_to=None, references=(), text=text, html=None, attachments=(), headers=(),
        content_types=(), defects=("no MIME parser could read this message",), parser="raw",
        size=len(raw), needs_human=True,
    )


# --- shared building blocks --------------------------------------------------------------


def _build(
    raw: bytes,
    msg: Message,
    text: str,
    html: str | None,
    attachments: list[Attachment],
    defects: list[str],
    *,
    parser: str,
) -> ParsedMail:
    attachments = expand_tnef(attachments, defects)
    if not text.strip() and html:
        text = html_to_text(html)
    subject = _header_text(msg, "Subject")
    from_list = _addresses(msg, "From")
    return ParsedMail(
        from_=from_list[0] if from_list else None,
        reply_to=tuple(_addresses(msg, "Reply-To")),
        to=tuple(_addresses(msg, "To")),
        cc=tuple(_addresses(msg, "Cc")),
        subject=subject,
        date=_date(msg),
        message_id=_msgid(msg.get("Message-ID")),
        in_reply_to=_msgid(msg.get("In-Reply-To")),
        references=tuple(_msgids(msg.get("References"))),
        text=text.replace("\r\n", "\n").strip("\n"),
        html=html,
        attachments=tuple(attachments),
        headers=_kept_headers(msg),
        content_types=tuple(p.get_content_type() for p in msg.walk()),
        defects=tuple(dict.fromkeys(defects)),
        parser=parser,
        size=len(raw),
        needs_human=not msg.keys(),
    )


def _attachment(
    *, filename: str, content_type: str, data: bytes, inline: bool, content_id: str | None
) -> Attachment:
    return Attachment(
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        inline=inline,
        content_id=content_id,
    )


def _default_name(content_type: str) -> str:
    main, _, sub = content_type.partition("/")
    return {"message": "message.eml", "text": f"part.{sub or 'txt'}"}.get(main, f"part.{sub or 'bin'}")


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; undecodable parts stay as they were."""
    if "=?" not in value:
        return _clean_header(value)
    try:
        return _clean_header(str(make_header(decode_header(value))))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return _clean_header(value)


def _clean_header(value: str) -> str:
    """One line, no control characters, surrogates from 8-bit headers made visible."""
    value = re.sub(r"[\r\n\t]+", " ", str(value))
    value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value).strip()


def _header_text(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    return _decode_words(_raw_header(value))[:_MAX_HEADER_CHARS]


def _raw_header(value: object) -> str:
    """A header as a string; 8-bit header bytes read as UTF-8, else Windows-1252."""
    if isinstance(value, email.header.Header):
        return str(value)
    text = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        data = text.encode("ascii", "surrogateescape")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    return text


def _addresses(msg: Message, name: str) -> list[Address]:
    values = [_raw_header(v) for v in msg.get_all(name) or []]
    if not values:
        return []
    result = []
    for display, addr in getaddresses(values):
        addr = _clean_header(addr).strip("<>").lower()
        if "@" not in addr:
            # getaddresses gives up on some broken headers; parseaddr is more forgiving.
            display2, addr2 = parseaddr(values[0])
            addr = _clean_header(addr2).lower()
            display = display or display2
        if "@" in addr:
            result.append(Address(email=addr, name=_decode_words(display).strip('"\' ')))
    return result


def _date(msg: Message) -> datetime | None:
    value = msg.get("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(_raw_header(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


_MSGID = re.compile(r"<([^<>\s]+)>")


def _msgid(value: object) -> str | None:
    if value is None:
        return None
    text = _clean_header(_raw_header(value))
    found = _MSGID.search(text)
    if found:
        return found.group(1)
    return text.strip("<> ") or None


def _msgids(value: object) -> list[str]:
    if value is None:
        return []
    return _MSGID.findall(_clean_header(_raw_header(value)))


def _kept_headers(msg: Message) -> tuple[tuple[str, str], ...]:
    kept = []
    for key, value in msg.items():
        name = key.lower()
        if name in _KEPT_HEADERS or name.startswith("list-"):
            kept.append((name, _decode_words(_raw_header(value))[:_MAX_HEADER_CHARS]))
    return tuple(kept)
