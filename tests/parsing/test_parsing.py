"""parse_mail on messages built here: what each behaviour of the parser promises."""

from __future__ import annotations

import base64
import email
import hashlib
import struct
import time
from email.message import EmailMessage

import mailparser
import pytest

from intake.addresses import parse_address_list
from intake.mime_text import decode_bytes, decode_words, html_to_text
from intake.parsing import parse_mail


def build(**headers: str) -> EmailMessage:
    msg = EmailMessage()
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    return msg


# --- charsets -------------------------------------------------------------------------------


def test_a_body_in_an_unknown_charset_is_decoded_with_the_defect_recorded() -> None:
    raw = (
        b"From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=x-no-such-charset\n\n"
        + "Goeiedag, ik woon in Gentbrugge. Verlängerung café".encode("cp1252")
    )

    parsed = parse_mail(raw)

    assert parsed.text == "Goeiedag, ik woon in Gentbrugge. Verlängerung café"
    assert any("x-no-such-charset" in d for d in parsed.defects)


@pytest.mark.parametrize(
    ("declared", "text", "encoding"),
    [
        ("iso-gb2312", "內應力產生与注塑工艺条件之间的关系", "gb18030"),
        ("ks_c_5601-1987", "안녕하세요 똠방각하", "cp949"),
        ("x-mac-cyrillic", "Здравствуйте, мой вид на жительство", "mac_cyrillic"),
        ("Windows-1258", "Xin chào, tôi đi Gent", "cp1258"),
        ('"charset=us-ascii"', "plain words", "ascii"),
    ],
)
def test_mail_clients_charset_names_are_mapped_to_what_they_mean(
    declared: str, text: str, encoding: str
) -> None:
    raw = (
        f"From: a@example.com\nContent-Type: text/plain; charset={declared}\n\n".encode()
        + text.encode(encoding)
    )

    assert parse_mail(raw).text == text


def test_8bit_bytes_in_a_us_ascii_part_are_read_not_replaced() -> None:
    raw = b"From: a@example.com\nContent-Type: text/plain; charset=us-ascii\n\nna\xefve caf\xe9"

    parsed = parse_mail(raw)

    assert parsed.text == "naïve café"
    assert "\ufffd" not in parsed.text
    assert any("us-ascii" in d for d in parsed.defects)


def test_utf8_with_some_latin1_bytes_pasted_in_keeps_both() -> None:
    text, note = decode_bytes("Grüße - 差出人 - ".encode() + "äöü".encode("latin-1"), "utf-8")

    assert text == "Grüße - 差出人 - äöü"
    assert note is not None


def test_undeclared_koi8r_header_bytes_are_guessed_as_russian_not_capitals() -> None:
    raw = b"From: a@example.com\nSubject: " + "тест тест".encode("koi8-r") + b"\n\nbody"

    assert parse_mail(raw).subject == "тест тест"


def test_8bit_headers_follow_the_charset_the_message_declares() -> None:
    raw = (
        b"From: " + "Jürgen Schmürgen".encode("latin-1") + b" <j@example.com>\n"
        b"Subject: " + "Die Hasen und die Frösche".encode("latin-1") + b"\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n\nDie Fr\xf6sche"
    )

    parsed = parse_mail(raw)

    assert parsed.subject == "Die Hasen und die Frösche"
    assert parsed.from_name == "Jürgen Schmürgen"
    assert parsed.text == "Die Frösche"


# --- header words ---------------------------------------------------------------------------


def test_encoded_and_plain_words_are_joined_as_rfc2047_says() -> None:
    value = (
        "Re: =?utf-8?Q?Verl=C3=A4ngerung?= =?iso-8859-1?q?_kaart?= van "
        "=?windows-1251?B?0eXw4+XpINPj6+j26uj1?="
    )

    assert decode_words(value) == "Re: Verlängerung kaart van Сергей Углицких"


def test_a_character_split_over_two_encoded_words_survives() -> None:
    data = "ツール".encode()  # 9 bytes; the word break falls inside the second character
    first, second = base64.b64encode(data[:4]).decode(), base64.b64encode(data[4:]).decode()
    value = f"=?utf-8?B?{first}?=\r\n =?utf-8?B?{second}?="

    assert decode_words(value) == "ツール"


def test_an_iso_2022_jp_word_holding_shift_jis_bytes_is_read() -> None:
    raw = b"From: a@example.com\nSubject: =?ISO-2022-JP?B?g2OBW4OL?=\n\nx"

    assert parse_mail(raw).subject == "ツール"


