"""Replies: Jinja2 templates in the citizen's language -> a MIME message with RFC 3834 headers.

The text template is the single source of the wording; the HTML alternative is the same
paragraphs and lists in a shared layout (right-to-left for Arabic and Farsi).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import random
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from intake.config import Settings
from intake.errors import ConfigError
from intake.handlers.plan import REPLY_SECTIONS, Plan
from intake.routing import Routing

# A language without its own template folder gets Dutch and English together.
FALLBACK_LANGUAGES = ("nl", "en")
# Between the language sections of one reply (Dutch and English together, say).
SECTION_SEPARATOR = "\n\n-----\n\n"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
# ack: the first answer on a new ticket; added: "your message was added to your file".
REPLY_KINDS = ("ack", "added")

_CONTROL = re.compile(r"[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\x85]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def header_safe(value: str | None, limit: int = 200) -> str:
    """A value copied from incoming mail, made unable to carry CR or LF into our headers.

    Also unable to be read as MIME syntax again: an undecodable leftover like
    "=?ut-8?q?=C3?=" would otherwise be re-parsed as an encoded word on the way out.
    """
    value = _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", value or ""))
    return value.replace("=?", "= ?").strip()[:limit]


_MSGID = re.compile(r"^[!-;=?-~]{1,900}$")  # visible ASCII without '<' and '>', no spaces


def msgid_safe(value: str | None) -> str | None:
    """A Message-ID from incoming mail fit for In-Reply-To/References, or None when it is not."""
    value = (value or "").strip().strip("<>")
    return value if _MSGID.match(value) else None


# Reply and forward prefixes in the languages of the mailbox, and our own reference tag.
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|antw|antwoord|sv|vs|fw|fwd|tr|wg|doorst|rv|res|rif|ynt|yan[ıi]t|"
    r"відп|отв|ответ|رد)\s*(?:\[\d+\])?\s*[:：]\s*|\[[A-Z]{2,5}-\d{4}-\d{6,}\]\s*)+",
    re.IGNORECASE,
)


def reply_subject(reference: str, original: str) -> str:
    """`[GNT-2026-000123] Re: <original>`, without piling up Re: and our own tag."""
    cleaned = _SUBJECT_PREFIX.sub("", header_safe(original, 400)).strip()
    return f"[{reference}] Re: {cleaned}"[:250] if cleaned else f"[{reference}]"


# A display name we are willing to print in a greeting: letters, spaces, dots, hyphens,
# apostrophes; no digits, no addresses, no links (a name is untrusted text we would reflect).
_NAME = re.compile(r"^[^\W\d_]+\.?(?:[ '’\-]?[^\W\d_]+\.?){0,5}$")


def greeting_name(name: str | None) -> str:
    name = " ".join(header_safe(name, 200).strip(" \"'").split())
    if not name or len(name) > 60 or not _NAME.match(name):
        return ""
    return name.title() if name.isupper() else name


@dataclass(frozen=True, slots=True)
class RenderedReply:
    subject: str
    text: str
    html: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a reply template may use; nothing else reaches the template."""

    reference: str
    citizen_name: str
    original_subject: str
    plan: Plan
    documents: tuple[str, ...]
    office_name: str
    # For "added": the message brought documents (PDF, photo) with it.
    with_documents: bool = False


