"""Who a message is about: the people it names, national register numbers and birth dates.

One address often writes for several people (a social worker, a relative, a volunteer). A new
message joins an open ticket of the same sender only when nothing in it points at another
person than the ticket is about; when in doubt it opens its own ticket, because two tickets
for one person cost a merge, while one ticket for two people mixes their files.

    >>> persons_in("F+ kaart voor mijn cliënt Jan Peeters, geboren 12/03/1991").names
    frozenset({('jan', 'peeters')})
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum

from intake.classifiers.fold import fold as fold_word  # names: "Michał" meets "Michal"


@dataclass(frozen=True, slots=True)
class Persons:
    """Identifiers of the people a message (or a ticket's messages) is about."""

    # Each name as its folded tokens: ("jan", "peeters").
    names: frozenset[tuple[str, ...]] = frozenset()
    # Belgian national register numbers, 11 digits with a valid check number.
    register_numbers: frozenset[str] = frozenset()
    # Birth dates, ISO yyyy-mm-dd.
    birth_dates: frozenset[str] = frozenset()
    # True when every identifier above was introduced as the writer's own ("my birth date").
    only_self: bool = True

    @property
    def empty(self) -> bool:
        return not (self.names or self.register_numbers or self.birth_dates)

    @property
    def names_someone_else(self) -> bool:
        return not self.empty and not self.only_self

    def union(self, other: Persons) -> Persons:
        return Persons(
            self.names | other.names,
            self.register_numbers | other.register_numbers,
            self.birth_dates | other.birth_dates,
            self.only_self and other.only_self,
        )


class Relation(Enum):
    SAME = "same"  # about the same person (or both about the writer)
    OTHER = "other"  # points at another person
    UNKNOWN = "unknown"  # the ticket names someone, the new message names no one


def relation(ticket: Persons, new: Persons, new_text: str = "") -> Relation:
    """How a new message relates to the people an open ticket is about."""
    if _disjoint(ticket.register_numbers, new.register_numbers) or _disjoint(
        ticket.birth_dates, new.birth_dates
    ):
        return Relation.OTHER
    name_overlap = any(_same_name(a, b) for a in ticket.names for b in new.names)
    if ticket.names and new.names and not name_overlap:
        return Relation.OTHER
    if (
        name_overlap
        or ticket.register_numbers & new.register_numbers
        or ticket.birth_dates & new.birth_dates
        or _mentions(ticket, new_text)
    ):
        return Relation.SAME
    if not new.names_someone_else:
        return Relation.SAME if not ticket.names_someone_else else Relation.UNKNOWN
    return Relation.OTHER


def persons_in(text: str, sender_name: str = "") -> Persons:
    """The people a message names, leaving out the writer themself."""
    text = unquoted(text)
    sender = _name_tokens(sender_name)
    names = {n for n in _cued_names(text) if not (sender and _same_name(n, sender))}
    numbers, dates, only_self = set(), set(), True
    for value, start in _register_numbers(text):
        numbers.add(value)
        only_self &= _said_of_self(text, start)
    for value, start in _birth_dates(text):
        dates.add(value)
        only_self &= _said_of_self(text, start)
    return Persons(frozenset(names), frozenset(numbers), frozenset(dates), only_self and not names)


# --- text helpers ----------------------------------------------------------------------------

_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:original message|oorspronkelijk bericht|message d'origine|mensaje original)"
    r"|on .{0,200} wrote:|op .{0,200} (?:schreef|geschreven):?|le .{0,200} a [ée]crit\s*:"
    r"|el .{0,200} escribi[oó]:|(?:van|from|de|от|від):\s.*\n(?:verzonden|sent|envoy[ée]|enviado|отправлено|надіслано):)",
    re.IGNORECASE | re.MULTILINE,
)