def test_addresses_with_commas_comments_groups_and_encoded_names() -> None:
    found = parse_address_list(
        '"Peeters, An" <an@example.com>, =?iso-8859-1?Q?B=FCrling,=20Andreas?= <ab@example.com>, '
        "undisclosed-recipients:;, Max Kohl | [example.com] <kohl@example.com>, "
        "MAILER-DAEMON <postmaster@example.com> (Mail Delivery System)"
    )

    assert [(a.email, a.name) for a in found] == [
        ("an@example.com", "Peeters, An"),
        ("ab@example.com", "Bürling, Andreas"),
        ("kohl@example.com", "Max Kohl | [example.com]"),
        ("postmaster@example.com", "MAILER-DAEMON"),
    ]


def test_a_sender_without_a_domain_is_kept_for_the_bounce_detector() -> None:
    raw = b"From: MAILER-DAEMON (Mail Delivery System)\nSubject: Undelivered Mail\n\nx"

    parsed = parse_mail(raw)

    assert parsed.from_email == "mailer-daemon"
    assert parsed.from_name == "Mail Delivery System"


def test_without_from_the_sender_comes_from_reply_to() -> None:
    raw = b"Reply-To: <burger@example.com>\nSubject: vraag\n\nx"

    parsed = parse_mail(raw)

    assert parsed.from_email == "burger@example.com"
    assert any("Reply-To" in d for d in parsed.defects)


def test_reply_to_references_in_reply_to_and_message_id() -> None:
    msg = build(
        From="An Peeters <an@example.com>",
        Reply_To="Familie Peeters <familie@example.org>",
        To="migratie@stad.gent",
        Subject="Re: [Migratie #000123] kaart",
        Message_ID="<m2@example.com>",
        In_Reply_To="<migratie-000123-ack@stad.gent>",
        References="<m1@example.com> <migratie-000123-ack@stad.gent>",
    )
    msg.set_content("Hier is het attest.")

    parsed = parse_mail(msg.as_bytes())

    assert parsed.reply_to[0].email == "familie@example.org"
    assert parsed.reply_address == "familie@example.org"
    assert parsed.from_email == "an@example.com"
    assert parsed.message_id == "m2@example.com"
    assert parsed.in_reply_to == "migratie-000123-ack@stad.gent"
    assert parsed.references == ("m1@example.com", "migratie-000123-ack@stad.gent")
    assert parsed.text == "Hier is het attest."


# --- bodies and attachments -----------------------------------------------------------------


def test_html_only_mail_becomes_text_and_keeps_its_html() -> None:
    msg = build(From="a@example.com", Subject="html")
    msg.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Beste,</p>"
        "<div>Mijn kaart is <b>verlopen</b>.</div><script>x()</script></body></html>",
        subtype="html",
    )

    parsed = parse_mail(msg.as_bytes())

    assert parsed.text == "Beste,\nMijn kaart is verlopen."
    assert parsed.html is not None and "<b>verlopen</b>" in parsed.html


def test_plain_text_is_preferred_over_the_html_alternative() -> None:
    msg = build(From="a@example.com", Subject="alt")
    msg.set_content("De platte tekst.")
    msg.add_alternative("<p>De HTML-tekst.</p>", subtype="html")

    parsed = parse_mail(msg.as_bytes())

    assert parsed.text == "De platte tekst."
    assert parsed.html is not None and "HTML-tekst" in parsed.html


def test_rfc2231_filename_with_charset_and_continuations() -> None:
    raw = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b"Content-Type: text/plain\n\nzie bijlage\n--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment;\n filename*0*=utf-8''%E6%96%B0%E3%81%97%E3%81%84;\n"
        b" filename*1*=%20attest%20%C3%A9.pdf\nContent-Transfer-Encoding: base64\n\n"
        b"JVBERi0xLjQK\n--b--\n"
    )

    parsed = parse_mail(raw)

    assert [a.filename for a in parsed.attachments] == ["新しい attest é.pdf"]
    assert parsed.attachments[0].data == b"%PDF-1.4\n"


def test_rfc2047_and_raw_8bit_filenames_are_decoded() -> None:
    msg = build(From="a@example.com", Subject="x")
    msg.set_content("zie bijlagen")
    msg.add_attachment(b"1", maintype="image", subtype="jpeg", filename="placeholder.jpg")
    raw = msg.as_bytes().replace(
        b'filename="placeholder.jpg"',
        b'filename="=?utf-8?B?' + base64.b64encode("paspoort é.jpg".encode()) + b'?="',
    )
    raw_8bit = raw.replace(
        b"=?utf-8?B?" + base64.b64encode("paspoort é.jpg".encode()) + b"?=", "管理.doc".encode()
    )

    assert [a.filename for a in parse_mail(raw).attachments] == ["paspoort é.jpg"]
    assert [a.filename for a in parse_mail(raw_8bit).attachments] == ["管理.doc"]


