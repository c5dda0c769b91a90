"""The interface catalogue: every key a page uses exists in Dutch and English."""

from __future__ import annotations

import re

from intake.intents import Intent
from intake.statuses import TicketStatus
from intake.web.dashboard import AGE_BUCKETS
from intake.web.i18n import CATALOGUE, INTENT_LABELS, STATUS_LABELS, Translator
from intake.web.rendering import TEMPLATES_DIR
from intake.web.users import ROLES

_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""")


def test_every_key_in_the_templates_and_code_is_in_the_catalogue() -> None:
    sources = [p.read_text() for p in TEMPLATES_DIR.rglob("*.html")]
    sources += [p.read_text() for p in (TEMPLATES_DIR.parent).rglob("*.py")]
    used = {key for text in sources for key in _KEY.findall(text)}
    assert len(used) > 60
    assert sorted(used - set(CATALOGUE)) == []


def test_keys_built_at_render_time_exist() -> None:
    built = {f"role.{r}" for r in ROLES} | {f"bucket.{key}" for key, _ in AGE_BUCKETS}
    built |= {f"thread.{k}" for k in ("ack", "added", "agent_reply", "documents_request")}
    built |= {f"delivery.{s}" for s in ("pending", "sent", "failed", "suppressed")}
    assert sorted(built - set(CATALOGUE)) == []


def test_every_status_and_intent_has_a_label_in_both_languages() -> None:
    assert set(STATUS_LABELS) == set(TicketStatus)
    assert set(INTENT_LABELS) == set(Intent)
    assert all(nl and en for nl, en in CATALOGUE.values())


def test_an_unknown_language_falls_back_to_dutch() -> None:
    assert Translator("tr")("nav.logout") == "Afmelden"
    assert Translator("en")("nav.logout") == "Log out"
    assert Translator("en").queue("unknown-queue") == "unknown-queue"
