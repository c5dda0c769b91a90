"""A mailroom for reply and thread tests: mail in through the real pipeline, replies out to a
real SMTP server. Only the classifier is fixed per message, so a test says which intent and
language a message has instead of depending on the classifier being rewritten elsewhere."""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from intake.classifiers import Classification
from intake.classifiers import classify as real_classify
from intake.context import Context
from intake.handlers.plan import Plan
from intake.ingest import ingest
from intake.intents import NON_ACTIONABLE, Intent
from intake.mail import ParsedMail
from intake.routing import Routing
from intake.sources import RawSource
from intake.store.models import Contact, Event, OutboxMessage, Ticket
from tests.builders import citizen_mail
from tests.smtp import RecordingSMTPServer


def verdict(intent: Intent, language: str | None = "nl", **fields: object) -> Classification:
    return Classification(intent, 0.95, language, **fields)  # type: ignore[arg-type]


@dataclass
class Mailroom:
    ctx: Context
    smtp: RecordingSMTPServer
    verdicts: dict[str, Classification] = field(default_factory=dict)

    def classify(self, parsed: ParsedMail) -> Classification:
        fixed = self.verdicts.get(parsed.message_id or "")
        return fixed if fixed is not None else real_classify(parsed)

    def receive(self, raw: bytes, as_: Classification | None = None) -> str:
        """Ingest one raw message (store, process, deliver); returns the outcome."""
        if as_ is not None:
            message_id = email.message_from_bytes(raw)["Message-ID"].strip().strip("<>")
            self.verdicts[message_id] = as_
        summary = ingest(self.ctx, [RawSource("test", raw)])
        (outcome,) = [k for k, v in summary.counts.items() if v]
        return outcome

    def write(self, as_: Classification | None = None, **mail: object) -> tuple[str, str]:
        """A citizen writes (tests.builders.citizen_mail); returns (outcome, Message-ID)."""
        message_id = str(mail.pop("message_id", None) or make_msgid(domain="example.com"))
        raw = citizen_mail(message_id=message_id, **mail)  # type: ignore[arg-type]
        return self.receive(raw, as_), message_id.strip("<>")

    def replies(self, to: str | None = None) -> list[EmailMessage]:
        return [r.message for r in self.smtp.messages if to is None or to in r.rcpt_tos]

    def tickets(self) -> list[Ticket]:
        with self.ctx.db.session() as session:
            return list(session.scalars(select(Ticket).order_by(Ticket.id)))

    def ticket(self, reference: str) -> Ticket:
        with self.ctx.db.session() as session:
            found = session.scalar(select(Ticket).where(Ticket.reference == reference))
            assert found is not None, reference
            return found

    def outbox(self, reference: str | None = None) -> list[OutboxMessage]:
        with self.ctx.db.session() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if reference:
                query = query.join(Ticket, Ticket.id == OutboxMessage.ticket_id).where(
                    Ticket.reference == reference
                )
            return list(session.scalars(query))

    def events(self, reference: str, kind: str | None = None) -> list[Event]:
        with self.ctx.db.session() as session:
            query = (
                select(Event)
                .join(Ticket, Ticket.id == Event.ticket_id)
                .where(Ticket.reference == reference)
            )
            if kind:
                query = query.where(Event.kind == kind)
            return list(session.scalars(query.order_by(Event.id)))

    def age_replies(self, hours: float) -> None:
        """Make every reply written so far look `hours` older (time passing, without waiting)."""
        with self.ctx.db.session() as session:
            for row in session.scalars(select(OutboxMessage)):
                row.created_at = row.created_at - timedelta(hours=hours)

    def contact(self, address: str) -> Contact:
        with self.ctx.db.session() as session:
            found = session.scalar(select(Contact).where(Contact.email == address))
            assert found is not None, address
            return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


# --- what every reply must say, per language ------------------------------------------------