def test_an_attached_message_is_one_attachment_not_part_of_the_body() -> None:
    inner = build(From="x@example.net", Subject="Uw afspraak")
    inner.set_content("Tekst van het doorgestuurde bericht.")
    outer = build(From="a@example.com", Subject="Fwd: Uw afspraak")
    outer.set_content("Zie het bericht hieronder.")
    outer.add_attachment(inner)

    parsed = parse_mail(outer.as_bytes())

    assert parsed.text == "Zie het bericht hieronder."
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Uw afspraak.eml", "message/rfc822")
    ]
    assert email.message_from_bytes(parsed.attachments[0].data)["Subject"] == "Uw afspraak"


def test_a_delivery_report_keeps_its_part_types_for_the_bounce_detector() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\nSubject: Undelivered\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
        b"--r\nContent-Type: text/plain\n\nDelivery failed.\n"
        b"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        b"Final-Recipient: rfc822; x@example.com\nAction: failed\nStatus: 5.1.1\n"
        b"--r\nContent-Type: message/rfc822\n\n"
        b"From: migratie@stad.gent\nSubject: Ontvangen\n\nack\n--r--\n"
    )

    parsed = parse_mail(raw)

    assert parsed.content_types[:3] == ("multipart/report", "text/plain", "message/delivery-status")
    assert parsed.text == "Delivery failed."
    assert [a.filename for a in parsed.attachments] == ["delivery-status.txt", "Ontvangen.eml"]
    assert b"Status: 5.1.1" in parsed.attachments[0].data


def test_a_uuencoded_block_in_the_text_becomes_an_attachment() -> None:
    import binascii

    lines = b"".join(binascii.b2a_uu(b"col1;col2\n1;2\n"[i : i + 45]) for i in range(0, 14, 45))
    raw = (
        b"From: a@example.com\nSubject: uu\n\nSee the report.\n\nbegin 644 report.csv\n"
        + lines
        + b"`\nend\n"
    )

    parsed = parse_mail(raw)

    assert parsed.text == "See the report."
    assert [(a.filename, a.data) for a in parsed.attachments] == [
        ("report.csv", b"col1;col2\n1;2\n")
    ]


def test_outlook_content_id_names_an_unnamed_inline_image() -> None:
    raw = (
        b"From: a@example.com\nContent-Type: multipart/related; boundary=b\n\n--b\n"
        b"Content-Type: text/html\n\n<img src=cid:image001.png@01D2>\n"
        b"--b\nContent-Type: image/png\n"
        b"Content-ID: <image001.png@01D2>\nContent-Transfer-Encoding: base64\n\niVBORw0K\n--b--\n"
    )

    parsed = parse_mail(raw)

    assert [(a.filename, a.inline, a.content_id) for a in parsed.attachments] == [
        ("image001.png", True, "image001.png@01D2")
    ]


def _tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    return (
        struct.pack("<BHHI", level, name, kind, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def test_winmail_dat_is_unpacked_into_its_real_attachments() -> None:
    blob = struct.pack("<IH", 0x223E9F78, 1)
    blob += _tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))  # TNEF version
    blob += _tnef_object(1, 0x800C, 0x0002, b"Body from Outlook")  # message body
    blob += _tnef_object(2, 0x9002, 0x0006, b"\x00" * 14)  # starts an attachment
    blob += _tnef_object(2, 0x8010, 0x0001, b"verblijfskaart.pdf\x00")  # its name
    blob += _tnef_object(2, 0x800F, 0x0006, b"%PDF-1.4 card")  # its data
    raw = (
        b"From: a@example.com\nSubject: tnef\nMIME-Version: 1.0\n"
        b"Content-Type: application/ms-tnef; name=winmail.dat\n"
        b"Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(blob)
    )

    parsed = parse_mail(raw)

    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("verblijfskaart.pdf", "application/pdf", b"%PDF-1.4 card")
    ]
    assert parsed.text == "Body from Outlook"


def test_a_winmail_dat_that_is_no_tnef_is_kept_with_a_defect() -> None:
    raw = (
        b"From: a@example.com\nContent-Type: application/ms-tnef; name=winmail.dat\n"
        b"Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
    )

    parsed = parse_mail(raw)

    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]
    assert any("not a TNEF" in d for d in parsed.defects)


# --- broken structure -----------------------------------------------------------------------


