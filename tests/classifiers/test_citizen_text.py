"""The writer's own words are split from quotes, forwards, signatures and disclaimers."""

from __future__ import annotations

from intake.classifiers.citizen_text import split


def test_quoted_lines_and_a_gmail_attribution_are_not_the_writers_own_text() -> None:
    text = (
        "Is er al nieuws over mijn aanvraag?\n\n"
        "On Tue, 3 Mar 2026 at 10:04, Dienst Migratie <migratie@stad.gent> wrote:\n"
        "> We hebben uw aanvraag voor een F+ kaart goed ontvangen.\n"
    )
    parts = split(text, "Re: aanvraag")
    assert parts.own == "Is er al nieuws over mijn aanvraag?"
    assert "F+ kaart" in parts.quoted


def test_an_outlook_header_block_starts_the_quoted_reply_in_any_language() -> None:
    for header in (
        "Van: Dienst Migratie <migratie@stad.gent>\nVerzonden: maandag 2 maart 2026 10:04",
        "De : Dienst Migratie <migratie@stad.gent>\nEnvoyé : lundi 2 mars 2026 10:04",
        "From: Dienst Migratie <migratie@stad.gent>\nSent: Monday, 2 March 2026 10:04",
    ):
        parts = split(
            f"Hier zijn mijn loonfiches.\n\nGroeten\n\n{header}\nOnderwerp: K-kaart\n\nOude tekst",
            "RE: x",
        )
        assert parts.own.startswith("Hier zijn mijn loonfiches.")
        assert "Oude tekst" not in parts.own


def test_a_forward_keeps_the_forwarded_message_apart_without_its_header_lines() -> None:
    text = (
        "Zie de vraag van mijn cliënt hieronder.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Yared <yared@example.net>\nDate: Thu, 13 Mar 2025 at 19:51\nSubject: orange "
        "card\nTo: Lotte\n\n"
        "I need an orange card, what do I do?\n"
    )
    parts = split(text, "Fwd: orange card")
    assert parts.own == "Zie de vraag van mijn cliënt hieronder."
    assert "I need an orange card" in parts.forwarded
    assert "Date:" not in parts.forwarded
    assert "orange card" in parts.forwarded.splitlines()[0]


def test_mobile_signatures_and_the_signature_delimiter_end_the_own_text() -> None:
    for signature in (
        "Verstuurd vanaf mijn iPhone",
        "Envoyé de mon iPhone",
        "Sent from my Galaxy",
        "-- ",
    ):
        parts = split(f"Mijn kaart is gestolen.\n\n{signature}\nJan Peeters\nStraat 1", "")
        assert parts.own == "Mijn kaart is gestolen."


def test_a_legal_disclaimer_is_dropped_from_the_own_text() -> None:
    text = (
        "Can you tell me the opening hours?\n\nKind regards,\nJohn\n\n"
        "This e-mail and any attachments are confidential and intended solely for the addressee. "
        "We handle residence card applications.\n"
    )
    parts = split(text, "question")
    assert parts.own.startswith("Can you tell me the opening hours?")
    assert "residence card" not in parts.own
    assert any("disclaimer" in s for s in parts.stripped)


def test_a_dutch_disclaimer_is_dropped_too() -> None:
    text = (
        "Wanneer kan ik langskomen?\n\nGroeten\n\n"
        "Deze e-mail en eventuele bijlagen zijn vertrouwelijk en uitsluitend bestemd voor de "
        "geadresseerde."
    )
    parts = split(text, "")
    assert parts.own.startswith("Wanneer kan ik langskomen?")
    assert "vertrouwelijk" not in parts.own
    assert any("disclaimer" in s for s in parts.stripped)


def test_a_line_ending_in_wrote_without_a_date_or_address_is_still_the_writers_text() -> None:
    text = "My lawyer wrote:\nplease extend the annex 35 before Friday.\n"
    assert "annex 35" in split(text, "").own