class ReplyRenderer:
    def __init__(self, settings: Settings, routing: Routing) -> None:
        self.settings = settings
        self.routing = routing
        folder = Path(settings.templates_dir) / "replies"
        # Every folder under templates/replies/ is a language with its own wording.
        self.languages = (
            tuple(sorted(p.name for p in folder.iterdir() if p.is_dir())) if folder.is_dir() else ()
        )
        self.env = Environment(
            loader=FileSystemLoader(str(folder)),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # The wording is checked at start-up (see intake/context.py); an edit takes effect on
            # restart, after that check, instead of costing a file check on every reply.
            auto_reload=False,
        )
        self.env.filters["join_and"] = _join_and

    def languages_for(self, language: str | None) -> tuple[str, ...]:
        if language is not None and language in self.languages:
            return (language,)
        return FALLBACK_LANGUAGES

    def render(self, kind: str, ctx: ReplyContext, language: str | None) -> RenderedReply:
        """The reply in the citizen's language (or Dutch and English), text and HTML."""
        if kind not in REPLY_KINDS:
            raise ValueError(f"unknown reply kind {kind!r}")
        if kind == "ack" and ctx.plan.reply_section not in REPLY_SECTIONS:
            raise ValueError(f"plan for {ctx.plan.intent.value} has no reply section")
        languages = self.languages_for(language)
        parts = [self._text(kind, ctx, lang) for lang in languages]
        return self.compose(reply_subject(ctx.reference, ctx.original_subject), parts, languages)

    def compose(self, subject: str, parts: list[str], languages: tuple[str, ...]) -> RenderedReply:
        """Text sections, one per language, as a reply: the text and its HTML alternative."""
        text = SECTION_SEPARATOR.join(parts) + "\n"
        directions = ["rtl" if lang in RTL_LANGUAGES else "ltr" for lang in languages]
        html = self.env.get_template("layout.html.j2").render(
            subject=subject,
            sections=[_blocks(p) for p in parts],
            directions=directions,
            languages=languages,
        )
        return RenderedReply(subject=subject, text=text, html=html, languages=languages)

    def _text(self, kind: str, ctx: ReplyContext, lang: str) -> str:
        values = {
            "reference": ctx.reference,
            "name": greeting_name(ctx.citizen_name),
            "intent": ctx.plan.intent.value,
            "section": ctx.plan.reply_section,
            "plan": ctx.plan,
            "documents": self.routing.document_texts(ctx.documents, lang),
            "free_centres": list(self.routing.service_centres.without_appointment),
            "with_documents": ctx.with_documents,
            "office_name": ctx.office_name,
        }
        text = self.env.get_template(f"{lang}/{kind}.txt.j2").render(values)
        # Blank lines left by template logic collapse to one paragraph break.
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def compile_templates(self) -> None:
        """Compile every template now instead of on first use (before worker processes fork)."""
        for name in self.env.list_templates():
            self.env.get_template(name)

    def check_templates(self) -> None:
        """Every reply kind exists in every language: checked at start-up, not at 3 a.m."""
        folder = Path(self.settings.templates_dir) / "replies"
        missing = [f"{lang}/" for lang in FALLBACK_LANGUAGES if lang not in self.languages]
        missing += [
            f"{lang}/{kind}.txt.j2"
            for lang in self.languages
            for kind in REPLY_KINDS
            if not (folder / lang / f"{kind}.txt.j2").is_file()
        ]
        missing += [
            name for name in ("layout.html.j2", "office.j2") if not (folder / name).is_file()
        ]
        if missing:
            raise ConfigError(f"reply templates missing in {folder}: {', '.join(missing)}")


