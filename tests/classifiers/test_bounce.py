"""Bounces: delivery reports and plain "undeliverable" notices are never answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.intents import Intent
from tests.classifiers.examples import all_examples
from tests.classifiers.mails import mail, verdict

PLAIN_NOTICES = [ex for ex in all_examples() if ex.id.startswith("bo")]


DSN = b"""From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: migratie@stad.gent
Subject: Postmaster notice
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

Something went wrong.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; a@example.org
Action: failed
Status: 5.1.1

--b1--
"""


def test_a_multipart_report_with_delivery_status_is_a_bounce() -> None:
    got = verdict(DSN)
    assert got.intent is Intent.BOUNCE
    assert not got.send_ack
    assert any("delivery-status" in e.detail for e in got.evidence)


@pytest.mark.parametrize("example", PLAIN_NOTICES, ids=[ex.id for ex in PLAIN_NOTICES])
def test_a_plain_undeliverable_notice_is_a_bounce(example) -> None:  # type: ignore[no-untyped-def]
    got = verdict(example.raw())
    assert got.intent is Intent.BOUNCE
    assert any("delivery failure" in e.detail for e in got.evidence)


def test_a_citizen_forwarding_a_bounce_with_a_question_is_answered() -> None:
    body = (
        "Hallo, mijn mail aan mijn advocaat kwam terug, zie hieronder. Kunnen jullie mijn bijlage "
        "35 verlengen?\n\n"
        "---------- Forwarded message ---------\nFrom: Mail Delivery Subsystem "
        "<mailer-daemon@example.net>\n"
        "Subject: Undeliverable\n\nThe message could not be delivered. 550 5.1.1 user unknown\n"
    )
    got = verdict(mail(body, subject="Fwd: Undeliverable"))
    assert got.send_ack
    assert got.intent is Intent.ANNEX35_EXTENSION


def test_sisimai_samples_that_are_not_bounces_are_not_called_bounces(external_corpus: Path) -> None:
    checked = 0
    for line in (external_corpus / "MANIFEST.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if "/not/" in entry["file"] and entry["expect"].get("is_bounce") is False:
            got = verdict((external_corpus / entry["file"]).read_bytes())
            assert got.intent is not Intent.BOUNCE, entry["file"]
            checked += 1
    assert checked >= 3
