"""Intent: score the rules over the concepts found in subject, own text, forwards and file names.

Returns the best intent with a confidence and the phrases that scored. Below the
confidence threshold the intent is ``general_question``, flagged for a human.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

from intake.classifiers.lexicon import CONCEPTS
from intake.classifiers.matcher import REQUEST_WORDS, Hit, Lexicon
from intake.classifiers.reading import Reading
from intake.classifiers.rules import FOLLOWUP_DOMINANCE, PRECEDENCE, RULES, Rule
from intake.classifiers.verdict import Evidence
from intake.intents import Intent

LEXICON = Lexicon(CONCEPTS)
# Which rules a concept can take part in: only those are looked at for a message.
_RULES_BY_CONCEPT: dict[str, list[int]] = {}
for _i, _rule in enumerate(RULES):
    for _concept in {c for group in _rule.needs for c in group}:
        _RULES_BY_CONCEPT.setdefault(_concept, []).append(_i)
MIN_SCORE = 2.0  # below this nothing specific was said
THRESHOLD = 0.40  # confidence below this goes to a human as general_question
_FUZZY = 0.7  # a typo-tolerant match counts less than the word itself


@dataclass(frozen=True, slots=True)
class Scored:
    """All intents' scores for one message, with what made each one."""

    scores: dict[Intent, float]
    reasons: dict[Intent, list[tuple[Rule, float, tuple[Hit, ...]]]]
    hits: tuple[Hit, ...]

    def ranked(self) -> list[tuple[Intent, float]]:
        return sorted(self.scores.items(), key=lambda kv: kv[1], reverse=True)


@dataclass(frozen=True, slots=True)
class IntentDecision:
    intent: Intent
    confidence: float
    needs_human: bool
    evidence: tuple[Evidence, ...]


def find_concepts(reading: Reading, language: str | None) -> tuple[Hit, ...]:
    hits: list[Hit] = []
    for field in reading.fields:
        hits.extend(LEXICON.match(field.words, field.name, language))
    subject = reading.field("subject")
    return tuple(_held_in_subject(hits, subject.words if subject else []))


def _held_in_subject(hits: list[Hit], subject: list[str]) -> list[Hit]:
    """Subject "K card", text "my K card expires": the subject names the card held, too.

    Not when the subject itself asks for the card ("Aanvraag F+ kaart").
    """
    held = {h.concept[5:] for h in hits if h.concept.startswith("held_")}
    if not held or any(w.startswith(REQUEST_WORDS) for w in subject):
        return hits
    asked = {h.concept[5:] for h in hits if h.concept.startswith("card_") and h.field != "subject"}
    return [
        replace(h, concept="held_" + h.concept[5:])
        if h.field == "subject" and h.concept.startswith("card_") and h.concept[5:] in held - asked
        else h
        for h in hits
    ]


def score(reading: Reading, language: str | None) -> Scored:
    hits = find_concepts(reading, language)
    weights = {f.name: f.weight for f in reading.fields}
    by_concept: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_concept[hit.concept].append(hit)
    scores: dict[Intent, float] = defaultdict(float)
    reasons: dict[Intent, list[tuple[Rule, float, tuple[Hit, ...]]]] = defaultdict(list)
    present = by_concept.keys()
    candidates = sorted({i for c in present for i in _RULES_BY_CONCEPT.get(c, ())})
    for r in (RULES[i] for i in candidates):
        if not r.unless.isdisjoint(present) or any(g.isdisjoint(present) for g in r.needs):
            continue
        strength, used = _rule_strength(r, by_concept, weights)
        if strength > 0:
            scores[r.intent] += r.weight * strength
            reasons[r.intent].append((r, r.weight * strength, used))
    _apply_precedence(scores)
    return Scored(dict(scores), dict(reasons), hits)


