"""Find the lexicon's concepts in folded tokens: exact words, stems, compounds, phrases, typos.

Built once at import from ``lexicon.CONCEPTS``; matching one message is dictionary look-ups
per token (cached across messages), so it costs microseconds, not milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from intake.classifiers.fold import fold, tokens

_MIN_FUZZY = 7  # shorter words are too often other real words one letter away
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Hit:
    """One concept found in one field of a message."""

    concept: str
    field: str
    index: int  # token position in the field, for "near" rules
    words: str  # what was written (folded)
    fuzzy: bool = False
    length: int = 1  # tokens covered


@dataclass(frozen=True, slots=True)
class _Target:
    concept: str
    rest: tuple[tuple[str, bool], ...]  # following phrase elements: (text, is_prefix)
    language: str | None


# Single letters (Latin, and Cyrillic look-alikes) naming a kind of residence card.
_CARD_LETTERS = {
    "a": "card_a",
    "b": "card_b",
    "c": "card_c",
    "d": "card_d",
    "e": "card_e",
    "f": "card_f",
    "h": "card_h",
    "k": "card_k",
    "l": "card_l",
    "m": "card_m",
    "n": "card_n",
    "eu": "card_eu",
    "а": "card_a",
    "в": "card_b",
    "с": "card_c",
    "е": "card_e",
    "ф": "card_f",
    "н": "card_h",
    "к": "card_k",
    "л": "card_l",
    "м": "card_m",
}
_PLUS_CARDS = {"f+": "card_fplus", "eu+": "card_euplus", "e+": "card_eplus", "m+": "card_mplus"}
_CARD_WORDS = frozenset({"card", "residence_doc"})
# Kinds of card a citizen asks to switch to; "my K card" is one they already hold.
_SWITCH_KINDS = frozenset(
    {"card_k", "card_l", "card_fplus", "card_euplus", "card_eplus", "card_mplus"}
)
_POSSESSIVES = frozenset(
    {
        "mijn",
        "my",
        "ma",
        "mon",
        "mes",
        "mi",
        "mis",
        "moja",
        "moje",
        "moj",
        "mojej",
        "моя",
        "мою",
        "моей",
        "мой",
        "мій",
        "моєї",
        "minha",
        "meu",
        "mea",
        "meine",
        "mein",
        "meiner",
        "benim",
    }
)
REQUEST_WORDS = (
    "aanvraag",
    "applica",
    "request",
    "demande",
    "solicitud",
    "wniosek",
    "заявк",
    "заяв",
    "basvuru",
    "cerere",
    "pedido",
    "antrag",
)
_NOT_A_CARD_AFTER = frozenset(
    {"mail", "mails", "mailen", "mailadres", "id", "commerce", "book", "learning", "loket"}
)
# "bijlage 35", "annexe 3 bis", "anex 35", "додаток 15", "الملحق 35", "załącznik nr 19ter"
_ANNEX_WORDS = frozenset(
    {
        "bijlage",
        "bijl",
        "annex",
        "annexe",
        "annexes",
        "anexo",
        "anex",
        "anexa",
        "anexei",
        "ek",
        "eki",
        "додаток",
        "додатку",
        "додатка",
        "додатком",
        "приложение",
        "приложения",
        "приложению",
        "приложении",
        "zalacznik",
        "zalacznika",
        "zalacznikiem",
        "zalaczniku",
        "ملحق",
        "پيوست",
        "anlage",
        "allegato",
        "bijlagen",
    }
)
_NUMBER_WORDS = frozenset({"nr", "no", "n", "num", "numero", "nummer", "number", "nº", "№"})
_GLUED_ANNEX = re.compile(r"^(bijlage|annexe?|anexo?|anexa|zalacznik)(\d{1,2})(bis|ter)?$")
_NUMBERED = re.compile(r"^(\d{1,2})(bis|ter|quater)?$")
_ANNEX_CONCEPTS = {
    "35": "annex_35",
    "3bis": "annex_3bis",
    "32": "annex_32",
    "15": "annex_15",
    "19": "annex_19",
    "19bis": "annex_19",
    "19ter": "annex_19",
    "26": "annex_26",
    "26bis": "annex_26",
    "25": "annex_26",
    "8": "annex_8",
    "8bis": "annex_8",
    "3": "annex_3",
}


class Lexicon:
    """Concept look-up over folded tokens."""

    def __init__(self, concepts: Mapping[str, Iterable[str]]) -> None:
        self._exact: dict[str, list[_Target]] = {}
        self._prefix: dict[str, list[_Target]] = {}
        self._suffix: dict[str, list[_Target]] = {}
        self._fuzzy: dict[str, list[tuple[str, bool, _Target]]] = {}
        self._cache: dict[str, tuple[tuple[_Target, ...], bool]] = {}
        for concept, entries in concepts.items():
            for entry in entries:
                self._add(concept, entry)
        self._prefix_lengths = sorted({len(k) for k in self._prefix}, reverse=True)
        self._suffix_lengths = sorted({len(k) for k in self._suffix}, reverse=True)

    def _add(self, concept: str, entry: str) -> None:
        language = None
        if len(entry) > 3 and entry[2] == ":" and entry[:2].isalpha():
            language, entry = entry[:2], entry[3:]
        elements = _elements(entry)
        if not elements:
            return
        (first, first_prefix), rest = elements[0], tuple(elements[1:])
        target = _Target(concept, rest, language)
        if first.startswith("*"):
            self._suffix.setdefault(first[1:], []).append(target)
            return
        table = self._prefix if first_prefix else self._exact
        table.setdefault(first, []).append(target)
        if len(first) >= _MIN_FUZZY:
            self._fuzzy.setdefault(first[:2], []).append((first, first_prefix, target))

    def match(self, words: list[str], field: str, language: str | None = None) -> list[Hit]:
        """Every concept in the field's tokens, phrases checked, card letters resolved."""
        hits: list[Hit] = []
        count = len(words)
        lookup = self._lookup
        for i, token in enumerate(words):
            targets, fuzzy = lookup(token)
            for target in targets:
                if target.language is not None and target.language != language:
                    continue
                rest = target.rest
                if rest:
                    if i + len(rest) >= count:
                        continue
                    text, is_prefix = rest[0]
                    following = words[i + 1]
                    if not (following.startswith(text) if is_prefix else following == text):
                        continue
                    if len(rest) > 1 and not _phrase_follows(words, i + 2, rest[1:]):
                        continue
                    end = i + 1 + len(rest)
                    hits.append(
                        Hit(target.concept, field, i, " ".join(words[i:end]), fuzzy, end - i)
                    )
                else:
                    hits.append(Hit(target.concept, field, i, token, fuzzy))
        hits.extend(_card_letters(words, hits, field))
        hits.extend(_annexes(words, field))
        return _drop_comparisons(hits)

    def _lookup(self, token: str) -> tuple[tuple[_Target, ...], bool]:
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        found: list[_Target] = list(self._exact.get(token, ()))
        size = len(token)
        for length in self._prefix_lengths:
            if length <= size:
                found.extend(self._prefix.get(token[:length], ()))
        result = (tuple(found), False)
        if not found and size >= _MIN_FUZZY and token.isalpha():
            near = self._near_miss(token)
            if near:
                result = (near, True)
        # Compound endings ("...kaart") come on top: "verbljifskaart" is a card and, one typo
        # away, a residence card.
        ends = [
            t
            for length in self._suffix_lengths
            if length < size
            for t in self._suffix.get(token[-length:], ())
        ]
        if ends:
            result = (result[0] + tuple(ends), result[1])
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[token] = result
        return result

    def _near_miss(self, token: str) -> tuple[_Target, ...]:
        """Entries one typo away (a letter missing, extra, wrong or swapped); none if ambiguous."""
        found: list[_Target] = []
        for text, is_prefix, target in self._fuzzy.get(token[:2], ()):
            size = len(text)
            if target.language is not None:
                continue
            if is_prefix:
                ok = len(token) <= size + 4 and any(
                    _within_one(token[:n], text)
                    for n in (size, size + 1, size - 1)
                    if n <= len(token)
                )
            else:
                ok = abs(len(token) - size) <= 1 and _within_one(token, text)
            if ok:
                found.append(target)
        if len({t.concept for t in found}) != 1:
            return ()
        return tuple(found)