def unquoted(text: str) -> str:
    """The text the writer wrote now: without '>' quotes and the quoted earlier message."""
    found = _QUOTE_START.search(text or "")
    text = text[: found.start()] if found else (text or "")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def fold(text: str) -> str:
    """Lower case without accents, for comparing words whatever their spelling."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ё", "е")


def _disjoint(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b and not a & b)


def _same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """ "Jan Peeters", "Peeters" and "Jan Peeters-Smet" are one person; "Jan" and "An" are not."""
    sa, sb = set(a), set(b)
    return bool(sa and sb) and (sa <= sb or sb <= sa)


def _mentions(ticket: Persons, text: str) -> bool:
    """The new text names, without a cue, a person or number the ticket is about."""
    words = set(re.findall(r"\w+", fold_word(unquoted(text))))
    if any(all(t in words for t in name) for name in ticket.names):
        return True
    digits = re.sub(r"\D", "", text)
    return any(n in digits for n in ticket.register_numbers)


# --- names after a cue -----------------------------------------------------------------------

# Words that introduce the person a message is about. Folded (no accents, lower case).
_NAME_CUES = re.compile(
    fold(
        r"(?<!\w)(?:"
        # Dutch
        r"clie?nte?|klant|bewoner|begunstigde|namens|ten behoeve van|"
        r"(?:mijn|onze) (?:zoon|dochter|vrouw|echtgenote|echtgenoot|man|partner|moeder|vader|broer|zus|zuster|"
        r"neef|nicht|kind|kleinzoon|kleindochter|schoonmoeder|schoonvader|vriend|vriendin)|"
        r"mevrouw|meneer|mevr\.|dhr\.|de heer|"
        # English
        r"client|on behalf of|applicant|mr\.?|mrs\.?|ms\.?|miss|"
        r"my (?:son|daughter|wife|husband|partner|mother|father|brother|sister|child|nephew|niece|cousin|"
        r"friend|grandson|granddaughter)|"
        # French
        r"beneficiaire|au nom de|pour le compte de|monsieur|madame|mme\.?|"
        r"(?:mon|ma) (?:fils|fille|femme|epouse|mari|epoux|mere|pere|frere|soeur|enfant|neveu|niece|cousine?|amie?)|"
        # Spanish
        r"en nombre de|senora?|sra?\.|"
        r"mi (?:hijo|hija|esposa|esposo|marido|mujer|madre|padre|hermano|hermana|sobrino|sobrina)|"
        # Turkish
        r"müvekkil(?:im)?|danışan(?:ım)?|oğlum|kızım|eşim|annem|babam|"
        # Ukrainian and Russian
        r"клієнт(?:ка)?|клиент(?:ка)?|мій син|моя донька|моя дочка|мой сын|моя дочь|"
        r"моя дружина|мій чоловік|моя жена|мой муж|від імені|от имени"
        r")(?!\w)"
        # Form fields: "Naam: Jan Peeters".
        r"|(?<!\w)(?:naam|name|full name|nom|nom complet|nombre|ad soyad|adı soyadı|isim|піб|фио|имя|ім'я)\s*:"
    )
)
# A greeting or a team member addressed, not the person the case is about.
_SALUTATION = re.compile(
    r"(?:beste|geachte|dear|hello|hi|bonjour|cher|chere|estimad[oa]|hola|sayin)\W*$"
)
_PARTICLES = frozenset(
    {
        "van",
        "de",
        "der",
        "den",
        "ter",
        "ten",
        "el",
        "al",
        "bin",
        "ben",
        "ibn",
        "da",
        "di",
        "du",
        "le",
        "la",
        "von",
        "abu",
        "ould",
        "dos",
        "das",
        "del",
        "y",
    }
)
# Capitalised words that are not names.
_NOT_NAMES = frozenset(
    [
        "ik",
        "i",
        "je",
        "hij",
        "zij",
        "ze",
        "we",
        "wij",
        "he",
        "she",
        "they",
        "il",
        "elle",
        "ils",
        "nous",
        "yo",
        "el",
        "ella",
        "het",
        "the",
        "een",
        "a",
        "an",
        "le",
        "la",
        "les",
        "un",
        "une",
        "mijn",
        "my",
        "mon",
        "ma",
        "mes",
        "mi",
        "su",
        "son",
        "sa",
        "zijn",
        "haar",
        "his",
        "her",
        "their",
        "is",
        "heeft",
        "has",
        "wil",
        "wants",
        "en",
        "and",
        "et",
        "y",
        "of",
        "or",
        "ou",
        "o",
        "met",
        "with",
        "avec",
        "con",
        "voor",
        "for",
        "pour",
        "para",
        "over",
        "about",
        "sur",
        "sobre",
        "geboren",
        "born",
        "ne",
        "nee",
        "nacido",
        "nacida",
        "gent",
        "ghent",
        "gand",
        "gante",
        "belgie",
        "belgium",
        "belgique",
        "belgica",
        "stad",
        "dienst",
        "migratie",
        "cgvs",
        "cgrs",
        "cgra",
        "dvz",
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
        "january",
        "february",
        "march",
        "may",
        "june",
        "july",
        "august",
        "october",
        "janvier",
        "fevrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "decembre",
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "hallo",
        "hello",
        "dear",
        "beste",
        "bonjour",
        "graag",
        "please",
        "merci",
        "thanks",
        "dank",
        "bedankt",
        "kaart",
        "card",
        "carte",
        "tarjeta",
        "verblijfskaart",
    ]
)
_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)


def _cued_names(text: str) -> set[tuple[str, ...]]:
    folded = fold(text)
    # fold keeps lengths for Latin and Cyrillic text almost always; when it does not,
    # cue positions cannot be mapped back and names are read from the folded text.
    source = text if len(folded) == len(text) else folded
    names = set()
    for cue in _NAME_CUES.finditer(folded):
        if _SALUTATION.search(folded[max(0, cue.start() - 16) : cue.start()]):
            continue
        name = _name_after(source[cue.end() : cue.end() + 80])
        if name:
            names.add(name)
    return names


def _name_after(text: str) -> tuple[str, ...] | None:
    tokens: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        gap = text[pos : m.start()]
        if tokens and re.search(r"[^\s.\-'’]", gap):
            break  # punctuation ends the name
        if not tokens and re.search(r"[^\s:,\-–]", gap):
            break  # the name must follow the cue directly
        word = m.group(0)
        key = fold_word(word)
        if (
            word[0].isupper()
            and len(word) > 1
            and key not in _NOT_NAMES
            or tokens
            and key in _PARTICLES
        ):
            tokens.append(key)
        else:
            break
        pos = m.end()
        if len(tokens) == 5:
            break
    while tokens and tokens[-1] in _PARTICLES:
        tokens.pop()
    return tuple(tokens) or None


def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(fold_word(t) for t in _TOKEN.findall(name or "") if len(t) > 1)


# --- numbers and dates -----------------------------------------------------------------------

_REGISTER_NUMBER = re.compile(
    r"(?<![\d.])(\d{2})[. ]?(\d{2})[. ]?(\d{2})[-. ]?(\d{3})[-. ]?(\d{2})(?![\d])"
)


def _register_numbers(text: str) -> list[tuple[str, int]]:
    """Belgian national register (or BIS) numbers whose check number is right."""
    found = []
    for m in _REGISTER_NUMBER.finditer(text):
        digits = "".join(m.groups())
        first, check = int(digits[:9]), int(digits[9:])
        if check in (97 - first % 97, 97 - (2_000_000_000 + first) % 97):
            found.append((digits, m.start()))
    return found


_BIRTH_CUE = re.compile(
    fold(
        r"geboren|geboortedatum|geb\.|born|birth|dob|d\.o\.b|\bne\b|\bnee\b|\bne\(e\)|naissance|nacid[oa]|nacimiento|"
        r"doğum|рождения|родил|народжен|народил|الميلاد|مواليد|ولد"
    )
)
_MONTHS = {
    name: i + 1
    for names in (
        "januari februari maart april mei juni juli augustus september oktober november december",
        "january february march april may june july august september october november december",
        "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    )
    for i, name in enumerate(names.split())
}
_DATE = re.compile(
    r"(?<!\d)(?:(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    r"|(?P<d3>\d{1,2})\s+(?P<mn>[a-z]+)\.?\s+(?P<y3>\d{4}))(?!\d)"
)


def _birth_dates(text: str) -> list[tuple[str, int]]:
    """Dates that follow a birth cue closely ("geboren op 12/03/1991", "DOB: 1991-03-12")."""
    folded = fold(text)
    found = []
    for m in _DATE.finditer(folded):
        if not _BIRTH_CUE.search(folded[max(0, m.start() - 40) : m.start()]):
            continue
        value = _iso(m)
        if value:
            found.append((value, m.start()))
    return found


def _iso(m: re.Match[str]) -> str | None:
    try:
        if m.group("y"):
            day, month, year = int(m.group("d")), int(m.group("m")), int(m.group("y"))
        elif m.group("y2"):
            day, month, year = int(m.group("d2")), int(m.group("m2")), int(m.group("y2"))
        else:
            month = _MONTHS.get(m.group("mn") or "", 0)
            day, year = int(m.group("d3")), int(m.group("y3"))
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# First person just before a number or a date: "mijn rijksregisternummer", "I was born on".
_SELF = re.compile(
    fold(
        r"(?<!\w)(?:mijn|ik|my|i|mon|ma|je|mi|yo|nací|benim|ben|мій|моя|мой|мои|я|أنا|ميلادي)(?!\w)"
    )
)
_OTHER = re.compile(
    fold(
        r"(?<!\w)(?:clie?nt|klant|zoon|dochter|kind|son|daughter|child|fils|fille|enfant|hijo|hija|oğlu|kızı|"
        r"his|her|zijn|haar|sa|su|син|сын|доч|дон|клієнт|клиент)\w*"
    )
)


def _said_of_self(text: str, start: int) -> bool:
    window = fold(text[max(0, start - 40) : start])
    return bool(_SELF.search(window)) and not _OTHER.search(window)
