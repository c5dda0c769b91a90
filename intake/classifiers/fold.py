"""Text folding and tokens: lower case, no accents, one spelling per letter, whatever the script.

Every lexicon entry and every message goes through the same ``fold`` so that
"Verblijfskaart", "verblijfskaart" and "VERBLÏJFSKAART" meet, as do "réfugié" and
"refugie", "çalışmıyor" and "calismiyor", "أ" and "ا", "й" and "и".
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves alone, and punctuation worth unifying.
_EXTRA = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ŀ": "l",
        "þ": "th",
        "ð": "d",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
        "´": "'",
        "\u201c": '"',
        "\u201d": '"',
        "«": '"',
        "»": '"',
        "„": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u200e": "",
        "\u200f": "",
        "\ufeff": "",
        # Arabic script: one letter per sound, no tatweel; Persian yeh/keheh as Arabic.
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ة": "ه",
        "ـ": "",
        "ۀ": "ه",
        # Arabic-Indic and Persian digits as ASCII digits.
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)
# Combining marks: Latin accents, Cyrillic breve, Arabic harakat, hamza carriers.
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# Words, "f+" as one token, and French elisions ("l'", "d'") apart so "l'annexe" is no "L card".
TOKEN = re.compile(r"(?<![^\W_])[a-z]'(?=[^\W_])|[^\W_]+\+?")
# "F + kaart", "f plus", "F-plus": one token "f+". Only the letters that have a "+" card.
_PLUS = re.compile(r"\b(f|eu|e|m|ф)\s*(?:\+|-?\s?plus\b)")
_ARABIC_PREFIX = re.compile(r"^(?:(?:وال|بال|كال|فال|لل|ال)(?=\w{3})|و(?=\w{2}))")


def fold(text: str) -> str:
    """Lower case without accents, Arabic letters unified, "+" cards as one token."""
    if text.isascii():
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text.lower().translate(_EXTRA))
        folded = _MARKS.sub("", folded).translate(_EXTRA)
    if "+" in folded or "plus" in folded:
        folded = _PLUS.sub(_plus_card, folded)
    return folded


def _plus_card(found: re.Match[str]) -> str:
    letter = found.group(1)
    return ("f" if letter == "ф" else letter) + "+"


def tokens(folded: str) -> list[str]:
    """Word tokens of folded text; Arabic article and conjunction prefixes come off."""
    out = TOKEN.findall(folded)
    if folded.isascii():
        return out
    return [_ARABIC_PREFIX.sub("", t) if "\u0600" <= t[0] <= "\u06ff" else t for t in out]


def fold_pattern(pattern: str) -> str:
    """Fold the letters of a regular expression written in plain words (case and escapes kept)."""
    if pattern.isascii():
        return pattern
    folded = unicodedata.normalize("NFKD", pattern.translate(_EXTRA))
    return _MARKS.sub("", folded).translate(_EXTRA)