def decide(scored: Scored, reading: Reading | None = None) -> IntentDecision:
    ranked = scored.ranked()
    if not ranked or ranked[0][1] < MIN_SCORE:
        best = (
            f"best was {ranked[0][0]} ({ranked[0][1]:.1f})" if ranked else "no phrase of any case"
        )
        return IntentDecision(
            Intent.GENERAL_QUESTION, 0.2, True, (Evidence("intent", f"nothing specific: {best}"),)
        )
    (top, s1), s2 = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    confidence = confidence_of(s1, s2)
    evidence = explain(scored, top, reading)
    if confidence < THRESHOLD:
        return IntentDecision(
            Intent.GENERAL_QUESTION,
            confidence,
            True,
            (Evidence("intent", f"low confidence {confidence:.2f} for {top}"),) + evidence,
        )
    return IntentDecision(top, confidence, False, evidence)


def confidence_of(s1: float, s2: float) -> float:
    strength = 1 - math.exp(-s1 / 2.5)
    dominance = s1 / (s1 + s2) if s1 + s2 else 1.0
    return round(strength * (0.4 + 0.6 * dominance), 3)


def explain(scored: Scored, intent: Intent, reading: Reading | None = None) -> tuple[Evidence, ...]:
    """The rules that scored for an intent, strongest first, with the words as written."""
    out = []
    for _rule, points, used in sorted(scored.reasons.get(intent, []), key=lambda x: -x[1])[:4]:
        words = ", ".join(dict.fromkeys(_quote(h, reading) for h in used))
        out.append(Evidence("intent", f"{intent} +{points:.1f}: {words}"))
    return tuple(out)


def _quote(hit: Hit, reading: Reading | None) -> str:
    field = reading.field(hit.field) if reading else None
    words = field.written(hit.index, hit.index + hit.length) if field else hit.words
    typo = ", typo" if hit.fuzzy else ""
    return f"'{words}' ({hit.concept} in {hit.field}{typo})"


def _presence(hits: list[Hit], weights: dict[str, float]) -> tuple[float, Hit | None]:
    best, best_hit = 0.0, None
    for h in hits:
        w = weights.get(h.field, 1.0) * (_FUZZY if h.fuzzy else 1.0)
        if w > best:
            best, best_hit = w, h
    repeats = len({(h.field, h.index) for h in hits}) - 1
    return best + 0.1 * min(2, repeats), best_hit


def _rule_strength(
    r: Rule, by_concept: dict[str, list[Hit]], weights: dict[str, float]
) -> tuple[float, tuple[Hit, ...]]:
    # Concepts in a fixed order: the evidence named on a tie must not depend on string hashing.
    groups = [[h for c in sorted(g) for h in by_concept.get(c, ())] for g in r.needs]
    if not all(groups):
        return 0.0, ()
    if r.near and len(groups) >= 2:
        pair = _nearest_pair(groups[0], groups[1], r.near, weights)
        if pair is None:
            return 0.0, ()
        strength, used = pair
        for g in groups[2:]:
            p, h = _presence(g, weights)
            strength = min(strength, p)
            used += (h,) if h else ()
        return strength, used
    strength, used = math.inf, ()
    for g in groups:
        p, h = _presence(g, weights)
        strength = min(strength, p)
        used += (h,) if h else ()
    return strength, used


def _nearest_pair(
    first: list[Hit], second: list[Hit], near: int, weights: dict[str, float]
) -> tuple[float, tuple[Hit, ...]] | None:
    best: tuple[float, tuple[Hit, ...]] | None = None
    for a in first:
        for b in second:
            if a.field == b.field and abs(a.index - b.index) <= near and a is not b:
                w = weights.get(a.field, 1.0) * (_FUZZY if a.fuzzy or b.fuzzy else 1.0)
                if best is None or w > best[0]:
                    best = (w, (a, b))
    return best


def _apply_precedence(scores: dict[Intent, float]) -> None:
    for specific, at_least, generic, factor in PRECEDENCE:
        if scores.get(specific, 0) >= at_least and generic in scores:
            scores[generic] *= factor
    followup = scores.get(Intent.STATUS_FOLLOWUP, 0)
    at_least, factor = FOLLOWUP_DOMINANCE
    if followup >= at_least:
        for intent in scores:
            if intent is not Intent.STATUS_FOLLOWUP:
                scores[intent] *= factor
