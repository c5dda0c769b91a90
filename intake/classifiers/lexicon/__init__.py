"""The multilingual concept lexicon: words and phrases, in many languages, for each concept.

Entry syntax (every entry is folded like the messages, see ``fold.py``):

- ``word``      the exact token
- ``stem*``     any token starting with the stem
- ``*end``      any token ending with it (Dutch and German compounds: "*kaart")
- ``two words`` consecutive tokens, each exact or ``stem*``
- ``en:word``   only when the message's language is English (``son`` is "his" in French)

Concepts are intent-neutral facts ("card", "expire", "child"); the intent rules in
``intake/classifiers/rules.py`` combine them.
"""

from intake.classifiers.lexicon.cards import CARD_CONCEPTS
from intake.classifiers.lexicon.people import PEOPLE_CONCEPTS
from intake.classifiers.lexicon.procedures import PROCEDURE_CONCEPTS

CONCEPTS: dict[str, tuple[str, ...]] = {**CARD_CONCEPTS, **PEOPLE_CONCEPTS, **PROCEDURE_CONCEPTS}

__all__ = ["CONCEPTS"]
