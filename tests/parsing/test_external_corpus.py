"""The external corpus: 596 messages from other mail projects, parsed and checked against
what those projects' own tests assert about them (MANIFEST.jsonl ``expect``).

Run with ``-s`` to see the agreement figure and every miss.

How each asserted key is compared, and why:

* ``subject``: Unicode NFC, whitespace runs collapsed to one space, ends stripped, then
  equal. Sources differ in how they unfold long headers and keep trailing spaces
  (Zammad keeps ``"CI Daten für PublicView "``), not in the words.
* ``from``, ``to``: the sources write these as a decoded header string (Zammad, PHP), a
  list of ``{name, address}`` (Stalwart) or one ``{name, email}`` (zbateson, which asserts
  the first address only). A string is split into addresses with our own
  ``parse_address_list``: it is a decoded header line, not a parsed structure, and the
  same splitter on both sides compares what was decoded, not two parsers' guesses about
  broken syntax (``Namedyński (hans@example.com)``). Agreement: the e-mail addresses are
  equal case-insensitively (as lists for a full header, the first address for zbateson),
  and where the source gives a display name, ours equals it after whitespace
  normalisation with surrounding quotes dropped (quoting is presentation).
* ``from_email``: case-insensitive equality, surrounding quotes dropped (Zammad keeps the
  quotes of ``From: "a@b"``). ``from_display_name``: as names above.
* ``attachment_names``: sorted lists of names, whitespace-normalised, compared equal.
  ``attachment_count``: equal counts. Zammad lists its HTML alternative body as an
  attachment ``message.html`` with ``is_alternative_body: true``; we keep that as
  ``ParsedMail.html``, so those entries are taken out of the expectation first.
  Zammad also invents names for parts that have none (``file``, ``document.html``,
  ``image.gif``, ``video1.mov``, ``delivery-status.txt``). An invented name is a product
  convention, not a fact about the message, so for each of those we only require one
  attachment of ours, of the same type where Zammad records it, that is not one of the
  really named ones (see ``ZAMMAD_INVENTED``). ``<subject>.eml`` for an attached message
  and ``<Content-Description>.txt`` are compared as given: we name parts the same way.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from intake.addresses import parse_address_list
from intake.mail import Address, ParsedMail
from intake.parsing import parse_mail

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EXTERNAL = SHARED / "corpus" / "external"
MANIFEST = EXTERNAL / "MANIFEST.jsonl"

COMPARED_KEYS = (
    "subject",
    "from",
    "from_email",
    "from_display_name",
    "to",
    "attachment_names",
    "attachment_count",
)
REQUIRED_AGREEMENT = 0.95
MAX_SECONDS_PER_MESSAGE = 5.0

pytestmark = pytest.mark.skipif(
    not MANIFEST.exists(), reason="../shared corpus not present (a user's clone has no ../shared)"
)


# --- loading and parsing, once per session ----------------------------------------------


@cache
def manifest() -> tuple[dict, ...]:
    with MANIFEST.open(encoding="utf-8") as lines:
        return tuple(json.loads(line) for line in lines if line.strip())


@cache
def parsed_corpus() -> dict[str, tuple[ParsedMail, float]]:
    """Every message parsed once: file -> (ParsedMail, seconds it took)."""
    result = {}
    for entry in manifest():
        raw = (EXTERNAL / entry["file"]).read_bytes()
        started = time.perf_counter()
        parsed = parse_mail(raw)
        result[entry["file"]] = (parsed, time.perf_counter() - started)
    return result


# --- normalising what the sources say -----------------------------------------------------


def norm(text: object) -> str:
    text = unicodedata.normalize("NFC", str(text or ""))
    return re.sub(r"\s+", " ", text).strip()


def norm_name(text: object) -> str:
    name = norm(text)
    while len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1].strip()
    return name


def expected_addresses(value: object) -> list[tuple[str, str]]:
    """(email lower-cased, name) pairs from a string, a dict or a list of dicts."""
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list):
        return [
            (norm(item.get("email") or item.get("address")).lower(), norm_name(item.get("name")))
            for item in value
        ]
    parsed = parse_address_list(str(value), allow_local=True)
    return [(norm(a.email).lower(), norm_name(a.name)) for a in parsed]


def addresses_agree(
    expected: list[tuple[str, str]], ours: tuple[Address, ...], *, first_only: bool
) -> bool:
    got = [(a.email.lower(), norm_name(a.name)) for a in ours]
    if first_only:
        got = got[:1]
        expected = expected[:1]
    if sorted(e for e, _ in expected) != sorted(e for e, _ in got):
        return False
    names = dict(got)
    return all(not name or names.get(addr) == name for addr, name in expected)


ZAMMAD_INVENTED = re.compile(
    r"file|document\d*\.html|(image|video|audio)\d*\.[a-z0-9]+|delivery-status\.txt"
)


def _zammad_invented(name: str, content_type: str | None) -> bool:
    """Names Zammad makes up for parts that have none."""
    return ZAMMAD_INVENTED.fullmatch(name) is not None


def expected_attachments(entry: dict) -> tuple[list[str], int] | None:
    """Expected (names, count) with Zammad's alternative bodies taken out, or None."""
    expect = entry["expect"]
    if "attachments" in expect and entry["file"].startswith("zammad/"):
        items = [a for a in expect["attachments"] if not a.get("is_alternative_body")]
        return [a["filename"] for a in items], len(items)
    if "attachment_names" in expect or "attachment_count" in expect:
        names = expect.get("attachment_names")
        count = expect.get("attachment_count", len(names) if names is not None else 0)
        return list(names or []), count
    return None


