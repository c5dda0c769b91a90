"""The plain, immutable value every step after parsing reads: ParsedMail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Address:
    email: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """One message as plain data: what every later step reads, never the raw MIME tree."""

    from_: Address | None
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    headers: tuple[tuple[str, str], ...]
    content_types: tuple[str, ...]
    defects: tuple[str, ...]
    parser: str
    size: int
    needs_human: bool = False

    def header(self, name: str) -> str | None:
        """The first value of a kept header, by case-insensitive name."""
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def from_email(self) -> str:
        return self.from_.email if self.from_ else ""

    @property
    def from_name(self) -> str:
        return self.from_.name if self.from_ else ""

    @property
    def reply_address(self) -> str:
        """Where an answer goes: Reply-To when given, else From."""
        return self.reply_to[0].email if self.reply_to else self.from_email
