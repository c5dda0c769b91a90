"""Intake: e-mail intake and ticketing for the migration service of the City of Ghent."""

from pathlib import Path

__version__ = "0.1.0"

# The project root holds what the city edits without a release: reply templates and routing.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
