"""The lexicon finds concepts in any spelling: accents, stems, compounds, typos, cards, annexes."""

from __future__ import annotations

import pytest

from intake.classifiers.fold import fold, tokens
from intake.classifiers.intent import LEXICON
from intake.classifiers.matcher import Lexicon


def concepts(text: str, language: str | None = None) -> set[str]:
    return {h.concept for h in LEXICON.match(tokens(fold(text)), "own", language)}


@pytest.mark.parametrize(
    "text",
    [
        "F plus kaart",
        "f+ kaart",
        "F + card",
        "carte F+",
        "карта F+",
        "kart F+",
        "F-plus kaart",
        "Fplus card",
        "بطاقة F+",
    ],
)
def test_the_f_plus_card_is_recognised_however_it_is_written(text: str) -> None:
    assert "card_fplus" in concepts(text)


@pytest.mark.parametrize(
    ("text", "annex"),
    [
        ("bijlage 35", "annex_35"),
        ("annexe 35", "annex_35"),
        ("anex 35", "annex_35"),
        ("Annex35", "annex_35"),
        ("anexo nº 35", "annex_35"),
        ("додаток 15", "annex_15"),
        ("приложение 35", "annex_35"),
        ("الملحق 35", "annex_35"),
        ("الملحق ٣٥", "annex_35"),
        ("bijlage 3 bis", "annex_3bis"),
        ("annexe 3bis", "annex_3bis"),
        ("załącznik nr 19ter", "annex_19"),
        ("ek 3bis", "annex_3bis"),
    ],
)
def test_numbered_annexes_are_recognised_in_many_languages(text: str, annex: str) -> None:
    assert annex in concepts(text)


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("K-kaart", "card_k"),
        ("kaart K", "card_k"),
        ("карту К", "card_k"),
        ("carte L", "card_l"),
        ("L card", "card_l"),
        ("EU+ kaart", "card_euplus"),
        ("kaart E+", "card_eplus"),
        ("B kartim", "card_b"),
    ],
)
def test_a_letter_next_to_a_card_word_names_the_kind_of_card(text: str, letter: str) -> None:
    assert letter in concepts(text)


def test_a_french_elision_is_not_an_l_card() -> None:
    assert "card_l" not in concepts("le numéro de l'ancienne carte")


def test_accents_and_case_do_not_matter() -> None:
    assert "refugee" in concepts("RÉFUGIÉ reconnu")
    assert "refugee" in concepts("refugie reconnu")
    assert "broken" in concepts("Kartım çalışmıyor")
    assert "broken" in concepts("kartim calismiyor")


def test_one_typo_in_a_long_word_is_tolerated_and_marked_as_such() -> None:
    hits = LEXICON.match(tokens(fold("mijn verbljifskaart is vervallen")), "own")
    typo = [h for h in hits if h.concept == "residence_doc"]
    assert typo and typo[0].fuzzy


def test_a_different_word_ending_is_not_taken_for_a_typo() -> None:
    assert "data_field" not in concepts("ik heb gegeven wat ik had")


def test_language_tagged_entries_apply_only_in_that_language() -> None:
    lexicon = Lexicon({"child": ("en:son",)})
    assert lexicon.match(["my", "son"], "own", "en")
    assert not lexicon.match(["son", "mari"], "own", "fr")


def test_dutch_kind_is_a_child_but_english_kind_regards_is_not() -> None:
    assert "child" in concepts("mijn kind heeft een kaart nodig", "nl")
    assert "child" not in concepts("kind regards", "en")
