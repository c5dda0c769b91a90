"""The journey of one stored message: parse, classify, plan, then one transaction that files it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from intake.bounces import clear_undeliverable, find_bounced, read_bounce, record_bounce
from intake.bulk_filing import OPENED, Prepared, file_new_tickets, split_new_tickets
from intake.classifiers import Classification, Evidence, classify
from intake.classifiers.language import load_model
from intake.context import Context
from intake.handlers import plan_for
from intake.intents import NON_ACTIONABLE, Intent
from intake.mail import ParsedMail
from intake.outbox import queue_reply
from intake.parsing import load_parser, parse_mail
from intake.store.models import Contact, RawMessage, utcnow
from intake.tickets import (
    add_event,
    add_incoming,
    contact_for,
    find_thread,
    flag,
    forget_new_contacts,
    open_ticket,
    place,
    recent_automatic_ticket,
    reopen_if_waiting,
)

log = logging.getLogger("intake.pipeline")

THREADED, NON_ACTIONABLE_OUTCOME, FAILED, MISSING = "threaded", "non_actionable", "failed", "missing"


@dataclass(frozen=True, slots=True)
class Processed:
    outcome: str
    reference: str | None = None
    outbox_ids: tuple[int, ...] = field(default=())
    # True when this call found the message already carried through (by an earlier call or
    # another worker) and did nothing: the outcome is the earlier one.
    done_before: bool = False


def process_stored(ctx: Context, raw_id: int) -> Processed:
    """Carry one stored message to its ticket and reply; a second call is a no-op."""
    result = process_batch(ctx, [raw_id])[0]
    if result.outcome == MISSING:
        raise LookupError(f"no stored message {raw_id}")
    return result


def process_batch(ctx: Context, raw_ids: Sequence[int], *, bulk: bool = True) -> list[Processed]:
    """Carry stored messages to their tickets and replies in one transaction, in their order.

    A message already carried through (by an earlier call or another worker) is left alone:
    its result says ``done_before``. With ``bulk`` the messages that open a new ticket are
    written together (see intake/bulk_filing.py); the rest are filed one by one.
    """
    with ctx.db.reader() as session:
        rows = {r.id: r for r in session.scalars(select(RawMessage).where(RawMessage.id.in_(raw_ids)))}
    results: dict[int, Processed] = {
        r.id: Processed(r.outcome or r.state, done_before=True) for r in rows.values() if r.state != "stored"
    }
    todo = [_prepare(ctx, rows[i]) for i in dict.fromkeys(raw_ids) if i in rows and i not in results]
    if todo:
        results.update(_file_claimed(ctx, todo, bulk=bulk))
    for p in todo:
        result = results[p.raw.id]
        if not result.done_before:
            log.info(
                "message %s %s ticket=%s intent=%s replies=%d", p.raw.id, result.outcome, result.reference,
                p.verdict.intent.value, len(result.outbox_ids),
            )
    return [results.get(i, Processed(MISSING, done_before=True)) for i in raw_ids]


def load_lazy_parts(ctx: Context) -> None:
    """Do now what the first message would: forked worker processes then share it."""
    load_parser()
    load_model()
    ctx.renderer.compile_templates()


def _prepare(ctx: Context, raw: RawMessage) -> Prepared:
    """Read and decide, outside any transaction: the slow part, holding no lock."""
    parsed = parse_mail(raw.raw, max_bytes=ctx.settings.max_message_bytes)
    verdict = _classify_safely(parsed)
    return Prepared(raw, parsed, verdict, plan_for(verdict, ctx.routing), _flag_reason(parsed, verdict))


def _file_claimed(ctx: Context, todo: list[Prepared], *, bulk: bool) -> dict[int, Processed]:
    results: dict[int, Processed] = {}
    with ctx.db.session() as session:
        # Claim the rows: of two workers racing for one message, only one files it.
        now = utcnow()
        table = RawMessage.__table__
        claimed = set(
            session.scalars(
                update(table)
                .where(table.c.id.in_([p.raw.id for p in todo]), table.c.state == "stored")
                .values(state="processed", processed_at=now)
                .returning(table.c.id)
            )
        )
        for p in todo:
            if p.raw.id not in claimed:
                results[p.raw.id] = Processed("processed", done_before=True)
        one_by_one = [p for p in todo if p.raw.id in claimed]
        if bulk:
            split = split_new_tickets(session, one_by_one)
            filed, raced = file_new_tickets(session, ctx, split)
            for f in filed:
                results[f.raw_id] = Processed(OPENED, f.reference, (f.outbox_id,) if f.outbox_id else ())
            one_by_one = sorted(split.rest + raced, key=lambda p: p.raw.id)
        for p in one_by_one:
            # The row as read before, plus the claim: no second read of the bytes.
            raw = session.merge(p.raw, load=False)
            set_committed_value(raw, "state", "processed")
            set_committed_value(raw, "processed_at", now)
            forget_new_contacts(session)
            result = _file(session, ctx, raw, p)
            raw.outcome = result.outcome
            results[p.raw.id] = result
    return results


def _file(session: Session, ctx: Context, raw: RawMessage, p: Prepared) -> Processed:
    """One transaction: the ticket the message opens or joins, and the reply to send."""
    parsed, verdict, plan = p.parsed, p.verdict, p.plan
    contact = contact_for(session, parsed, verdict.language)
    if verdict.intent in NON_ACTIONABLE:
        return _file_automatic(session, ctx, raw, p, contact)
    placed = place(session, ctx.settings, parsed, verdict, contact)
    if placed.ticket is None:
        ticket = open_ticket(session, ctx.settings, parsed, verdict, plan, contact, p.flag_reason)
        outcome, kind = OPENED, plan.template
    else:
        ticket, outcome, kind = placed.ticket, THREADED, "added"
        add_event(session, ticket, "joined", how=placed.how, intent=verdict.intent.value)
        reopen_if_waiting(session, ticket, parsed)
        if placed.how == "storm":
            flag(ticket, "a storm of messages from one address: check that no other case is mixed in")
        if parsed.needs_human:
            flag(ticket, p.flag_reason or "message could not be read properly")
    clear_undeliverable(session, contact, parsed, ticket)
    add_incoming(session, ticket, raw, parsed, verdict)
    reply = None
    if plan.send_ack and kind:
        reply = queue_reply(session, ctx, ticket=ticket, raw=raw, parsed=parsed, plan=plan, contact=contact, kind=kind)
    raw.ticket_id = ticket.id
    add_event(session, ticket, "message_filed", outcome=outcome, raw_id=raw.id)
    return Processed(outcome, ticket.reference, (reply.id,) if reply else ())


def _file_automatic(
    session: Session, ctx: Context, raw: RawMessage, p: Prepared, contact: Contact | None
) -> Processed:
    """Automatic mail and spam: filed, never answered. A bounce of our reply goes on the ticket
    of that reply (and may mark the address undeliverable); an out-of-office on the ticket it
    answers; more of the same from one address on the same closed ticket."""
    parsed, verdict = p.parsed, p.verdict
    report = read_bounce(raw.raw) if verdict.intent in (Intent.BOUNCE, Intent.AUTO_REPLY) else None
    bounced = find_bounced(session, ctx.settings, report) if report else None
    ticket = bounced.ticket if bounced else None
    if ticket is None and verdict.intent != Intent.SPAM:
        ticket = find_thread(session, ctx.settings, parsed)
    ticket = ticket or recent_automatic_ticket(session, contact, verdict.intent)
    if ticket is None:
        ticket = open_ticket(session, ctx.settings, parsed, verdict, p.plan, contact, p.flag_reason)
    add_incoming(session, ticket, raw, parsed, verdict)
    if bounced is not None and report is not None:
        record_bounce(session, bounced, report)
    raw.ticket_id = ticket.id
    add_event(session, ticket, "message_filed", outcome=NON_ACTIONABLE_OUTCOME, raw_id=raw.id)
    return Processed(NON_ACTIONABLE_OUTCOME, ticket.reference)


def _classify_safely(parsed: ParsedMail) -> Classification:
    """A classifier bug costs one message a human look, never the message."""
    try:
        return classify(parsed)
    except Exception as exc:
        log.exception("classifier failed")
        return Classification(
            Intent.GENERAL_QUESTION, 0.0, None, needs_human=True,
            evidence=(Evidence("error", f"classifier failed: {type(exc).__name__}: {exc}"),),
        )


def _flag_reason(parsed: ParsedMail, verdict: Classification) -> str | None:
    if parsed.needs_human:
        return "message could not be read properly: " + "; ".join(parsed.defects[-2:])
    if verdict.needs_human:
        return f"classification unsure ({verdict.intent.value}, confidence {verdict.confidence:.2f})"
    return None


def mark_failed(ctx: Context, raw_id: int, error: str) -> Processed:
    """After the last retry: file the message on a ticket flagged for a human, raw bytes kept."""
    with ctx.db.session() as session:
        raw = session.get(RawMessage, raw_id)
        if raw is None or raw.state != "stored":
            return Processed(raw.outcome if raw else MISSING)
        parsed = parse_mail(raw.raw, max_bytes=ctx.settings.max_message_bytes)
        verdict = Classification(
            Intent.GENERAL_QUESTION, 0.0, None, needs_human=True, evidence=(Evidence("error", error[:500]),)
        )
        plan = plan_for(verdict, ctx.routing)
        ticket = open_ticket(session, ctx.settings, parsed, verdict, plan, None, f"processing failed: {error[:500]}")
        add_incoming(session, ticket, raw, parsed, verdict)
        raw.state, raw.outcome, raw.ticket_id, raw.last_error = "failed", FAILED, ticket.id, error[:4000]
        raw.processed_at = utcnow()
        return Processed(FAILED, ticket.reference)


def record_attempt(ctx: Context, raw_id: int, error: str) -> int:
    """Count a failed attempt; returns how many there have been."""
    with ctx.db.session() as session:
        raw = session.get(RawMessage, raw_id)
        if raw is None:
            return 0
        raw.attempts += 1
        raw.last_error = error[:4000]
        return raw.attempts


def unprocessed_ids(ctx: Context, limit: int = 1000) -> list[int]:
    with ctx.db.session() as session:
        query = select(RawMessage.id).where(RawMessage.state == "stored").order_by(RawMessage.id).limit(limit)
        return list(session.scalars(query))
