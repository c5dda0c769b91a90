"""The walk over a parsed MIME tree: which parts are bodies, which are attachments."""


from __future__ import annotations

import base64
import binascii
import email
import email.policy
import hashlib
import io
import re
from collections.abc import Iterator
from email.generator import BytesGenerator
from email.message import Message
from typing import TYPE_CHECKING

from intake.mail import Attachment
from intake.mime_text import (
    clean_line,
    decode_bytes,
    decode_payload,
    decode_words,
    extension_for,
    guess_type,
    has_raw_bytes,
    html_to_text,
    part_charset,
    raw_bytes_to_text,
    split_uuencoded,
)

if TYPE_CHECKING:
    from intake.parsing import HeaderIndex

_MAX_NAME_CHARS = 255
_BODY_TYPES = ("text/plain", "text/html")
_MESSAGE_TYPES = ("message/rfc822", "message/global")


class MimeWalk:
    """Reads bodies and attachments out of a parsed tree.

    In a multipart/related only the root part (``start``, else the first) can hold the body;
    the rest are its resources. Elsewhere every inline, unnamed text/plain or text/html part
    is body text. Everything else is an attachment, and an attached message is one
    attachment (``<its subject>.eml``), never part of the body. ``content_types`` lists
    every part as ``Message.walk()`` does, an attached message's parts included, so a
    detector sees ``message/delivery-status`` where it is.
    """

    def __init__(self, headers: HeaderIndex, defects: list[str], part_defects: bool) -> None:
        self.headers = headers
        self.defects = defects
        self.part_defects = part_defects
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[Attachment] = []
        self.content_types: list[str] = []
        self.recoveries = 0
        self.spare_texts: list[str] = []  # named inline text, read when there is no other
        self.spare_htmls: list[str] = []

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
        payload = part.get_payload()
        inner = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        for message in inner:  # content_types lists what Message.walk() lists, inner parts too
            self.content_types.extend(p.get_content_type() for p in iter_parts(message))
        data = b"".join(_as_bytes(p) for p in inner)
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable") and data:
            data = _undo_transfer_encoding(data, cte)
            inner = [email.message_from_bytes(data[:65536])]
        name = self._filename(part)
        if not name and ctype in _MESSAGE_TYPES:
            subject = self.headers.text(_raw_of(inner[0], "subject") or None) if inner else ""
            name = _clean_name(subject or _description(self, part)) or "message"
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


def _description(walk: MimeWalk, part: Message) -> str:
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


def bodies_of(walk: MimeWalk, tnef_text: str | None) -> tuple[str, str | None]:
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
    return tidy_text(text), html


def tidy_text(text: str) -> str:
    """Line ends as LF, no NUL characters (a database text column refuses them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip("\n")


def iter_parts(msg: Message) -> Iterator[Message]:
    """Every part in document order, attached messages included, without recursion."""
    stack = [msg]
    while stack:
        part = stack.pop()
        yield part
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
