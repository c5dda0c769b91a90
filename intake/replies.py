"""Replies: Jinja2 templates in the citizen's language -> a MIME message with RFC 3834 headers.

The text template is the single source of the wording; the HTML alternative is the same
paragraphs in a shared layout (right-to-left for Arabic and Farsi).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from intake.config import Settings
from intake.errors import ConfigError
from intake.handlers.plan import Plan
from intake.routing import Routing

# A language without its own template folder gets Dutch and English together.
FALLBACK_LANGUAGES = ("nl", "en")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
REPLY_KINDS = ("ack", "added")

_CRLF = re.compile(r"[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")


def header_safe(value: str, limit: int = 200) -> str:
    """A value copied from incoming mail, made unable to carry CR or LF into our headers."""
    return _CRLF.sub(" ", value or "").strip()[:limit]


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


class ReplyRenderer:
    def __init__(self, settings: Settings, routing: Routing) -> None:
        self.settings = settings
        self.routing = routing
        folder = Path(settings.templates_dir) / "replies"
        # Every folder under templates/replies/ is a language with its own wording.
        self.languages = tuple(sorted(p.name for p in folder.iterdir() if p.is_dir())) if folder.is_dir() else ()
        self.env = Environment(
            loader=FileSystemLoader(str(folder)),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def languages_for(self, language: str | None) -> tuple[str, ...]:
        if language in self.languages:
            return (language,)  # type: ignore[return-value]
        return FALLBACK_LANGUAGES

    def render(self, kind: str, ctx: ReplyContext, language: str | None) -> RenderedReply:
        languages = self.languages_for(language)
        parts = []
        for lang in languages:
            values = {
                "reference": ctx.reference,
                "name": ctx.citizen_name,
                "intent": ctx.plan.intent.value,
                "plan": ctx.plan,
                "documents": self.routing.document_texts(ctx.documents, lang),
                "office_name": ctx.office_name,
            }
            parts.append(self.env.get_template(f"{lang}/{kind}.txt.j2").render(values).strip())
        text = "\n\n-----\n\n".join(parts) + "\n"
        original = header_safe(ctx.original_subject)
        subject = f"[{ctx.reference}] Re: {original}" if original else f"[{ctx.reference}]"
        html = self.env.get_template("layout.html.j2").render(
            sections=[_paragraphs(p) for p in parts],
            directions=["rtl" if lang in RTL_LANGUAGES else "ltr" for lang in languages],
            languages=languages,
        )
        return RenderedReply(subject=subject, text=text, html=html, languages=languages)

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
        if not (folder / "layout.html.j2").is_file():
            missing.append("layout.html.j2")
        if missing:
            raise ConfigError(f"reply templates missing in {folder}: {', '.join(missing)}")


_URL = re.compile(r"https?://[^\s<>\"]+")


def _paragraphs(text: str) -> list[list[tuple[str, str]]]:
    """Text split into paragraphs of (kind, value) runs, where kind is 'text' or 'link'."""
    result = []
    for block in re.split(r"\n\s*\n", text):
        runs: list[tuple[str, str]] = []
        pos = 0
        for m in _URL.finditer(block):
            runs.append(("text", block[pos : m.start()]))
            runs.append(("link", m.group(0)))
            pos = m.end()
        runs.append(("text", block[pos:]))
        result.append(runs)
    return result


# --- Message-IDs that prove they are ours ---------------------------------------------------


def make_message_id(settings: Settings, reference: str, kind: str) -> str:
    """A Message-ID of our domain with a keyed signature, fixed once and stored with the reply."""
    nonce = secrets.token_hex(6)
    local = f"intake.{reference}.{kind}.{nonce}"
    return f"{local}.{_signature(settings, local)}@{settings.message_id_domain}"


def is_our_message_id(settings: Settings, message_id: str) -> bool:
    """True when a Message-ID carries a valid signature of ours (a reply to one of our mails)."""
    local, _, domain = message_id.strip("<> ").rpartition("@")
    if domain.lower() != settings.message_id_domain.lower() or "." not in local:
        return False
    body, _, signature = local.rpartition(".")
    return hmac.compare_digest(signature, _signature(settings, body))


def reference_from_message_id(settings: Settings, message_id: str) -> str | None:
    if not is_our_message_id(settings, message_id):
        return None
    parts = message_id.strip("<>").split(".")
    return parts[1] if len(parts) > 2 else None


def _signature(settings: Settings, local: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), local.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


# --- MIME -----------------------------------------------------------------------------------


def build_mime(
    settings: Settings,
    rendered: RenderedReply,
    *,
    to_addr: str,
    to_name: str,
    message_id: str,
    in_reply_to: str | None,
    references: tuple[str, ...],
) -> bytes:
    """The reply as bytes ready for SMTP, with the headers that stop mail loops."""
    msg = EmailMessage()
    msg["From"] = HeaderAddress(display_name=settings.office_name, addr_spec=settings.office_address)
    msg["To"] = _address(to_addr, to_name)
    msg["Reply-To"] = settings.reply_to or settings.office_address
    msg["Subject"] = header_safe(rendered.subject, 250)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{header_safe(in_reply_to, 900)}>"
    refs = [header_safe(r, 900) for r in references if r]
    if in_reply_to and header_safe(in_reply_to, 900) not in refs:
        refs.append(header_safe(in_reply_to, 900))
    if refs:
        msg["References"] = " ".join(f"<{r}>" for r in refs[-10:])
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["Precedence"] = "auto_reply"
    msg.set_content(rendered.text, cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    # After the body: setting content clears Content-* headers.
    msg["Content-Language"] = ", ".join(rendered.languages)
    return msg.as_bytes()


def _address(addr: str, name: str) -> str:
    addr = header_safe(addr, 320)
    name = header_safe(name, 120)
    try:
        return str(HeaderAddress(display_name=name, addr_spec=addr))
    except (ValueError, IndexError):
        return addr
