"""The service centre a message names, in any spelling; where someone lives is no choice."""

from __future__ import annotations

import pytest

from intake import PROJECT_ROOT
from intake.classifiers.location import canonical
from intake.evaluation import needs_appointment
from intake.intents import Intent
from intake.routing import load_routing
from tests.classifiers.mails import mail, verdict

ROUTING = load_routing(PROJECT_ROOT / "config" / "routing.toml")


@pytest.mark.parametrize(
    ("written", "centre"),
    [
        ("Nieuw Gent", "Nieuw-Gent"),
        ("nieuwgent", "Nieuw-Gent"),
        ("St. Amandsberg", "Sint-Amandsberg"),
        ("sint amandsberg", "Sint-Amandsberg"),
        ("GENTBRUGGE", "Gentbrugge"),
        ("drongen", "Drongen"),
        ("het Stadskantoor", "Stadskantoor"),
        ("Wondelgem", "Wondelgem"),
    ],
)
def test_a_centre_is_spelled_as_the_routing_file_spells_it(written: str, centre: str) -> None:
    assert canonical(written) == centre


@pytest.mark.parametrize(
    ("centre", "appointment"),
    [
        ("Stadskantoor", False),
        ("Gentbrugge", False),
        ("Nieuw Gent", False),
        ("Sint-Amandsberg", False),
        ("Wondelgem", True),
        ("Drongen", True),
    ],
)
def test_collecting_a_card_needs_an_appointment_only_outside_the_four_walk_in_centres(
    centre: str, appointment: bool
) -> None:
    body = f"Ik kreeg de brief met mijn pin en puk code. Kan ik mijn kaart afhalen in {centre}?"
    got = verdict(mail(body, subject="kaart afhalen"))
    assert got.intent is Intent.CARD_COLLECTION
    assert needs_appointment(got, ROUTING) is appointment


def test_a_district_named_only_as_where_someone_lives_is_not_a_location() -> None:
    body = (
        "Ik ben erkend als vluchteling. Ik woon in Gent (Sint-Amandsberg). Hoe vraag ik mijn "
        "verblijfskaart aan?"
    )
    assert verdict(mail(body, subject="verblijfskaart")).location is None


def test_living_near_a_centre_and_collecting_there_names_the_centre() -> None:
    body = (
        "I live in Wondelgem and would like to collect my card at the service centre there. I have "
        "the PIN letter."
    )
    assert verdict(mail(body, subject="collect card")).location == "Wondelgem"


def test_a_centre_is_reported_for_other_intents_too() -> None:
    body = (
        "Mijn A-kaart vervalt op 30 juli. Kan ik voor de vernieuwing naar het dienstencentrum in "
        "Nieuw Gent?"
    )
    got = verdict(mail(body, subject="verlengen verblijfskaart"))
    assert got.intent is Intent.CARD_RENEWAL
    assert got.location == "Nieuw-Gent"
    assert needs_appointment(got, ROUTING) is True
