"""Outlook's winmail.dat (TNEF) unpacked into the attachments it carries."""

from __future__ import annotations

import hashlib
import logging

from intake.mail import Attachment

log = logging.getLogger(__name__)

_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}


def is_tnef(att: Attachment) -> bool:
    return att.content_type in _TNEF_TYPES or att.filename.lower() == "winmail.dat"


def expand_tnef(attachments: list[Attachment], defects: list[str]) -> list[Attachment]:
    """Replace every winmail.dat by its real attachments; keep it as it is when unreadable."""
    result: list[Attachment] = []
    for att in attachments:
        if not is_tnef(att):
            result.append(att)
            continue
        try:
            from tnefparse import TNEF

            inner = TNEF(att.data).attachments
        except Exception as exc:  # noqa: BLE001 - a broken winmail.dat is kept, not lost
            defects.append(f"winmail.dat could not be unpacked: {exc}")
            result.append(att)
            continue
        if not inner:
            result.append(att)
            continue
        for item in inner:
            data = bytes(item.data or b"")
            name = item.long_filename() or item.name or "attachment"
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            result.append(
                Attachment(
                    filename=str(name).strip("\x00"),
                    content_type=_guess_type(str(name)),
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
            )
    return result


def _guess_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"
