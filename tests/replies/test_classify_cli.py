"""`intake classify --json` reports the appointment link the routing file gives the case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from intake import PROJECT_ROOT
from intake.intents import Intent
from intake.routing import load_routing
from tests.builders import citizen_mail

# The `intake` command installed next to this Python (the project's virtualenv).
INTAKE = Path(sys.executable).parent / "intake"


def run_classify(tmp_path: Path, raw: bytes, routing_file: Path) -> dict:
    message = tmp_path / "message.eml"
    message.write_bytes(raw)
    env = {**os.environ, "INTAKE_ROUTING_FILE": str(routing_file)}
    done = subprocess.run(
        [str(INTAKE), "classify", "--json", str(message)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,  # the test looks at the exit code
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.strip().splitlines()
    return json.loads(line)


def test_classify_json_reports_the_appointment_url_from_the_routing_file(tmp_path: Path) -> None:
    # Given a routing file whose link for a lost card differs from the shipped one
    link = "https://stad.gent/afspraak/test-verloren-kaart"
    routing_file = tmp_path / "routing.toml"
    shipped = (PROJECT_ROOT / "config" / "routing.toml").read_text(encoding="utf-8")
    routing_file.write_text(
        shipped.replace("https://stad.gent/afspraak/migratie/verblijfskaart-verloren", link),
        encoding="utf-8",
    )
    raw = citizen_mail(
        subject="Verblijfskaart gestolen",
        body="Goedemiddag, mijn verblijfskaart is gisteren gestolen. Ik heb aangifte gedaan bij de politie.",
    )

    # When Intake classifies the message
    data = run_classify(tmp_path, raw, routing_file)

    # Then the report carries that link for the case
    assert data["intent"] == Intent.CARD_LOST.value
    assert data["needs_appointment"] is True
    assert (
        data["appointment_url"]
        == link
        == load_routing(routing_file).route(Intent.CARD_LOST).appointment_url
    )


def test_classify_json_reports_no_appointment_url_for_a_case_handled_by_e_mail(
    tmp_path: Path,
) -> None:
    data = run_classify(
        tmp_path,
        citizen_mail(subject="Aanvraag F+ kaart"),
        PROJECT_ROOT / "config" / "routing.toml",
    )

    assert data["intent"] == Intent.FPLUS_CARD.value
    assert (data["needs_appointment"], data["appointment_url"]) == (False, None)