def attachment_names_agree(entry: dict, parsed: ParsedMail) -> bool:
    names, _ = expected_attachments(entry) or ([], 0)
    ours = [(norm(a.filename), a.content_type) for a in parsed.attachments]
    if not entry["file"].startswith("zammad/"):
        return sorted(norm(n) for n in names) == sorted(n for n, _ in ours)
    types = [
        a.get("mime_type")
        for a in entry["expect"]["attachments"]
        if not a.get("is_alternative_body")
    ]
    real = [norm(n) for n, t in zip(names, types, strict=True) if not _zammad_invented(n, t)]
    for name, ctype in zip(names, types, strict=True):
        if not _zammad_invented(name, ctype):
            continue
        # one of ours that is not a really named part, of the same type when Zammad knew it
        spare = [
            i
            for i, (n, t) in enumerate(ours)
            if n not in real and (ctype in (None, "application/octet-stream") or t == ctype)
        ]
        if not spare:
            return False
        ours.pop(spare[0])
    return sorted(real) == sorted(n for n, _ in ours)


def check(entry: dict, parsed: ParsedMail) -> list[tuple[str, bool, object, object]]:
    """(key, agreed, expected, ours) for every compared key the source asserts."""
    expect = entry["expect"]
    source = entry["file"].split("/")[0]
    results = []
    if "subject" in expect:
        results.append(
            (
                "subject",
                norm(expect["subject"]) == norm(parsed.subject),
                expect["subject"],
                parsed.subject,
            )
        )
    if "from" in expect:
        ours = (parsed.from_,) if parsed.from_ else ()
        ok = addresses_agree(expected_addresses(expect["from"]), ours, first_only=True)
        results.append(("from", ok, expect["from"], ours))
    if "from_email" in expect:
        ok = norm(expect["from_email"]).strip("\"'").lower() == parsed.from_email.lower()
        results.append(("from_email", ok, expect["from_email"], parsed.from_email))
    if "from_display_name" in expect:
        ok = norm_name(expect["from_display_name"]) == norm_name(parsed.from_name)
        results.append(("from_display_name", ok, expect["from_display_name"], parsed.from_name))
    if "to" in expect:
        first_only = source == "zbateson-mail-mime-parser"
        ok = addresses_agree(expected_addresses(expect["to"]), parsed.to, first_only=first_only)
        results.append(("to", ok, expect["to"], parsed.to))
    attachments = expected_attachments(entry)
    if attachments is not None:
        names, count = attachments
        ours = [a.filename for a in parsed.attachments]
        if "attachment_names" in expect or "attachments" in expect:
            results.append(("attachment_names", attachment_names_agree(entry, parsed), names, ours))
        results.append(("attachment_count", count == len(parsed.attachments), count, len(ours)))
    return results


def agreement() -> tuple[int, int, list[str]]:
    agreed = total = 0
    misses = []
    parsed = parsed_corpus()
    for entry in manifest():
        for key, ok, want, got in check(entry, parsed[entry["file"]][0]):
            total += 1
            agreed += ok
            if not ok:
                misses.append(f"{entry['file']} {key}: expected {want!r}, got {got!r}")
    return agreed, total, misses


# --- the tests ---------------------------------------------------------------------------


def test_every_message_parses_without_raising_and_in_reasonable_time() -> None:
    parsed = parsed_corpus()
    assert len(parsed) == len(manifest()) == 596
    slow = {f: round(s, 2) for f, (_, s) in parsed.items() if s > MAX_SECONDS_PER_MESSAGE}
    assert not slow
    for file, (mail, _) in parsed.items():
        assert isinstance(mail, ParsedMail), file
        assert mail.size == (EXTERNAL / file).stat().st_size


def test_parse_agrees_with_what_the_source_projects_assert() -> None:
    agreed, total, misses = agreement()
    ratio = agreed / total
    print(f"\nexternal corpus: {agreed}/{total} assertions agree ({ratio:.1%})")
    for miss in misses:
        print("  MISS", miss)
    assert total > 1000
    assert ratio >= REQUIRED_AGREEMENT


def test_the_cli_keeps_the_json_contract_on_real_messages() -> None:
    files = [
        "zammad/mail002.box",
        "zbateson-mail-mime-parser/m4006.txt",
        "stalwart-mail-parser/malformed/001.eml",
        "sisimai/maildir/mac/lhost-postfix-01.eml",
        "rt/rfc2231-attachment-filename-continuations",
    ]
    paths = [str(EXTERNAL / f) for f in files if (EXTERNAL / f).exists()]
    intake = Path(sys.executable).with_name("intake")
    done = subprocess.run(
        [str(intake), "parse", "--json", *paths],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(rows) == len(paths)
    keys = {
        "file",
        "from",
        "from_email",
        "from_name",
        "to",
        "subject",
        "date",
        "message_id",
        "in_reply_to",
        "references",
        "text",
        "html_present",
        "attachments",
        "defects",
    }
    for row in rows:
        assert set(row) == keys
        assert isinstance(row["references"], list) and isinstance(row["defects"], list)
        for att in row["attachments"]:
            assert set(att) == {"filename", "content_type", "size", "sha256"}
    by_file = {Path(r["file"]).name: r for r in rows}
    assert by_file["mail002.box"]["subject"] == "aaäöüßad asd"
    assert by_file["mail002.box"]["from_email"] == "martin@example.com"
