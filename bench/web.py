"""Benchmark of the web page on PostgreSQL with 100,000 tickets: queue list, ticket page, dashboard.

Creates a fresh database on the machine's PostgreSQL, fills it with COPY (tickets, contacts,
messages, events, acknowledgements), serves the app with uvicorn on loopback and times real HTTP
requests of a signed-in user. Prints p50/p95/max per page; the last line is one JSON object.

    python bench/web.py                     # 100,000 tickets, 200 requests per page
    python bench/web.py --tickets 20000 --requests 50 --keep

Targets: list and ticket page under 150 ms at p95, dashboard under 500 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.config import load_settings
from intake.context import Context
from intake.intents import NON_ACTIONABLE, Intent
from intake.web import create_app
from intake.web.users import add_user

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "benchmark password"
TARGETS_MS = {"queue_list": 150, "ticket_page": 150, "dashboard": 500}
LANGUAGES = ["nl"] * 5 + ["en"] * 2 + ["fr", "ar", "uk", "ru", "tr", "es"]
BODY = (
    "Goedendag, ik heb een vraag over mijn verblijfskaart. Ik woon in Gent sinds drie jaar en mijn kaart "
    "vervalt binnenkort. Wat moet ik doen en welke documenten moet ik meebrengen? Met vriendelijke groeten, {name}"
)


def main() -> int:
    args = parse_args()
    name = f"intake_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        return run(args, url)
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"kept database {name}", file=sys.stderr)
        admin.dispose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def run(args: argparse.Namespace, url: str) -> int:
    settings = load_settings(
        database_url=url, web_cookie_secure=False, web_deliver_replies_now=False
    )
    ctx = Context.build(settings)
    started = time.perf_counter()
    user_ids = [
        add_user(
            ctx.db, f"agent{i}", role="manager", password=PASSWORD, display_name=f"Agent {i}"
        ).id
        for i in range(20)
    ]
    open_ids = fill(ctx, args.tickets, user_ids, random.Random(args.seed))
    load_seconds = time.perf_counter() - started
    print(f"loaded {args.tickets} tickets in {load_seconds:.1f} s", file=sys.stderr)

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    rng = random.Random(args.seed + 1)
    queues = ctx.routing.queues
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            log_in(client)
            pages = {
                "queue_list": lambda: (
                    "/tickets" if rng.random() < 0.5 else f"/tickets?queue={rng.choice(queues)}"
                ),
                "ticket_page": lambda: f"/tickets/{rng.choice(open_ids)}",
                "dashboard": lambda: "/dashboard",
            }
            results = {
                name: measure(client, make_path, args.requests) for name, make_path in pages.items()
            }
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        ctx.db.dispose()
    report(args, results, load_seconds)
    return 0 if all(results[n]["p95_ms"] < TARGETS_MS[n] for n in results) else 1


def log_in(client: httpx.Client) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"username": "agent0", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:300]


def measure(client: httpx.Client, make_path, count: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    for _ in range(min(10, count)):  # warm the caches and the connection pool
        client.get(make_path())
    timings = []
    for _ in range(count):
        path = make_path()
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    timings.sort()
    return {
        "requests": count,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "max_ms": round(timings[-1], 1),
    }


def report(
    args: argparse.Namespace, results: dict[str, dict[str, float]], load_seconds: float
) -> None:
    print(f"{'page':<12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>8}")
    for name, r in results.items():
        verdict = "ok" if r["p95_ms"] < TARGETS_MS[name] else "SLOW"
        print(
            f"{name:<12} {r['requests']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} "
            f"{'<' + str(TARGETS_MS[name]):>8} {verdict}"
        )
    print(json.dumps({"tickets": args.tickets, "load_seconds": round(load_seconds, 1), **results}))


# --- Data --------------------------------------------------------------------------------------


def fill(ctx: Context, tickets: int, user_ids: list[int], rng: random.Random) -> list[int]:
    """COPY realistic rows into the fresh database; returns the ids of tickets not closed."""
    now = datetime.now(UTC)
    intents = [i for i in Intent if i not in NON_ACTIONABLE]
    contacts = max(1, int(tickets * 0.7))
    raw = ctx.db.engine.raw_connection()
    open_ids: list[int] = []
    try:
        cursor = raw.cursor()
        with cursor.copy(
            "COPY contacts (id, email, name, language, created_at) FROM STDIN"
        ) as copy:
            for cid in range(1, contacts + 1):
                copy.write_row(
                    (cid, f"citizen{cid}@example.com", f"Citizen {cid}", rng.choice(LANGUAGES), now)
                )
        ticket_cols = (
            "id, reference, queue, intent, status, language, subject, contact_id, missing_documents, "
            "confidence, evidence, needs_human, assigned_to, received_at, acknowledged_at, "
            "first_reply_at, closed_at, updated_at"
        )
        message_cols = "ticket_id, direction, from_addr, from_name, to_addrs, subject, body_text, defects, created_at, author_id"
        event_cols = "ticket_id, kind, actor, data, at"
        outbox_cols = "ticket_id, kind, to_addr, message_id, subject, mime, state, attempts, created_at, sent_at"
        mime = (
            "From: Dienst Migratie <migratie@stad.gent>\r\nSubject: ack\r\nContent-Type: text/plain\r\n\r\n"
            + "We hebben uw e-mail goed ontvangen.\r\n" * 10
        ).encode()
        rows = []
        for tid in range(1, tickets + 1):
            # Older tickets are mostly closed; the last weeks hold the backlog.
            age = timedelta(days=rng.random() ** 1.6 * 180)
            received = now - age
            intent = rng.choice(intents)
            route = ctx.routing.route(intent)
            waiting = age < timedelta(days=30) and rng.random() < 0.45
            status = (
                rng.choice(["new", "new", "open", "waiting_for_citizen", "waiting_for_documents"])
                if waiting
                else rng.choice(["closed", "closed", "resolved"])
            )
            replied = status not in ("new",) and rng.random() < 0.9
            first_reply = received + timedelta(hours=rng.uniform(1, 24 * 6)) if replied else None
            closed = (
                (first_reply or received) + timedelta(hours=rng.uniform(1, 48))
                if status in ("closed", "resolved")
                else None
            )
            if closed and closed > now:
                closed = now
            if first_reply and first_reply > now:
                first_reply = now
            assigned = rng.choice(user_ids) if status != "new" and rng.random() < 0.7 else None
            if waiting:
                open_ids.append(tid)
            rows.append(
                (
                    tid,
                    f"GNT-{received.year}-{tid:06d}",
                    route.queue,
                    intent.value,
                    status,
                    rng.choice(LANGUAGES),
                    f"Vraag over {intent.value} {tid}",
                    rng.randint(1, contacts),
                    status == "waiting_for_documents",
                    round(rng.uniform(0.4, 0.99), 2),
                    json.dumps([f"intent: {intent.value} +3.0"]),
                    rng.random() < 0.03,
                    assigned,
                    received,
                    received + timedelta(seconds=30),
                    first_reply,
                    closed,
                    closed or received,
                )
            )
        with cursor.copy(f"COPY tickets ({ticket_cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.copy(f"COPY ticket_messages ({message_cols}) FROM STDIN") as copy:
            for row in rows:
                tid, received, first_reply, assigned = row[0], row[13], row[15], row[12]
                contact = row[7]
                copy.write_row(
                    (
                        tid,
                        "in",
                        f"citizen{contact}@example.com",
                        f"Citizen {contact}",
                        "migratie@stad.gent",
                        row[6],
                        BODY.format(name=f"Citizen {contact}"),
                        "[]",
                        received,
                        None,
                    )
                )
                if rng.random() < 0.15:
                    copy.write_row(
                        (
                            tid,
                            "in",
                            f"citizen{contact}@example.com",
                            f"Citizen {contact}",
                            "migratie@stad.gent",
                            "Re: " + row[6],
                            "Is er al nieuws over mijn dossier?",
                            "[]",
                            received + timedelta(days=2),
                            None,
                        )
                    )
                if first_reply is not None:
                    copy.write_row(
                        (
                            tid,
                            "out",
                            "migratie@stad.gent",
                            "Agent",
                            f"citizen{contact}@example.com",
                            f"[{row[1]}] Re: {row[6]}",
                            "Beste, hier is ons antwoord.",
                            "[]",
                            first_reply,
                            assigned or user_ids[0],
                        )
                    )
        with cursor.copy(f"COPY events ({event_cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (row[0], "created", "system", json.dumps({"queue": row[2]}), row[13])
                )
                copy.write_row(
                    (row[0], "classified", "system", json.dumps({"intent": row[3]}), row[13])
                )
        with cursor.copy(f"COPY outbox ({outbox_cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row[0],
                        "ack",
                        f"citizen{row[7]}@example.com",
                        f"bench.{row[0]}@stad.gent",
                        f"[{row[1]}] Re: {row[6]}",
                        mime,
                        "sent",
                        1,
                        row[14],
                        row[14],
                    )
                )
        for table in ("contacts", "tickets"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()
    # As autovacuum leaves a live database: statistics and the visibility map (index-only scans).
    raw = ctx.db.engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True  # type: ignore[union-attr]
        raw.cursor().execute("VACUUM ANALYZE")
    finally:
        raw.close()
    return open_ids


if __name__ == "__main__":
    sys.exit(main())
