"""Property: whatever is done to a real message's bytes, ingest keeps them and files a ticket."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from intake.config import load_settings
from intake.context import Context
from intake.ingest import ingest
from intake.rawstore import content_hash
from intake.sources import RawSource
from intake.store.models import RawMessage, Ticket
from tests.builders import TINY_PDF, citizen_mail

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.eml"))
BASES = [p.read_bytes() for p in SAMPLES] + [
    citizen_mail(subject="Bijlage 35 verlengen", attachments=[("bijlage35.pdf", "application/pdf", TINY_PDF)]),
]


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from(BASES))
    mutation = draw(st.sampled_from(["truncate", "flip", "boundary", "charset", "huge_header", "nul", "cr_only"]))
    if mutation == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if mutation == "flip":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 40))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if mutation == "boundary":
        return raw.replace(b"boundary=", b"boundary=x", 1).replace(b"--==", b"--!!", 2)
    if mutation == "charset":
        name = draw(st.sampled_from([b"x-unknown", b"utf-7", b"iso-8859-99", b'"', b"utf-16"]))
        return raw.replace(b"charset=", b"charset=" + name + b";x=", 1)
    if mutation == "huge_header":
        return b"X-Huge: " + b"a" * draw(st.integers(1000, 200_000)) + b"\r\n" + raw
    if mutation == "nul":
        cut = draw(st.integers(0, len(raw)))
        return raw[:cut] + b"\x00" * draw(st.integers(1, 50)) + raw[cut:]
    return raw.replace(b"\r\n", b"\r")


class _Store:
    """One SQLite store for the whole property run (hypothesis reruns the body many times)."""

    folder = Path(tempfile.mkdtemp(prefix="intake-prop-"))
    ctx = Context.build(load_settings(database_url=f"sqlite:///{folder / 'p.db'}", outbox_dir=folder / "outbox"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated_messages())
def test_ingest_never_loses_a_message_whatever_its_bytes(raw: bytes) -> None:
    ctx = _Store.ctx

    summary = ingest(ctx, [RawSource("mutated.eml", raw)]).as_dict()

    assert summary["messages"] == 1 and summary["failed"] == 0
    with ctx.db.session() as session:
        stored = session.scalar(select(RawMessage).where(RawMessage.content_sha256 == content_hash(raw)))
        assert stored is not None and stored.raw == raw
        assert stored.state == "processed"
        assert session.get(Ticket, stored.ticket_id) is not None