def test_cr_only_line_endings_are_read() -> None:
    raw = b"From: a@example.com\rSubject: oude Mac\rContent-Type: text/plain\r\r"
    raw += b"regel een\rregel twee\r"

    parsed = parse_mail(raw)

    assert parsed.subject == "oude Mac"
    assert parsed.text == "regel een\nregel twee"


def test_junk_before_the_headers_and_unindented_folds_are_repaired() -> None:
    raw = (
        b"---- Original email message ----\nReturn-Path: <x@example.com>\n"
        b"X-Spam-Status: No, hits=0.0\ntests=BAYES_00 autolearn=no\nFrom: x@example.com\n"
        b"Subject: Contact from Server\n\nbody text"
    )

    parsed = parse_mail(raw)

    assert (parsed.subject, parsed.from_email, parsed.text) == (
        "Contact from Server",
        "x@example.com",
        "body text",
    )


def test_a_boundary_in_another_letter_case_is_recovered() -> None:
    raw = (
        b'From: a@example.com\nContent-Type: multipart/alternative; boundary="boundary42"\n\n'
        b"--Boundary42\nContent-Type: text/plain\n\nThe real text.\n--Boundary42--\n"
    )

    assert parse_mail(raw).text == "The real text."


def test_nul_bytes_never_reach_the_text() -> None:
    raw = b"From: a@example.com\nSubject: a\x00b\n\nte\x00xt"

    parsed = parse_mail(raw)

    assert (parsed.subject, parsed.text) == ("ab", "text")


def test_deeply_nested_html_is_converted_quickly() -> None:
    started = time.perf_counter()

    text = html_to_text("<html><body>" + "<div>x" * 100_000 + "</body></html>")

    assert time.perf_counter() - started < 5
    assert text.count("x") == 100_000


def test_huge_headers_are_capped_and_fast() -> None:
    raw = (
        b"From: a@example.com\nTo: "
        + b", ".join(b"u%d@example.com" % i for i in range(20_000))
        + b"\nSubject: "
        + b"x" * 200_000
        + b"\n"
        + b"".join(b"List-Id: <l%d.example.com>\n" % i for i in range(5_000))
        + b"\nbody"
    )
    started = time.perf_counter()

    parsed = parse_mail(raw)

    assert time.perf_counter() - started < 10
    assert len(parsed.subject) <= 4000
    assert len(parsed.to) <= 1000
    assert len(parsed.headers) <= 200
    assert parsed.text == "body"


# --- fallbacks and limits -------------------------------------------------------------------


def test_stdlib_reads_the_message_when_mail_parser_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def forced_failure(self: mailparser.MailParser) -> None:
        raise RuntimeError("forced failure for the test")

    monkeypatch.setattr(mailparser.MailParser, "parse", forced_failure)
    msg = build(From="An <an@example.com>", Subject="Verlenging")
    msg.set_content("Mijn kaart vervalt.")

    parsed = parse_mail(msg.as_bytes())

    assert parsed.parser == "stdlib"
    assert (parsed.subject, parsed.from_email, parsed.text) == (
        "Verlenging",
        "an@example.com",
        "Mijn kaart vervalt.",
    )
    assert any("forced failure" in d for d in parsed.defects)
    assert not parsed.needs_human


def test_when_both_parsers_raise_the_raw_text_is_kept_for_a_human(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def forced_failure(*args: object, **kwargs: object) -> None:
        raise RuntimeError("forced failure for the test")

    monkeypatch.setattr(mailparser.MailParser, "from_bytes", staticmethod(forced_failure))
    monkeypatch.setattr(email, "message_from_bytes", forced_failure)
    raw = b"From: a@example.com\nSubject: x\n\nIk wil een afspraak."

    parsed = parse_mail(raw)

    assert parsed.parser == "raw"
    assert parsed.needs_human
    assert "Ik wil een afspraak." in parsed.text
    assert parsed.size == len(raw)


def test_a_message_over_the_size_limit_is_still_read_and_flagged() -> None:
    msg = build(From="a@example.com", Subject="groot")
    msg.set_content("zie bijlage")
    msg.add_attachment(b"\x00" * 5000, maintype="application", subtype="pdf", filename="scan.pdf")
    raw = msg.as_bytes()

    parsed = parse_mail(raw, max_bytes=1000)

    assert parsed.needs_human
    assert any("over the limit of 1000" in d for d in parsed.defects)
    assert parsed.subject == "groot"
    assert parsed.attachments[0].sha256 == hashlib.sha256(b"\x00" * 5000).hexdigest()
    assert not parse_mail(raw, max_bytes=len(raw)).needs_human


def test_an_empty_message_is_flagged_not_dropped() -> None:
    parsed = parse_mail(b"")

    assert parsed.needs_human
    assert parsed.size == 0