def _join_and(items: list[str], last: str, sep: str = ", ") -> str:
    """["A", "B", "C"] -> "A, B and C" with the language's own word for "and"."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return sep.join(items[:-1]) + last + items[-1]


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def _blocks(text: str) -> list[dict[str, object]]:
    """Text as HTML blocks: paragraphs (lines) and lists (lines starting "- "), each line a
    list of (kind, value) runs where kind is 'text' or 'link'."""
    blocks: list[dict[str, object]] = []
    for chunk in re.split(r"\n\s*\n", text):
        for line in chunk.split("\n"):
            kind = "ul" if line.startswith("- ") else "p"
            value = line[2:] if kind == "ul" else line
            if blocks and blocks[-1]["kind"] == kind and not blocks[-1]["closed"]:
                blocks[-1]["lines"].append(_runs(value))  # type: ignore[attr-defined]
            else:
                blocks.append({"kind": kind, "lines": [_runs(value)], "closed": False})
        if blocks:
            blocks[-1]["closed"] = True
    return blocks


def _runs(line: str) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    pos = 0
    for m in _URL.finditer(line):
        runs.append(("text", line[pos : m.start()]))
        runs.append(("link", m.group(0)))
        pos = m.end()
    runs.append(("text", line[pos:]))
    return [r for r in runs if r[1]]


# --- Message-IDs that prove they are ours ---------------------------------------------------


def make_message_id(settings: Settings, reference: str, kind: str) -> str:
    """A Message-ID of our domain with a keyed signature, fixed once and stored with the reply.

    ``GNT-2026-000123.ack.3f9a0c1d2e.9e1b7c0d5a4f3e21@stad.gent``: the reference can be read
    back from a reply's In-Reply-To, and the HMAC shows it was we who made it. Short enough
    that the header stays on one line.
    """
    local = f"{reference}.{kind}.{secrets.token_hex(5)}"
    return f"{local}.{_signature(settings, local)}@{settings.message_id_domain}"


def is_our_message_id(settings: Settings, message_id: str | None) -> bool:
    """True when a Message-ID carries a valid signature of ours (a reply to one of our mails)."""
    local, _, domain = (message_id or "").strip("<> ").rpartition("@")
    if domain.lower() != settings.message_id_domain.lower() or "." not in local:
        return False
    body, _, signature = local.rpartition(".")
    return hmac.compare_digest(signature, _signature(settings, body))


def reference_from_message_id(settings: Settings, message_id: str | None) -> str | None:
    if not is_our_message_id(settings, message_id):
        return None
    parts = (message_id or "").strip("<> ").rpartition("@")[0].split(".")
    return parts[0] if len(parts) == 4 else None


def _signature(settings: Settings, local: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), local.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


# --- MIME -----------------------------------------------------------------------------------
#
# The reply is written out directly rather than through email.message.EmailMessage: the header
# registry re-parses and re-folds every header, which cost about 3 ms a reply. What is written
# here is what EmailMessage wrote (same headers, same order, UTF-8 quoted-printable bodies,
# RFC 2047 encoded words for non-ASCII text, CRLF throughout), using public helpers only:
# base64 for encoded words and binascii.b2a_qp (what quopri uses) for the bodies.

_CRLF = "\r\n"
# Lines are folded to this length where there is a space to fold at (RFC 5322: SHOULD 78).
_FOLD_AT = 78
# UTF-8 bytes per encoded word: 60 base64 characters, a word of 72 (RFC 2047 allows 75).
_WORD_BYTES = 45
# Text that must go out as encoded words: non-ASCII, or something that reads as one.
_NEEDS_ENCODING = re.compile(r"[^\x00-\x7f]|=\?")
_BLANKS = re.compile(r"[ \t]+")
# A display name of atoms (RFC 5322 atext) and single spaces goes out as it is; any other
# ASCII name is quoted, as email.headerregistry.Address does.
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# Our own addresses (settings): an addr-spec, not a list or a name with brackets.
_ADDR_SPEC = re.compile(r"[^\s<>()\[\],;:\"\\@]+@[^\s<>()\[\],;:\"\\@]+")


def build_mime(
    settings: Settings,
    rendered: RenderedReply,
    *,
    to_addr: str,
    to_name: str,
    message_id: str,
    in_reply_to: str | None,
    references: tuple[str, ...],
    automatic: bool = True,
) -> bytes:
    """The reply as bytes ready for SMTP, with the headers that stop mail loops (RFC 3834).

    A reply a person wrote (``automatic=False``) carries no Auto-Submitted or Precedence
    (RFC 3834 section 5); it still asks the citizen's auto-responders to stay quiet.
    """
    office_address = _line(settings.office_address, "office address")
    if not _ADDR_SPEC.fullmatch(office_address):
        raise ValueError(f"not an address we can send from: {office_address!r}")
    headers = [
        _fold("From", _mailbox(_line(settings.office_name, "office name"), office_address)),
        _fold("To", _address(to_addr, to_name)),
        _fold("Reply-To", _reply_to(settings.reply_to or office_address)),
        _fold("Subject", _unstructured(header_safe(rendered.subject, 250))),
        _fold("Date", format_datetime(datetime.now(UTC))),
        _fold("Message-ID", f"<{_line(message_id, 'Message-ID')}>"),
    ]
    parent = msgid_safe(in_reply_to)
    refs = [r for r in (msgid_safe(r) for r in references) if r]
    if parent:
        headers.append(_fold("In-Reply-To", f"<{parent}>"))
        if parent not in refs:
            refs.append(parent)
    if refs:
        # The first (thread root) and the newest, as RFC 5322 suggests when trimming.
        kept = refs if len(refs) <= 10 else [refs[0], *refs[-9:]]
        headers.append(_fold("References", " ".join(f"<{r}>" for r in kept)))
    if automatic:
        headers.append("Auto-Submitted: auto-replied\r\n")
        headers.append("Precedence: auto_reply\r\n")
    headers.append("X-Auto-Response-Suppress: All\r\n")
    # Quoted-printable never holds "==" ('=' is always followed by hex digits or a line
    # break), so a boundary with "==" in it cannot turn up in either body.
    boundary = f"==============={random.randrange(sys.maxsize):019d}=="
    headers.append("MIME-Version: 1.0\r\n")
    headers.append(_fold("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    languages = ", ".join(rendered.languages)
    headers.append(_fold("Content-Language", _line(languages, "Content-Language")))
    # CRLF as SMTP wants it: smtplib sends bytes as they are, and a bare-LF message is one
    # endless line to the server. Headers are ASCII or the message is not built at all.
    return "".join(
        [
            *headers,
            f"\r\n--{boundary}\r\n",
            'Content-Type: text/plain; charset="utf-8"\r\n',
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
            _quoted_printable(rendered.text),
            f"\r\n--{boundary}\r\n",
            'Content-Type: text/html; charset="utf-8"\r\n',
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
            _quoted_printable(rendered.html),
            f"\r\n--{boundary}--\r\n",
        ]
    ).encode("ascii")


# An address we can hand to SMTP without SMTPUTF8: ASCII local part and a dotted host name.
_SENDABLE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def is_sendable_address(address: str) -> bool:
    return bool(_SENDABLE.match(address or "")) and ".." not in address


def _address(addr: str, name: str) -> str:
    """The To header's value: the citizen's name (made header-safe) and a checked address."""
    if not is_sendable_address(addr):
        raise ValueError(f"not an address we can send to: {addr!r}")
    return _mailbox(header_safe(name, 120), addr)


def _mailbox(name: str, addr: str) -> str:
    """``name <addr>``: the name as atoms, a quoted string, or one RFC 2047 encoded word."""
    # Runs of blanks read back as one space in a display name anyway.
    name = _BLANKS.sub(" ", name).strip()
    if not name:
        return addr
    if _NEEDS_ENCODING.search(name):
        # Base64 may carry quotes, commas and brackets inside a phrase (RFC 2047 5.3). One
        # word, not split as a Subject is: the space between two encoded words in a phrase is
        # dropped by readers that follow RFC 2047 and read as a space by others (Python's
        # parser among them), so a split name reads differently in each. A name of more than
        # 45 UTF-8 bytes makes a word longer than RFC 2047's 75 characters, which decoders
        # generally accept; the line stays far below 998 (a To name has at most 120
        # characters, and a name over 600 bytes, from the settings only, is split after all).
        data = name.encode("utf-8")
        phrase = _encoded_word(data) if len(data) <= 600 else " ".join(_encoded_words(name))
    elif _ATOMS.fullmatch(name):
        phrase = name
    else:
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{addr}>"


def _reply_to(value: str) -> str:
    """Reply-To from the settings: a plain address as it is; a non-ASCII name encoded."""
    value = _line(value, "Reply-To").strip()
    if not _NEEDS_ENCODING.search(value):
        return value
    name, addr = parseaddr(value)
    if not addr:
        raise ValueError(f"not an address for Reply-To: {value!r}")
    return _mailbox(name, addr)


def _unstructured(value: str) -> str:
    """A Subject's value: ASCII words as they are, from the first word that needs it to the
    end as encoded words (which carry their own spaces, so it decodes to exactly `value`)."""
    found = _NEEDS_ENCODING.search(value)
    if found is None:
        return value
    start = value.rfind(" ", 0, found.start()) + 1
    return value[:start] + " ".join(_encoded_words(value[start:]))


def _encoded_words(text: str) -> list[str]:
    """`text` as RFC 2047 "B" encoded words in UTF-8, never splitting a character."""
    data = text.encode("utf-8")
    words = []
    start, size = 0, len(data)
    while start < size:
        end = start + _WORD_BYTES
        if end < size:
            while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: not here
                end -= 1
        words.append(_encoded_word(data[start:end]))
        start = end
    return words


def _encoded_word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _fold(name: str, value: str) -> str:
    """``Name: value`` with CRLF, folded before spaces so lines keep to 78 where they can.

    Folding only inserts CRLF in front of an existing space, so unfolding gives the value back
    unchanged. Every token is short (encoded words) or bounded (names, subject, Message-IDs of
    at most 900 characters), so no line comes near 998 octets.
    """
    line = f"{name}: {value}"
    if len(line) <= _FOLD_AT:
        return line + _CRLF
    lines = []
    current, has_word = f"{name}:", False
    for word in value.split(" "):
        if word and has_word and len(current) + 1 + len(word) > _FOLD_AT:
            lines.append(current)
            current = " " + word
        else:
            current += " " + word
        has_word = has_word or bool(word)
    lines.append(current)
    return _CRLF.join(lines) + _CRLF


def _line(value: str, what: str) -> str:
    """A value from our own side (settings, our Message-ID): one line, or no message at all."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"{what} may not contain CR or LF: {value!r}")
    return value


def _quoted_printable(text: str) -> str:
    """A body as UTF-8 quoted-printable with CRLF line ends, lines of at most 76 characters.

    Line breaks of any kind (LF, CRLF, CR) become CRLF and the body ends with one, as
    EmailMessage.set_content did.
    """
    data = b"\r\n".join(text.encode("utf-8").splitlines()) + b"\r\n"
    # istext: line breaks stay line breaks (CRLF, as found in the data); trailing blanks and
    # everything outside printable ASCII are encoded.
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).decode("ascii")