def _elements(entry: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for raw in fold(entry).split():
        prefix = raw.endswith("*") and len(raw) > 1
        suffix = raw.startswith("*") and len(raw) > 1
        body = raw.strip("*")
        parts = tokens(body)
        if not parts:
            continue
        for j, part in enumerate(parts):
            last = j == len(parts) - 1
            first = j == 0
            if suffix and first and len(out) == 0:
                out.append(("*" + part, False))
            else:
                out.append((part, prefix and last))
    return out


def _phrase_follows(words: list[str], start: int, rest: tuple[tuple[str, bool], ...]) -> bool:
    if start + len(rest) > len(words):
        return False
    for offset, (text, is_prefix) in enumerate(rest):
        word = words[start + offset]
        if not (word.startswith(text) if is_prefix else word == text):
            return False
    return True


def _within_one(a: str, b: str) -> bool:
    """True when a and b differ by one edit (or one swap of neighbours) before their last letter.

    An edit at the very end is a different ending ("gegeven" is not "gegevens"), not a typo.
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if i >= min(la, lb) - 1:
        return False
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _card_letters(words: list[str], hits: list[Hit], field: str) -> list[Hit]:
    """ "F+ kaart", "kaart K", "carte F", "карта К": a letter next to a card word names its kind.

    A kind one can switch to is "held" when the writer says it is theirs ("mijn K-kaart
    vervalt"): that card is renewed, lost or broken, not asked for.
    """
    card_at = {h.index for h in hits if h.concept in _CARD_WORDS}
    out: list[Hit] = []
    for i, word in enumerate(words):
        if len(word) > 3:
            continue
        concept = _PLUS_CARDS.get(word)
        if concept is None:
            concept = _CARD_LETTERS.get(word)
            if concept is None or (i + 1 < len(words) and words[i + 1] in _NOT_A_CARD_AFTER):
                continue
            # A card word at most three words away.
            if not card_at or card_at.isdisjoint((i + 1, i - 1, i + 2, i - 2, i + 3, i - 3)):
                continue
        if concept in _SWITCH_KINDS and _held(words, i):
            concept = "held_" + concept[5:]
        out.append(Hit(concept, field, i, word))
    return out


def _held(words: list[str], i: int) -> bool:
    before = words[max(0, i - 3) : i]
    after = words[i + 1 : i + 4]
    return any(w in _POSSESSIVES for w in before) and not any(
        w.startswith(REQUEST_WORDS) for w in after
    )


def _drop_comparisons(hits: list[Hit]) -> list[Hit]:
    """ "Per e-mail, zoals bij de F+ kaart?": a card named in a comparison is not asked for."""
    after = {h.index + h.length for h in hits if h.concept == "comparison"}
    if not after:
        return hits
    return [
        h
        for h in hits
        if not (h.concept in _PLUS_CARDS.values() and any(0 <= h.index - a <= 3 for a in after))
    ]


def _annexes(words: list[str], field: str) -> list[Hit]:
    """Numbered annexes ("bijlage 35", "annexe 3 bis") as concepts such as ``annex_35``."""
    out: list[Hit] = []
    count = len(words)
    for i, word in enumerate(words):
        if word in _ANNEX_WORDS:
            j = i + 1
            if j < count and words[j] in _NUMBER_WORDS:
                j += 1
            number = _NUMBERED.match(words[j]) if j < count else None
            if not number:
                continue
            suffix, end = number.group(2) or "", j + 1
            if not suffix and end < count and words[end] in ("bis", "ter"):
                suffix, end = words[end], end + 1
            key = number.group(1).lstrip("0") + suffix
        elif word[-1:].isdigit() or word.endswith(("bis", "ter")):
            glued = _GLUED_ANNEX.match(word)
            if not glued:
                continue
            key, end = glued.group(2).lstrip("0") + (glued.group(3) or ""), i + 1
        else:
            continue
        concept = _ANNEX_CONCEPTS.get(key)
        if concept:
            out.append(Hit(concept, field, i, " ".join(words[i:end]), False, end - i))
    return out
