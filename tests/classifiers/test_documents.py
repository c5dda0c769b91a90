"""A document is a PDF or a photo of one; a signature logo or a tiny inline icon is not."""

from __future__ import annotations

from intake.classifiers.documents import documents
from intake.intents import Intent
from tests.classifiers.mails import PNG_LOGO, mail, parsed, verdict

REQUEST = (
    "Ik ben erkend vluchteling. Het CGVS gaf mij een nieuw attest met mijn juiste geboortedatum. "
    "Kunnen jullie mijn gegevens aanpassen?"
)
PDF = b"%PDF-1.4\n" + b"0" * 2000


def test_a_refugee_data_update_without_attachment_misses_its_documents() -> None:
    got = verdict(mail(REQUEST, subject="wijziging geboortedatum CGVS"))
    assert got.intent is Intent.REFUGEE_DATA_UPDATE
    assert got.missing_documents
    assert any(e.source == "documents" for e in got.evidence)


def test_a_pdf_attachment_is_the_document() -> None:
    got = verdict(
        mail(
            REQUEST,
            subject="wijziging geboortedatum CGVS",
            attachments=[("attest_cgvs.pdf", "application/pdf", PDF)],
        )
    )
    assert got.intent is Intent.REFUGEE_DATA_UPDATE
    assert not got.missing_documents


def test_a_phone_photo_of_the_document_counts() -> None:
    raw = mail(
        REQUEST,
        subject="CGVS attest",
        attachments=[("IMG_2291.jpeg", "image/jpeg", b"\xff\xd8" + b"x" * 400)],
    )
    got = verdict(raw)
    # The case that can miss documents, so "not missing" is the photo counting
    assert got.intent is Intent.REFUGEE_DATA_UPDATE
    assert not got.missing_documents
    assert [a.filename for a in documents(parsed(raw))] == ["IMG_2291.jpeg"]


def test_a_signature_logo_in_the_html_is_not_a_document() -> None:
    raw = mail(
        REQUEST,
        subject="wijziging geboortedatum CGVS",
        html=f"<p>{REQUEST}</p><p>Groeten<br><img src='cid:logo1'></p>",
        inline_images=[("image001.png", "logo1", PNG_LOGO)],
    )
    assert documents(parsed(raw)) == []
    assert verdict(raw).missing_documents


def test_an_attachment_named_like_a_logo_is_not_a_document() -> None:
    raw = mail(
        REQUEST, subject="CGVS", attachments=[("company-logo.png", "image/png", PNG_LOGO * 20)]
    )
    assert documents(parsed(raw)) == []


def test_saying_attached_without_an_attachment_still_misses_the_documents() -> None:
    body = (
        "I am a recognised refugee. Please find attached the CGRS certificate with my correct name."
    )
    assert verdict(mail(body, subject="name correction")).missing_documents


def test_only_a_refugee_data_update_can_miss_documents() -> None:
    got = verdict(mail("Mijn verblijfskaart is gestolen.", subject="gestolen"))
    assert not got.missing_documents
