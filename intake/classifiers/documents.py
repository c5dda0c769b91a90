"""Real documents among the attachments: a PDF or a photo or scan, not a logo or an inline icon."""

from __future__ import annotations

import re

from intake.mail import Attachment, ParsedMail

_DOCUMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/pjpeg",
    "image/png",
    "image/heic",
    "image/heif",
    "image/tiff",
    "image/webp",
}
_DOCUMENT_EXTENSIONS = re.compile(r"\.(?:pdf|jpe?g|png|heic|heif|tiff?|webp)$", re.IGNORECASE)
# Signature logos and social icons as mail clients name them.
_DECORATION = re.compile(
    r"(?:^|[^a-z])(?:logo|signature|handtekening|banner|icon|facebook|linkedin|twitter|instagram"
    r"|youtube|x-logo"
    r"|spacer|pixel|emoji|smiley)|^image\d{3}\.(?:png|jpe?g|gif)$|^outlook[-_ ]?\w*\.(?:png"
    r"|jpe?g)$",
    re.IGNORECASE,
)
# Names phones, scanners and people give to a picture of a paper.
_PHOTO_NAME = re.compile(
    r"^(?:img|dsc|pxl|photo|foto|scan|image-\d|whatsapp image|screenshot|schermafbeelding|capture)"
    r"|document|attest|certific|cgvs|cgrs|cgra|decision|beslissing|paspoort|passport|kaart|card"
    r"|carte",
    re.IGNORECASE,
)


def is_document(attachment: Attachment, html: str | None = None) -> bool:
    """A PDF, or a photo or scan; not a logo, icon or picture pasted into the HTML signature."""
    ctype = attachment.content_type.lower()
    name = attachment.filename or ""
    if attachment.size == 0:
        return False
    if ctype not in _DOCUMENT_TYPES and not (
        ctype == "application/octet-stream" and _DOCUMENT_EXTENSIONS.search(name)
    ):
        return False
    if ctype == "application/pdf" or name.lower().endswith(".pdf"):
        return True
    if _DECORATION.search(name):
        return False
    embedded = attachment.content_id is not None and (
        attachment.inline or (html is not None and f"cid:{attachment.content_id}" in html)
    )
    # A picture inside the HTML body is a logo or a signature, unless named like a photo of a paper.
    return not embedded or bool(_PHOTO_NAME.search(name))


def documents(mail: ParsedMail) -> list[Attachment]:
    return [a for a in mail.attachments if is_document(a, mail.html)]
