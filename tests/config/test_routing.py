"""The routing file: complete, and a mistake in it stops start-up with the key that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.config import load_settings
from intake.errors import ConfigError
from intake.intents import Intent
from intake.routing import load_routing

ROUTING = Path(__file__).resolve().parents[2] / "config" / "routing.toml"


def test_every_intent_has_a_route_and_appointment_intents_have_a_link() -> None:
    routing = load_routing(ROUTING)
    for intent in Intent:
        route = routing.route(intent)
        assert route.queue
        if route.needs_appointment:
            assert route.appointment_url and route.appointment_url.startswith("https://")


def test_card_collection_needs_an_appointment_only_outside_the_four_centres() -> None:
    routing = load_routing(ROUTING)
    for centre in ("Stadskantoor", "Gentbrugge", "Nieuw-Gent", "Sint-Amandsberg"):
        assert not routing.centre_needs_appointment(centre)
    for centre in ("Wondelgem", "Drongen"):
        assert routing.centre_needs_appointment(centre)
        assert routing.centre_appointment_url(centre).startswith("https://")


def test_a_missing_intent_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "routing.toml"
    text = ROUTING.read_text()
    start = text.index("[intents.guarantor]")
    end = text.index("\n\n", start)
    broken.write_text(text[:start] + text[end + 2 :])
    with pytest.raises(ConfigError, match="guarantor"):
        load_routing(broken)


def test_an_unknown_document_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "routing.toml"
    broken.write_text(ROUTING.read_text().replace('documents = ["police_attestation", "id_photo"]', 'documents = ["police_report"]'))
    with pytest.raises(ConfigError, match="police_report"):
        load_routing(broken)


def test_an_appointment_intent_without_a_link_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "routing.toml"
    text = ROUTING.read_text().replace('appointment_url = "https://stad.gent/afspraak/migratie/chip-defect"\n', "")
    broken.write_text(text)
    with pytest.raises(ConfigError, match="card_chip_defect"):
        load_routing(broken)


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "routing.toml"
    broken.write_text("[intents\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_routing(broken)


def test_a_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_MAX_ACKS_PER_SENDER_PER_DAY", "0")
    with pytest.raises(ConfigError, match="INTAKE_MAX_ACKS_PER_SENDER_PER_DAY"):
        load_settings()
