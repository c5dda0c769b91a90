"""Weighted phrase lists for the protective detectors: patterns written in plain words, folded once.

Speed matters (every message passes every list), so each pattern carries the literal
text any match must contain ("beneficiary" in ``(?:the )?beneficiary``), worked out from
the parsed regex; a cheap ``in`` test skips the regex when that text is absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The regex module's own parser (Python 3.11+), to read the literal text a pattern requires.
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from intake.classifiers.fold import fold_pattern

_MIN_LITERAL = 3


@dataclass(frozen=True, slots=True)
class _Entry:
    weight: float
    pattern: re.Pattern[str]
    needs: tuple[str, ...]  # one of these must be in the text for a match; () = always try


class Phrases:
    """Named weighted patterns; ``scan`` returns what matched in a folded text."""

    def __init__(self, name: str, entries: tuple[_Entry, ...]) -> None:
        self.name = name
        self.entries = entries
        self._always = [i for i, e in enumerate(entries) if not e.needs]
        self._by_needle: dict[str, list[int]] = {}
        for i, entry in enumerate(entries):
            for needle in entry.needs:
                self._by_needle.setdefault(needle, []).append(i)

    def scan(self, folded: str) -> list[tuple[float, str]]:
        candidates = set(self._always)
        for needle, indexes in self._by_needle.items():
            if needle in folded:
                candidates.update(indexes)
        matches = []
        for i in sorted(candidates):
            entry = self.entries[i]
            for match in entry.pattern.finditer(folded):
                # The word boundary before the match is checked here: as a regex assertion it
                # would stop the engine from jumping to the literal start (30 times slower).
                start = match.start()
                if start == 0 or not folded[start - 1].isalnum():
                    matches.append((entry.weight, start, match.end(), match.group(0).strip()))
                    break
        # Words count once: of patterns matching the same words ("fuera de la oficina" inside
        # "estoy ... fuera de la oficina"), only the heaviest, then longest, scores.
        kept: list[tuple[float, int, int, str]] = []
        for m in sorted(matches, key=lambda m: (-m[0], m[1] - m[2])):
            if all(m[2] <= k[1] or m[1] >= k[2] for k in kept):
                kept.append(m)
        return [(weight, text) for weight, _, _, text in sorted(kept, key=lambda m: m[1])]

    def score(self, folded: str) -> tuple[float, list[str]]:
        found = self.scan(folded)
        return sum(w for w, _ in found), [text for _, text in found]


def phrases(name: str, *groups: tuple[float, tuple[str, ...]]) -> Phrases:
    """``phrases("ooo", (3, ("out of office", ...)), (1.5, (...)))``: each pattern is a regex."""
    entries = []
    for weight, patterns in groups:
        for p in patterns:
            source = fold_pattern(p)
            entries.append(
                _Entry(weight, re.compile(rf"(?:{source})(?!\w)"), required_text(source))
            )
    return Phrases(name, tuple(entries))


def required_text(pattern: str) -> tuple[str, ...]:
    """Literal strings of which any match must contain one; () when none can be told."""
    options = _sequence(list(sre_parse.parse(pattern)))
    singles = [o for o in options if len(o) == 1]
    if singles:
        return (max(singles, key=lambda o: len(o[0]))[0],)
    lists = [o for o in options if len(o) <= 16]
    return min(lists, key=len) if lists else ()


def _sequence(items: list) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    """Requirements of a sequence: runs of literals, and any-of sets from alternations."""
    found: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_LITERAL:
            found.append(("".join(run),))
        run.clear()

    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is sre_constants.SUBPATTERN:
            found.extend(_sequence(list(av[-1])))
        elif op is sre_constants.BRANCH:
            alternatives = [_best(_sequence(list(alt))) for alt in av[1]]
            if all(alternatives):
                found.append(tuple(s for alt in alternatives for s in alt))  # type: ignore[union-attr]
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            found.extend(_sequence(list(av[2])))
    flush()
    return found


def _best(options: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    singles = [o for o in options if len(o) == 1]
    if singles:
        return max(singles, key=lambda o: len(o[0]))
    return min(options, key=len) if options else None
