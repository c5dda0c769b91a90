"""The example mails of tests/classifiers/data, read from their small text format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass
class Example:
    id: str
    intent: str
    language: str | None
    also: tuple[str, ...] = ()
    subject: str = ""
    sender: str = "Citizen Example <citizen@example.com>"
    body: str = ""
    attachments: list[tuple[str, str, int]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    location: str | None = None
    missing: bool | None = None
    reply_to_ack: bool = False

    def raw(self) -> bytes:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = "migratie@stad.gent"
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
        msg["Message-ID"] = f"<{self.id}@example.com>"
        if self.reply_to_ack:
            msg["In-Reply-To"] = "<intake.0a1b2c@stad.gent>"
            msg["References"] = "<orig@example.com> <intake.0a1b2c@stad.gent>"
        for name, value in self.headers:
            msg[name] = value
        msg.set_content(self.body)
        for name, ctype, size in self.attachments:
            main, _, sub = ctype.partition("/")
            msg.add_attachment(
                b"\xff\xd8" + b"x" * max(0, size - 2), maintype=main, subtype=sub, filename=name
            )
        return msg.as_bytes()


def load(name: str) -> list[Example]:
    examples: list[Example] = []
    for block in (DATA / name).read_text(encoding="utf-8").split("\n### ")[1:]:
        head, _, rest = block.partition("\n")
        parts = [p.strip() for p in head.split("|")]
        ex = Example(id=parts[0], intent=parts[1], language=None if parts[2] == "-" else parts[2])
        for extra in parts[3:]:
            if extra.startswith("also="):
                ex.also = tuple(extra[5:].split(","))
        header_text, _, body = rest.partition("\n\n")
        for line in header_text.splitlines():
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "Subject":
                ex.subject = value
            elif key == "From":
                ex.sender = value
            elif key == "Attach":
                fname, ctype, *size = value.split()
                ex.attachments.append((fname, ctype, int(size[0]) if size else 3000))
            elif key == "Location":
                ex.location = None if value == "-" else value
            elif key == "Missing":
                ex.missing = value == "true"
            elif key == "Header":
                hname, _, hvalue = value.partition(":")
                ex.headers.append((hname.strip(), hvalue.strip()))
            elif key == "Reply-To-Ack":
                ex.reply_to_ack = value == "yes"
        ex.body = body.strip() + "\n"
        examples.append(ex)
    return examples


def all_examples() -> list[Example]:
    return [ex for path in sorted(DATA.glob("examples_*.txt")) for ex in load(path.name)]
