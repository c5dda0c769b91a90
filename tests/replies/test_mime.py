"""The reply as bytes: what build_mime writes must read back, through the same parser a mail
client's would be, as exactly the names, subject and bodies that went in."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

import pytest

from intake.classifiers import Classification
from intake.config import Settings, load_settings
from intake.handlers import plan_for
from intake.intents import Intent
from intake.replies import (
    RenderedReply,
    ReplyContext,
    ReplyRenderer,
    build_mime,
    header_safe,
)
from intake.routing import load_routing
from tests.replies.helpers import html_of, text_of

REFERENCE = "GNT-2026-000123"
MESSAGE_ID = "GNT-2026-000123.ack.3f9a0c1d2e.9e1b7c0d5a4f3e21@stad.gent"

NAMES = [
    "أمينة الإدريسي",  # Arabic, right to left
    "Олена Шевченко-Коваль",  # Ukrainian
    'Doe, "John", Jr.',  # quotes and commas
    'أمينة "الإدريسي", مكتب <الهجرة>',  # right to left with quotes, commas and brackets
    "Seán O'Brien, Ph.D.",
    "Back\\slash (and comment) ; semi: colon @ at",
    "= ?utf-8?q?not=20encoded?=",  # what header_safe leaves of an encoded word
    "Ol\u00e9na  two  spaces",
    "Mohammed " * 20,  # longer than header_safe keeps
    "Amina",
    "",
]
SUBJECTS = [
    "طلب بطاقة الإقامة، عاجل",
    "Заява на картку F+ (дуже важливо) " * 8,  # far longer than 250 characters
    'Re: "Vraag", over mijn kaart, dringend!',
    "Aanvraag F+ kaart",
    "Re: Заява  на  картку",
    "Question\tabout my card =?utf-8?q?x?=",
    "x" * 300,
    "",
]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(reply_to="antwoord@stad.gent")


@pytest.fixture(scope="module")
def renderer(settings: Settings) -> ReplyRenderer:
    return ReplyRenderer(settings, load_routing(settings.routing_file))


def rendered_reply(renderer: ReplyRenderer, subject: str, language: str | None) -> RenderedReply:
    plan = plan_for(Classification(Intent.FPLUS_CARD, 0.95, language), renderer.routing)
    ctx = ReplyContext(
        REFERENCE, "Amina", subject, plan, plan.documents, renderer.settings.office_name
    )
    return renderer.render("ack", ctx, language)


def build(settings: Settings, rendered: RenderedReply, name: str, **kwargs: object) -> bytes:
    return build_mime(
        settings,
        rendered,
        to_addr="amina@example.com",
        to_name=name,
        message_id=MESSAGE_ID,
        in_reply_to=kwargs.pop("in_reply_to", "<parent@example.com>"),  # type: ignore[arg-type]
        references=kwargs.pop("references", ("<root@example.com>",)),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def parse(data: bytes) -> EmailMessage:
    """The message as a mail client reads it, after checking it is fit for SMTP."""
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    data.decode("ascii")  # 7-bit throughout: encoded words and quoted-printable
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert all(not part.defects for part in message.walk())
    return message  # type: ignore[return-value]


def as_sent(text: str) -> str:
    """A body as it goes out: any line break (LF, CRLF, CR) one line break, and one at the
    end, as EmailMessage.set_content wrote it."""
    text = re.sub(r"\r\n?", "\n", text)
    return text if text.endswith("\n") else text + "\n"


def display_name(name: str) -> str:
    """The name as a reader shows it: header-safe, blanks in a row read as one space."""
    return re.sub(r"[ \t]+", " ", header_safe(name, 120)).strip()


def body(text: str) -> str:
    """A decoded body with the line ends it had on the wire (CRLF) read as line breaks."""
    return text.replace("\r\n", "\n")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("subject", SUBJECTS)
def test_names_subjects_and_bodies_read_back_as_they_went_in(
    settings: Settings, renderer: ReplyRenderer, name: str, subject: str
) -> None:
    rendered = rendered_reply(renderer, subject, "ar" if "ا" in name else "uk")

    message = parse(build(settings, rendered, name))

    assert message["To"].addresses[0].display_name == display_name(name)
    assert message["To"].addresses[0].addr_spec == "amina@example.com"
    assert len(message["To"].addresses) == 1
    assert message["From"].addresses[0].display_name == settings.office_name
    assert message["From"].addresses[0].addr_spec == settings.office_address
    assert str(message["Subject"]) == header_safe(rendered.subject, 250)
    assert body(text_of(message)) == as_sent(rendered.text) == rendered.text
    assert body(html_of(message)) == as_sent(rendered.html)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    for part in message.iter_parts():
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert message["Content-Language"] == ", ".join(rendered.languages)


def test_header_lines_keep_to_78_characters_where_there_is_a_space_to_fold_at(
    settings: Settings, renderer: ReplyRenderer
) -> None:
    rendered = rendered_reply(renderer, SUBJECTS[1], "uk")
    data = build(
        settings,
        rendered,
        "Олена Шевченко",  # a longer name is one encoded word of more than 78
        references=tuple(f"<ref{i}.{'x' * 20}@example.com>" for i in range(15)),
    )
    head = data.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    message = parse(data)
    assert len(message["References"].split()) == 10
    assert message["References"].split()[0] == f"<ref0.{'x' * 20}@example.com>"


def test_an_office_name_of_any_script_reads_back_in_from(renderer: ReplyRenderer) -> None:
    settings = load_settings(office_name='Міська рада, "Міграція" — مكتب الهجرة')
    message = parse(build(settings, rendered_reply(renderer, "Vraag", "nl"), "Amina"))
    (office,) = message["From"].addresses
    assert office.display_name == 'Міська рада, "Міграція" — مكتب الهجرة'
    assert office.addr_spec == settings.office_address
    assert str(message["Reply-To"]) == settings.office_address


def test_line_breaks_tabs_and_long_lines_in_an_agents_text_survive(
    settings: Settings, renderer: ReplyRenderer
) -> None:
    text = (
        "Beste,\r\n\r\nTrailing blanks  \nA\ttab, = sign, =?utf-8?q?x?= and =3D\r"
        + "Довгий рядок без кінця " * 40
        + "\n.\nFrom here\u2028 not a line break\n\n\n"
    )
    rendered = renderer.compose("[GNT-2026-000123] Re: Vraag", [text], ("uk",))

    message = parse(build(settings, rendered, "Олена", automatic=False))

    assert body(text_of(message)) == as_sent(rendered.text)
    assert "\u2028 not a line break" in text_of(message)
    assert body(html_of(message)) == as_sent(rendered.html)
    assert "Auto-Submitted" not in message and "Precedence" not in message
    assert message["X-Auto-Response-Suppress"] == "All"


def test_crlf_in_a_name_or_subject_adds_no_header(
    settings: Settings, renderer: ReplyRenderer
) -> None:
    injection = "\r\nBcc: victim@example.net\r\n\r\nbody"
    rendered = rendered_reply(renderer, "Vraag" + injection, "nl")

    data = build(settings, rendered, "Amina" + injection, in_reply_to="<a@b>\r\nBcc: x@y")
    message = parse(data)

    assert "Bcc" not in message and "In-Reply-To" not in message
    assert message["To"].addresses[0].display_name == "Amina Bcc: victim@example.net body"
    assert str(message["Subject"]).endswith("Vraag Bcc: victim@example.net body")
    assert message["Auto-Submitted"] == "auto-replied" and message["Precedence"] == "auto_reply"


def test_an_address_we_cannot_send_to_is_refused(
    settings: Settings, renderer: ReplyRenderer
) -> None:
    rendered = rendered_reply(renderer, "Vraag", "nl")
    for address in ("amina@localhost", "amina@example.com\r\nBcc: x@y", "Amina <a@b.c>", ""):
        with pytest.raises(ValueError):
            build_mime(
                settings,
                rendered,
                to_addr=address,
                to_name="Amina",
                message_id=MESSAGE_ID,
                in_reply_to=None,
                references=(),
            )
