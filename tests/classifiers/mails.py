"""Builders for inline test mails: each classifier test shows the mail it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from intake.classifiers import Classification, classify
from intake.mail import ParsedMail
from intake.parsing import parse_mail

PNG_LOGO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


def mail(
    body: str = "",
    *,
    subject: str = "Vraag",
    sender: str = "Amina Test <amina@example.com>",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    inline_images: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]  # (filename, cid, data)
    in_reply_to: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "migratie@stad.gent"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    msg["Message-ID"] = "<test-1@example.com>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        for filename, cid, data in inline_images:
            msg.get_payload()[1].add_related(
                data,
                maintype="image",
                subtype="png",
                cid=f"<{cid}>",
                filename=filename,
                disposition="inline",
            )
    for filename, ctype, data in attachments:
        main, _, sub = ctype.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return msg.as_bytes()


def parsed(raw: bytes) -> ParsedMail:
    return parse_mail(raw)


def verdict(raw: bytes, **kwargs: object) -> Classification:
    return classify(parse_mail(raw), **kwargs)  # type: ignore[arg-type]
