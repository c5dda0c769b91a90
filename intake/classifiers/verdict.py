"""What classification decides about one message, with the evidence that led to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.intents import NON_ACTIONABLE, Intent


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a decision: which detector, what it saw (a header, a phrase)."""

    source: str
    detail: str

    def __str__(self) -> str:
        return f"{self.source}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Classification:
    intent: Intent
    confidence: float
    language: str | None
    location: str | None = None
    missing_documents: bool = False
    needs_human: bool = False
    evidence: tuple[Evidence, ...] = field(default=())

    @property
    def send_ack(self) -> bool:
        """Automatic mail, bounces and spam are never answered."""
        return self.intent not in NON_ACTIONABLE


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one protective detector decided: an intent that ends classification, and why."""

    intent: Intent
    confidence: float
    evidence: tuple[Evidence, ...]
