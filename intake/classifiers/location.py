"""The service centre a message names, spelled as the routing file spells it.

A district named only as where someone lives ("ik woon in Sint-Amandsberg") is not a
choice of service centre; a centre named with collecting, an appointment or an office is.
"""

from __future__ import annotations

import re

from intake.classifiers.fold import fold
from intake.classifiers.reading import Reading
from intake.classifiers.verdict import Evidence

# Canonical name -> folded spellings (without accents, any case, with or without hyphen).
CENTRES: dict[str, tuple[str, ...]] = {
    "Stadskantoor": (
        r"stadskantoor",
        r"stads kantoor",
        r"woodrow wilsonplein",
        r"administratief centrum",
    ),
    "Gentbrugge": (r"gentbrugge",),
    "Nieuw-Gent": (r"nieuw[- ]?gent",),
    "Sint-Amandsberg": (r"(?:sint|st|saint)[-. ]*amandsberg", r"amandsberg"),
    "Wondelgem": (r"wondelgem(?![- ]meulestede)",),
    "Wondelgem-Meulestede": (r"wondelgem[- ]meulestede",),
    "Drongen": (r"drongen",),
    "Mariakerke": (r"mariakerke",),
    "Ledeberg": (r"ledeberg",),
    "Oostakker": (r"oostakker",),
    "Zwijnaarde": (r"zwijnaarde",),
    "Sint-Denijs-Westrem": (r"(?:sint|st)[-. ]*denijs[- ]westrem",),
}
_PATTERNS = [
    (name, re.compile(rf"(?:{'|'.join(spellings)})(?!\w)")) for name, spellings in CENTRES.items()
]
_LIVES = re.compile(
    r"\b(?:woon|wonen|woont|live|living|lives|habite|habitons|j'habite|vivo|vivimos|mieszkam|mieszkamy|живу|живем"
    r"|живемо|проживаю|اسكن|أسكن|يسكن|oturuyorum|yasiyorum|locuiesc|moro)\b"
)
_SERVICE = re.compile(
    r"\b(?:afhal\w*|ophal\w*|halen|collect\w*|pick|retir\w*|recuper\w*|recog\w*|odebra\w*|odbior\w*|забра\w*"
    r"|استلام|teslim|ridic\w*|dienstencentrum\w*|centre|center|centrum|centro|центр\w*|مركز|merkez\w*|kantoor"
    r"|office|bureau|loket|afspraak|appointment|rendez|cita|wizyt\w*|прием|прийом|موعد|randevu|programare"
    r"|langskomen|passer|there|daar|la-bas|ginds)\b"
)


def find(reading: Reading) -> tuple[str | None, Evidence | None]:
    """The first centre the subject or the writer's own text names as the place to go."""
    for field_name in ("subject", "own", "forwarded"):
        field = reading.field(field_name)
        if field is None:
            continue
        for name, pattern in _PATTERNS:
            for found in pattern.finditer(field.folded):
                if found.start() and field.folded[found.start() - 1].isalnum():
                    continue
                sentence = _sentence_around(field.folded, found.start(), found.end())
                if (
                    field_name != "subject"
                    and _LIVES.search(sentence)
                    and not _SERVICE.search(sentence)
                ):
                    continue
                return name, Evidence(
                    "location", f"{name}: '{sentence.strip()[:80]}' ({field_name})"
                )
    return None, None


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]


def canonical(name: str) -> str | None:
    """A centre name as the routing file spells it, from any spelling."""
    folded = fold(name)
    for canon, pattern in _PATTERNS:
        found = pattern.search(folded)
        if found and not (found.start() and folded[found.start() - 1].isalnum()):
            return canon
    return None
