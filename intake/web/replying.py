"""An agent's reply: a prefilled text in the citizen's language, edited, then the same outbox and SMTP path.

The starting texts live in templates/agent_replies/<language>/{reply,documents_request}.txt.j2
(the city's copy under INTAKE_TEMPLATES_DIR wins over the one shipped here).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from intake.context import Context
from intake.delivery import Sender, deliver
from intake.errors import DeliveryError
from intake.intents import Intent
from intake.replies import build_mime, greeting_name, make_message_id, reply_subject
from intake.routing import Routing
from intake.statuses import TicketStatus
from intake.store.models import OutboxMessage, Ticket, TicketMessage, utcnow
from intake.tickets import add_event
from intake.web.actions import ActionError, set_status
from intake.web.thread import last_incoming, thread_message_ids
from intake.web.users import Account

log = logging.getLogger("intake.web.replying")

AGENT_KINDS = ("agent_reply", "documents_request")
_TEMPLATE_NAMES = {"agent_reply": "reply", "documents_request": "documents_request"}
FALLBACK_LANGUAGES = ("nl", "en")
SEPARATOR = "\n\n-----\n\n"
_SECTIONS = re.compile(r"\n[ \t]*-----[ \t]*\n")
PACKAGED = Path(__file__).resolve().parent / "templates" / "agent_replies"


@dataclass(frozen=True, slots=True)
class Queued:
    outbox_id: int
    # sent, pending (the worker retries) or failed
    state: str


class ReplyTemplates:
    """The starting texts an agent edits, in the citizen's language or Dutch and English."""

    def __init__(self, templates_dir: Path, routing: Routing) -> None:
        self.routing = routing
        self.env = Environment(
            loader=ChoiceLoader(
                [
                    FileSystemLoader(str(templates_dir / "agent_replies")),
                    FileSystemLoader(str(PACKAGED)),
                ]
            ),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def languages_for(self, language: str | None) -> tuple[str, ...]:
        if language and self._exists(language):
            return (language,)
        return FALLBACK_LANGUAGES

    def prefill(
        self, kind: str, ticket: Ticket, *, citizen_name: str, agent_name: str, office_name: str
    ) -> str:
        parts = []
        for lang in self.languages_for(ticket.language):
            values = {
                "name": greeting_name(citizen_name),
                "reference": ticket.reference or "",
                "agent_name": agent_name,
                "office_name": office_name,
                "documents": self.documents(ticket, lang),
                "intent": ticket.intent,
            }
            parts.append(
                self.env.get_template(f"{lang}/{_TEMPLATE_NAMES[kind]}.txt.j2")
                .render(values)
                .strip()
            )
        return SEPARATOR.join(parts) + "\n"

    def documents(self, ticket: Ticket, language: str) -> list[str]:
        try:
            keys = self.routing.route(Intent(ticket.intent)).documents
        except ValueError:
            return []
        return self.routing.document_texts(keys, language)

    def _exists(self, language: str) -> bool:
        try:
            self.env.get_template(f"{language}/reply.txt.j2")
        except TemplateNotFound:
            return False
        return True


def queue_agent_reply(
    ctx: Context,
    templates: ReplyTemplates,
    ticket_id: int,
    who: Account,
    text: str,
    *,
    kind: str,
    then_status: str | None,
) -> Queued:
    """Write the reply, its thread entry and its outbox row in one transaction; then try to send it."""
    if kind not in AGENT_KINDS:
        raise ActionError("flash.invalid")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ActionError("flash.empty")
    with ctx.db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise ActionError("error.not_found")
        contact = ticket.contact
        if contact is None or not contact.email:
            raise ActionError("flash.no_contact")
        if contact.undeliverable_since is not None:
            raise ActionError("flash.undeliverable")
        answered = last_incoming(session, ticket.id)
        references = tuple(thread_message_ids(session, ticket.id))
        reference = ticket.reference or f"#{ticket.id}"
        subject = reply_subject(
            reference, answered.subject if answered is not None else ticket.subject
        )
        message_id = make_message_id(ctx.settings, reference, kind)
        mime = build_agent_mime(
            ctx,
            text=text,
            subject=subject,
            to_addr=contact.email,
            to_name=contact.name,
            message_id=message_id,
            in_reply_to=answered.message_id if answered is not None else None,
            references=references,
            languages=section_languages(templates, ticket.language, text),
        )
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                direction="out",
                author_id=who.id,
                message_id=message_id,
                from_addr=ctx.settings.office_address,
                from_name=who.name,
                to_addrs=contact.email,
                subject=subject,
                body_text=text,
                language=ticket.language,
            )
        )
        row = OutboxMessage(
            ticket_id=ticket.id,
            kind=kind,
            to_addr=contact.email,
            message_id=message_id,
            subject=subject,
            mime=mime,
            next_attempt_at=utcnow(),
        )
        session.add(row)
        session.flush()
        if ticket.first_reply_at is None:
            ticket.first_reply_at = utcnow()
        if kind == "documents_request":
            then_status = TicketStatus.WAITING_FOR_DOCUMENTS.value
        if then_status:
            set_status(session, ticket, who, then_status)
        add_event(session, ticket, "reply_queued", actor=who.username, kind=kind, outbox_id=row.id)
        outbox_id = row.id
    return Queued(outbox_id, _send_now(ctx, outbox_id))


def _send_now(ctx: Context, outbox_id: int) -> str:
    if not ctx.settings.web_deliver_replies_now:
        return "pending"
    try:
        return deliver(ctx.db, Sender(ctx.settings), outbox_id)
    except DeliveryError as exc:
        log.warning("agent reply %s not sent yet, the worker retries: %s", outbox_id, exc)
        return "pending"


def section_languages(
    templates: ReplyTemplates, language: str | None, text: str
) -> tuple[str, ...]:
    """The language of each section of the text: the citizen's, or Dutch and English as prefilled."""
    sections = len(_SECTIONS.split(text))
    languages = templates.languages_for(language)
    return languages if len(languages) == sections else tuple([language or "nl"] * sections)


def build_agent_mime(
    ctx: Context,
    *,
    text: str,
    subject: str,
    to_addr: str,
    to_name: str,
    message_id: str,
    in_reply_to: str | None,
    references: tuple[str, ...],
    languages: tuple[str, ...],
) -> bytes:
    """The agent's text as a mail, through the same builder and layout as the acknowledgements."""
    sections = [part.strip() for part in _SECTIONS.split(text)]
    rendered = ctx.renderer.compose(subject, sections, languages)
    return build_mime(
        ctx.settings, rendered, to_addr=to_addr, to_name=to_name, message_id=message_id,
        in_reply_to=in_reply_to, references=references, automatic=False,
    )
