"""The team's work: the list oldest first, filters and search, and every action on a ticket."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from intake.store.models import Event, OutboxMessage, Ticket, TicketMessage, User
from tests.builders import TINY_PDF, citizen_mail
from tests.web.conftest import Web, add_team, age_ticket, file_mails, three_citizens


def listed(web: Web, query: str = "") -> list[str]:
    page = web.client.get(f"/tickets{query}")
    assert page.status_code == 200, page.text[:300]
    return re.findall(r'<tr data-ticket="([^"]+)"', page.text)


def ticket(web: Web, ticket_id: int) -> Ticket:
    with web.ctx.db.session() as session:
        found = session.get(Ticket, ticket_id)
        assert found is not None
        return found


def events(web: Web, ticket_id: int, kind: str) -> list[Event]:
    with web.ctx.db.session() as session:
        return list(
            session.scalars(select(Event).where(Event.ticket_id == ticket_id, Event.kind == kind))
        )


def user_id(web: Web, username: str) -> int:
    with web.ctx.db.session() as session:
        return session.scalar(select(User.id).where(User.username == username))  # type: ignore[return-value]


def test_the_list_starts_with_the_oldest_waiting_ticket(web: Web) -> None:
    add_team(web.ctx)
    a, b, c = file_mails(web.ctx, *three_citizens())
    age_ticket(web.ctx, a, 1)
    age_ticket(web.ctx, b, 5)
    age_ticket(web.ctx, c, 3)
    web.login("agent")
    refs = {i: ticket(web, i).reference for i in (a, b, c)}
    assert listed(web) == [refs[b], refs[c], refs[a]]


def test_queues_show_their_counts(web: Web) -> None:
    add_team(web.ctx)
    file_mails(web.ctx, *three_citizens())
    web.login("agent")
    page = web.client.get("/tickets").text
    counts = dict(
        re.findall(
            r'data-queue="([^"]+)">\s*<span>[^<]*</span><span class="count"[^>]*>(\d+)<small>', page
        )
    )
    assert counts["kaarten-email"] == "1"
    assert counts["afspraken-kaarten"] == "1"
    assert sum(int(v) for v in counts.values()) == 3


def test_filters_narrow_the_list(web: Web) -> None:
    add_team(web.ctx)
    a, b, c = file_mails(web.ctx, *three_citizens())
    web.login("agent")
    ref = {i: ticket(web, i).reference for i in (a, b, c)}
    assert listed(web, "?queue=kaarten-email") == [ref[a]]
    assert listed(web, "?language=en") == [ref[b]]
    web.post(f"/tickets/{b}/claim")
    assert listed(web, "?mine=1") == [ref[b]]
    assert set(listed(web, "?unassigned=1")) == {ref[a], ref[c]}
    web.post(f"/tickets/{c}/status", {"status": "waiting_for_documents"})
    assert listed(web, "?documents=1&status=open") == [ref[c]]
    assert ref[c] not in listed(web)  # waiting for the citizen is not waiting for us
    with web.ctx.db.session() as session:
        session.get(Ticket, a).needs_human = True  # type: ignore[union-attr]
    assert listed(web, "?flagged=1") == [ref[a]]
    web.post(f"/tickets/{a}/status", {"status": "closed"})
    assert listed(web, "?status=closed") == [ref[a]]
    assert len(listed(web, "?status=any")) == 3
    # Unknown values fall back to defaults instead of failing.
    assert web.client.get("/tickets?status=bogus&queue=nope&language=xx").status_code == 200


def test_search_finds_by_reference_address_name_and_text(web: Web) -> None:
    add_team(web.ctx)
    a, b, c = file_mails(web.ctx, *three_citizens())
    web.login("agent")
    ref_b = ticket(web, b).reference
    # An exact reference opens the ticket.
    response = web.client.get(f"/tickets?q={ref_b.lower()}")
    assert response.status_code == 303 and response.headers["location"] == f"/tickets/{b}"
    assert listed(web, "?q=oleh@example.org") == [ref_b]
    assert listed(web, "?q=example.net") == [ticket(web, c).reference]
    assert listed(web, "?q=Amina") == [ticket(web, a).reference]
    assert listed(web, "?q=yesterday") == [ref_b]
    assert listed(web, "?q=100%25_") == []


def test_the_list_pages_by_keyset(web_ctx, make_web) -> None:  # type: ignore[no-untyped-def]
    add_team(web_ctx)
    mails = [
        citizen_mail(sender=f"P{i} <p{i}@example.com>", subject=f"Aanvraag F+ kaart {i}")
        for i in range(7)
    ]
    ids = file_mails(web_ctx, *mails)
    for n, i in enumerate(ids):
        age_ticket(web_ctx, i, 10 - n)
    web_ctx.settings.web_page_size = 3
    web = make_web(web_ctx)
    web.login("agent")
    seen, url = [], "/tickets"
    while url:
        page = web.client.get(url).text
        seen += re.findall(r'<tr data-ticket="([^"]+)"', page)
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else ""
    with web_ctx.db.session() as session:
        expected = [session.get(Ticket, i).reference for i in ids]  # type: ignore[union-attr]
    assert seen == expected


def test_the_ticket_page_shows_the_thread_classification_and_logs_who_opened_it(web: Web) -> None:
    add_team(web.ctx)
    mail = citizen_mail(attachments=[("attest.pdf", "application/pdf", TINY_PDF)])
    [ticket_id] = file_mails(web.ctx, mail)
    web.login("agent")
    page = web.client.get(f"/tickets/{ticket_id}").text
    assert "F kaart omzetten naar een F+ kaart" in page  # the citizen's message
    assert "Automatische ontvangstbevestiging" in page  # our acknowledgement in the thread
    assert "fplus_card" in page  # the classification's evidence
    assert "attest.pdf" in page
    viewed = events(web, ticket_id, "viewed")
    assert [e.actor for e in viewed] == ["agent"]


def test_attachments_are_downloads_never_inline(web: Web) -> None:
    add_team(web.ctx)
    html = b"<html><script>alert(1)</script></html>"
    [ticket_id] = file_mails(web.ctx, citizen_mail(attachments=[("page.html", "text/html", html)]))
    web.login("agent")
    page = web.client.get(f"/tickets/{ticket_id}").text
    link = re.search(rf'href="(/tickets/{ticket_id}/attachments/\d+)"', page).group(1)  # type: ignore[union-attr]
    response = web.client.get(link)
    assert response.content == html
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    # An attachment id of another ticket is not served through this one.
    [other] = file_mails(web.ctx, citizen_mail(sender="x@example.com", subject="Andere vraag"))
    assert (
        web.client.get(link.replace(f"/tickets/{ticket_id}/", f"/tickets/{other}/")).status_code
        == 404
    )


def test_claim_assign_status_and_note(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[0])
    web.login("agent")
    assert web.post(f"/tickets/{ticket_id}/claim").status_code == 303
    tk = ticket(web, ticket_id)
    assert tk.assigned_to == user_id(web, "agent") and tk.status == "open"
    web.post(f"/tickets/{ticket_id}/assign", {"user_id": str(user_id(web, "manager"))})
    assert ticket(web, ticket_id).assigned_to == user_id(web, "manager")
    web.post(f"/tickets/{ticket_id}/assign", {"user_id": ""})
    assert ticket(web, ticket_id).assigned_to is None
    web.post(f"/tickets/{ticket_id}/status", {"status": "resolved"})
    assert ticket(web, ticket_id).closed_at is not None
    web.post(f"/tickets/{ticket_id}/status", {"status": "open"})
    assert ticket(web, ticket_id).closed_at is None
    assert web.post(f"/tickets/{ticket_id}/status", {"status": "nonsense"}).status_code == 303
    assert ticket(web, ticket_id).status == "open"
    web.post(f"/tickets/{ticket_id}/note", {"text": "Belde de burger terug."})
    with web.ctx.db.session() as session:
        note = session.scalar(
            select(TicketMessage).where(
                TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "note"
            )
        )
        assert note is not None and note.body_text == "Belde de burger terug."
    assert [e.actor for e in events(web, ticket_id, "status_changed")] == ["agent"] * 3


def test_changing_the_intent_moves_the_ticket_to_its_queue(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[2])
    web.login("agent")
    web.post(f"/tickets/{ticket_id}/intent", {"intent": "registration"})
    tk = ticket(web, ticket_id)
    assert (tk.intent, tk.queue) == ("registration", "inschrijvingen")
    assert events(web, ticket_id, "intent_changed")[0].data["old_queue"] == "triage"
    web.post(f"/tickets/{ticket_id}/intent", {"intent": "no_such_intent"})
    assert ticket(web, ticket_id).intent == "registration"


def test_reply_goes_through_the_outbox_to_smtp(
    make_context, make_web, smtp_server, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(
        f"sqlite:///{tmp_path / 'r.db'}", web_cookie_secure=False, **smtp_server.settings()
    )
    add_team(ctx)
    [ticket_id] = file_mails(ctx, three_citizens()[1])
    acks = len(smtp_server.messages)
    web = make_web(ctx)
    web.login("agent")
    page = web.client.get(f"/tickets/{ticket_id}").text
    prefilled = re.search(
        r'<textarea id="reply-text"[^>]*>(.*?)</textarea>', page, re.DOTALL
    ).group(1)  # type: ignore[union-attr]
    assert prefilled.startswith("Dear Oleh Test")  # the citizen wrote in English
    text = prefilled.replace("\n\n\n\n", "\n\nPlease report the loss to the police first.\n\n", 1)
    response = web.post(
        f"/tickets/{ticket_id}/reply", {"text": text, "then_status": "waiting_for_citizen"}
    )
    assert response.status_code == 303
    # The reply arrived at the SMTP server, threaded and in the citizen's language
    assert len(smtp_server.messages) == acks + 1
    sent = smtp_server.messages[-1]
    assert sent.rcpt_tos == ["oleh@example.org"]
    message = sent.message
    assert (
        "Please report the loss to the police first." in message.get_body(("plain",)).get_content()
    )
    assert message["In-Reply-To"] and message["Subject"].startswith(
        f"[{ticket(web, ticket_id).reference}] Re:"
    )
    assert message["Auto-Submitted"] is None  # a person wrote it
    with ctx.db.session() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "agent_reply"))
        assert row is not None and row.state == "sent"
    tk = ticket(web, ticket_id)
    assert tk.first_reply_at is not None and tk.status == "waiting_for_citizen"
    assert "Please report the loss" in web.client.get(f"/tickets/{ticket_id}").text


def test_a_reply_that_cannot_be_sent_stays_in_the_outbox(web: Web) -> None:
    web.ctx.settings.smtp_host = "127.0.0.1"
    web.ctx.settings.smtp_port = 9  # nothing listens there
    web.ctx.settings.smtp_security = "none"
    web.ctx.settings.smtp_timeout = 2
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[0])
    web.login("agent")
    web.post(
        f"/tickets/{ticket_id}/reply",
        {"text": "Beste Amina, dit is ons antwoord.", "then_status": "open"},
    )
    with web.ctx.db.session() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "agent_reply"))
        assert row is not None and row.state == "pending" and row.attempts == 1
    assert "zodra de mailserver bereikbaar is" in web.client.get(f"/tickets/{ticket_id}").text


def test_a_reply_to_an_address_that_bounces_is_refused_with_a_reason(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[0])
    with web.ctx.db.session() as session:
        contact = session.get(Ticket, ticket_id).contact
        contact.undeliverable_since = datetime.now(UTC)
    web.login("agent")
    web.post(f"/tickets/{ticket_id}/reply", {"text": "Beste Amina, ons antwoord.", "then_status": "open"})
    with web.ctx.db.session() as session:
        assert session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "agent_reply")) is None
    assert "komt niet aan" in web.client.get(f"/tickets/{ticket_id}").text


def test_asking_for_documents_sets_the_ticket_waiting(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[1])  # lost card: police attestation, photo
    web.login("agent")
    page = web.client.get(f"/tickets/{ticket_id}").text
    prefilled = re.search(
        r'action="/tickets/\d+/documents">.*?<textarea[^>]*>(.*?)</textarea>', page, re.DOTALL
    ).group(1)  # type: ignore[union-attr]
    assert "the police attestation" in prefilled
    web.post(f"/tickets/{ticket_id}/documents", {"text": prefilled})
    tk = ticket(web, ticket_id)
    assert tk.status == "waiting_for_documents" and tk.missing_documents
    with web.ctx.db.session() as session:
        assert session.scalar(
            select(OutboxMessage.kind).where(OutboxMessage.kind == "documents_request")
        )


def test_an_empty_reply_is_not_sent(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[0])
    web.login("agent")
    web.post(f"/tickets/{ticket_id}/reply", {"text": "   ", "then_status": "open"})
    with web.ctx.db.session() as session:
        assert (
            session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "agent_reply")) is None
        )


def test_merging_two_tickets_of_one_case(web: Web) -> None:
    add_team(web.ctx)
    first, second = file_mails(
        web.ctx,
        citizen_mail(sender="Amina <amina@example.com>", subject="F+ kaart"),
        citizen_mail(
            sender="Amina <amina.other@example.com>",
            subject="Nogmaals: F+ kaart",
            body="Ik schreef al eerder over mijn F+ kaart, van een ander adres.",
        ),
    )
    age_ticket(web.ctx, first, 4)
    web.login("agent")
    target = ticket(web, first).reference
    assert web.post(f"/tickets/{second}/merge", {"reference": target}).status_code == 303
    source = ticket(web, second)
    assert source.merged_into == first and source.status == "closed"
    page = web.client.get(f"/tickets/{first}").text
    assert "van een ander adres" in page and "F kaart omzetten naar een F+ kaart" in page
    with web.ctx.db.session() as session:
        moved = session.scalars(
            select(TicketMessage.ticket_id).where(TicketMessage.direction == "in")
        ).all()
        assert set(moved) == {first}
    # Merging into itself or into nothing is refused.
    web.post(f"/tickets/{first}/merge", {"reference": target})
    assert ticket(web, first).merged_into is None
    web.post(f"/tickets/{first}/merge", {"reference": "GNT-1999-000001"})
    assert ticket(web, first).merged_into is None


def test_clearing_a_flag(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[0])
    with web.ctx.db.session() as session:
        tk = session.get(Ticket, ticket_id)
        tk.needs_human, tk.flag_reason = True, "could not classify"  # type: ignore[union-attr]
    web.login("agent")
    assert "could not classify" in web.client.get(f"/tickets/{ticket_id}").text
    web.post(f"/tickets/{ticket_id}/unflag")
    assert not ticket(web, ticket_id).needs_human


def test_an_unknown_ticket_is_404(web: Web) -> None:
    add_team(web.ctx)
    web.login("agent")
    assert web.client.get("/tickets/999999").status_code == 404
    assert web.post("/tickets/999999/claim").status_code == 404
    assert web.post("/tickets/999999/reply", {"text": "x"}).status_code == 404


def test_the_list_queries_on_both_stores(context) -> None:  # type: ignore[no-untyped-def]
    from intake.web.queries import TicketFilter, list_tickets, queue_counts

    a, b, c = file_mails(context, *three_citizens())
    for ticket_id, days in ((a, 1), (b, 6), (c, 3)):
        age_ticket(context, ticket_id, days)
    with context.db.session() as session:
        first = list_tickets(session, TicketFilter(), user_id=None, limit=2)
        assert [r.id for r in first.rows] == [b, c] and first.next_cursor
        rest = list_tickets(session, TicketFilter(after=first.next_cursor), user_id=None, limit=2)
        assert [r.id for r in rest.rows] == [a] and rest.next_cursor is None
        found = list_tickets(session, TicketFilter(q="YESTERDAY", status="any"), user_id=None, limit=5)
        assert [r.id for r in found.rows] == [b]
        by_mail = list_tickets(session, TicketFilter(q="Marie@Example.net"), user_id=None, limit=5)
        assert [r.id for r in by_mail.rows] == [c]
        counts = {q.queue: (q.waiting, q.open) for q in queue_counts(session, context.routing.queues)}
        assert counts["kaarten-email"] == (1, 1) and counts["inschrijvingen"] == (0, 0)
