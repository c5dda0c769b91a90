"""A name written with or without its special letters is the same person: "Michał" and
"Michal", "Yıldız" and "Yildiz" (mail programs and keyboards drop them), so the message joins
the open ticket about that person instead of opening another."""

from __future__ import annotations

import pytest

from intake.persons import Relation, persons_in, relation


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Aanvraag voor mijn zoon Michał Kowalski", "Nog een vraag over mijn zoon Michal Kowalski"),
        ("Vraag voor mijn dochter Elif Yıldız", "Wanneer is de kaart van mijn dochter Elif Yildiz klaar?"),
    ],
)
def test_a_name_without_its_special_letters_is_the_same_person(first: str, second: str) -> None:
    assert relation(persons_in(first), persons_in(second), second) is Relation.SAME
