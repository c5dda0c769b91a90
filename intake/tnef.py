"""Outlook's winmail.dat (TNEF) unpacked into the attachments it carries, with tnefparse."""

from __future__ import annotations

import hashlib
import logging

from intake.mail import Attachment
from intake.mime_text import decode_bytes, guess_type, html_to_text

log = logging.getLogger(__name__)

_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
_TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"


def is_tnef(att: Attachment) -> bool:
    return att.content_type in _TNEF_TYPES or att.filename.lower() == "winmail.dat"


def expand_tnef(
    attachments: list[Attachment], defects: list[str]
) -> tuple[list[Attachment], str | None]:
    """Replace every winmail.dat by its real attachments; keep it as it is when unreadable.

    Returns the attachments and the text of the first TNEF body found (Outlook sometimes
    puts the only copy of the message text in there), or None.
    """
    result: list[Attachment] = []
    body: str | None = None
    for att in attachments:
        if not is_tnef(att):
            result.append(att)
            continue
        if not att.data.startswith(_TNEF_SIGNATURE):
            defects.append(f"{att.filename}: not a TNEF file, kept as it is")
            result.append(att)
            continue
        try:
            from tnefparse import TNEF

            tnef = TNEF(att.data, do_checksum=False)
            inner = [_attachment(item) for item in tnef.attachments]
            body = body or _body(tnef)
        except Exception as exc:  # noqa: BLE001 - a broken winmail.dat is kept, not lost
            defects.append(f"winmail.dat could not be unpacked: {exc!r}"[:300])
            result.append(att)
            continue
        if not inner:
            result.append(att)
            continue
        result.extend(inner)
    return result, body


def _attachment(item: object) -> Attachment:
    data = bytes(getattr(item, "data", None) or b"")
    name = item.long_filename() or getattr(item, "name", None)  # type: ignore[attr-defined]
    name = name or "attachment.bin"
    if isinstance(name, bytes):
        name = decode_bytes(name, None)[0]
    name = str(name).strip("\x00").replace("\\", "/").rsplit("/", 1)[-1].strip() or "attachment.bin"
    return Attachment(
        filename=name,
        content_type=guess_type(name),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def _body(tnef: object) -> str | None:
    for attr, is_html in (("body", False), ("htmlbody", True)):
        value = getattr(tnef, attr, None)
        if not value:
            continue
        text = decode_bytes(value, None)[0] if isinstance(value, bytes) else str(value)
        text = html_to_text(text) if is_html else text.strip("\x00")
        if text.strip():
            return text
    return None