LANGUAGES = ("nl", "en", "fr", "uk", "ru", "ar", "tr", "es")
ARRIVED = {
    "nl": "We hebben uw e-mail goed ontvangen",
    "en": "We have received your e-mail",
    "fr": "Nous avons bien reçu votre e-mail",
    "uk": "Ми отримали ваш електронний лист",
    "ru": "Мы получили ваше электронное письмо",
    "ar": "لقد استلمنا رسالتك الإلكترونية",
    "tr": "E-postanızı aldık",
    "es": "Hemos recibido su correo electrónico",
}
REPLY_WILL_COME = {
    "nl": "U krijgt van ons een antwoord",
    "en": "You will receive a reply from us",
    "fr": "Vous recevrez une réponse de notre part",
    "uk": "Ви отримаєте від нас відповідь",
    "ru": "Вы получите от нас ответ",
    "ar": "ستتلقى ردًا منا",
    "tr": "Size yanıt vereceğiz",
    "es": "Recibirá una respuesta nuestra",
}
NO_NEED_TO_WRITE_AGAIN = {
    "nl": "U hoeft hierover niet opnieuw te mailen of te bellen",
    "en": "There is no need to send another e-mail or to phone us",
    "fr": "Il n'est pas nécessaire de nous écrire à nouveau ni de nous téléphoner",
    "uk": "Не потрібно писати нам ще раз або телефонувати",
    "ru": "Писать нам повторно или звонить по этому вопросу не нужно",
    "ar": "لا داعي لإرسال رسالة أخرى أو الاتصال بنا هاتفيًا",
    "tr": "tekrar e-posta göndermenize veya telefon etmenize gerek yok",
    "es": "No hace falta que nos vuelva a escribir ni que nos llame",
}
NO_APPOINTMENT = {
    "nl": "geen afspraak",
    "en": "do not need an appointment",
    "fr": "pas besoin de rendez-vous",
    "uk": "записуватися на прийом",
    "ru": "записываться на приём",
    "ar": "لا تحتاج إلى موعد",
    "tr": "randevu almanıza gerek yok",
    "es": "no necesita cita previa",
}
SEND_BY_REPLYING = {
    "nl": "door op deze e-mail te antwoorden",
    "en": "by replying to this e-mail",
    "fr": "en répondant à cet e-mail",
    "uk": "відповівши на цей лист",
    "ru": "ответив на это письмо",
    "ar": "بالرد على هذه الرسالة",
    "tr": "bu e-postayı yanıtlayarak",
    "es": "respondiendo a este correo",
}
ADDED_TO_FILE = {
    "nl": "toegevoegd aan uw bestaande dossier",
    "en": "to your existing file",
    "fr": "à votre dossier existant",
    "uk": "до вашої справи",
    "ru": "к вашему делу",
    "ar": "إلى ملفك الحالي",
    "tr": "mevcut dosyanıza ekledik",
    "es": "a su expediente",
}

# Every acknowledged case: each actionable intent, with the variants that change the reply.
CASES: list[tuple[str, dict[str, object]]] = [
    (intent.value, {"intent": intent})
    for intent in Intent
    if intent not in NON_ACTIONABLE
    and intent not in (Intent.REFUGEE_DATA_UPDATE, Intent.CARD_COLLECTION)
] + [
    ("refugee_data_update+documents", {"intent": Intent.REFUGEE_DATA_UPDATE}),
    (
        "refugee_data_update-documents",
        {"intent": Intent.REFUGEE_DATA_UPDATE, "missing_documents": True},
    ),
    ("card_collection@Gentbrugge", {"intent": Intent.CARD_COLLECTION, "location": "Gentbrugge"}),
    ("card_collection@Drongen", {"intent": Intent.CARD_COLLECTION, "location": "Drongen"}),
    ("card_collection@?", {"intent": Intent.CARD_COLLECTION}),
]


def check_acknowledgement(
    text: str, html: str, plan: Plan, routing: Routing, language: str, reference: str
) -> None:
    """What every acknowledgement holds, and what its case calls for, in `language`."""
    for leftover in ("{{", "}}", "{%", "%}", "{#", "Undefined", "None"):
        assert leftover not in text, leftover
        assert leftover not in html, leftover
    assert reference in text and reference in html
    assert ARRIVED[language] in text
    assert REPLY_WILL_COME[language] in text
    assert NO_NEED_TO_WRITE_AGAIN[language] in text
    for document in routing.document_texts(plan.documents, language):
        assert document in text, document
        assert str(escape(document)) in html, document
    if plan.appointment_url:
        assert plan.appointment_url in text
        assert f'href="{plan.appointment_url}"' in html
    else:
        assert "/afspraak/" not in text
    section = plan.reply_section
    if section in ("by_email", "documents_received", "documents_missing"):
        assert NO_APPOINTMENT[language] in text.lower()
    if section == "documents_missing":
        assert SEND_BY_REPLYING[language] in text
        assert plan.status.value == "waiting_for_documents"
    if section == "question":
        assert "Infopunt Migratie" in text and "https://stad.gent/infopunt-migratie" in text
    if section == "collection_free":
        assert str(plan.location) in text
    if section == "collection_any":
        assert all(centre in text for centre in routing.service_centres.without_appointment)
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f'<div lang="{language}" dir="{direction}"' in html
    assert 'name="viewport"' in html


@pytest.fixture
def make_mailroom(
    make_context: Callable[..., Context],
    smtp_server: RecordingSMTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Mailroom]]:
    def make(database_url: str, **settings: object) -> Mailroom:
        ctx = make_context(database_url, **{**smtp_server.settings(), **settings})
        room = Mailroom(ctx, smtp_server)
        monkeypatch.setattr("intake.pipeline.classify", room.classify)
        return room

    yield make


@pytest.fixture
def mailroom(db_url: str, make_mailroom: Callable[..., Mailroom]) -> Mailroom:
    """On both stores."""
    return make_mailroom(db_url)


@pytest.fixture
def sqlite_mailroom(tmp_path: Path, make_mailroom: Callable[..., Mailroom]) -> Mailroom:
    return make_mailroom(f"sqlite:///{tmp_path / 'intake.db'}")
