"""Split a message's text into the writer's own words, forwarded content and quoted replies.

Quoted replies ("> ", "On ... wrote:", Outlook "Van:/Verzonden:" blocks), signatures
("-- ", "Sent from my iPhone") and legal disclaimers are taken out of the writer's own
text, so that our own acknowledgement quoted below a reply, or a disclaimer that happens
to mention a residence card, never decides what the message is about. Forwarded content
is kept apart: for a forward with a short cover note, it is the case itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.classifiers.fold import fold


@dataclass(frozen=True, slots=True)
class CitizenText:
    own: str
    forwarded: str = ""
    quoted: str = ""
    stripped: tuple[str, ...] = ()  # what was taken out, for the evidence


_FORWARD_WORDS = (
    r"forward|doorgestuurd|doorgezonden|transf[eé]r[eé]|r[eé]exp[eé]di[eé]|reenviado|weitergeleitet"
    r"|przekazana|пересыл|пересла|переслан|معاد توجيه|iletilen|redirec|encaminhad|inoltrat"
)
_ORIGINAL_WORDS = (
    r"original|oorspronkelijk|origine|urspr[uü]ngliche|oryginaln|исходное|оригінальне|الأصلية"
    r"|orijinal|originală"
)
_FORWARD_MARKER = re.compile(
    rf"^\s*(?:[-_=*]{{2,}}[^\n]{{0,30}}?(?:{_FORWARD_WORDS})[^\n]{{0,30}}$"
    rf"|(?:begin forwarded message|d[eé]but du message r[eé]exp[eé]di[eé]|forwarded message"
    rf"|doorgestuurd bericht|message transf[eé]r[eé]|weitergeleitete nachricht|mensaje reenviado"
    rf"|inizio messaggio inoltrato|mensagem encaminhada)\s*:?\s*$)",
    re.IGNORECASE,
)
_REPLY_MARKER = re.compile(
    rf"^\s*-{{2,}}\s*[^\n]{{0,15}}(?:{_ORIGINAL_WORDS})[^\n]{{0,25}}-{{2,}}\s*$", re.IGNORECASE
)
_ATTRIBUTION = re.compile(
    r"(?:wrote|schreef|geschreven|a [eé]crit|schrieb|escribi[oó]|escreveu|ha scritto|pisze"
    r"|napisa[lł]a?"
    r"|yazd[iı]|пишет|написал[а]?|написав(?:ла)?|كتب)\s*:?\s*$",
    re.IGNORECASE,
)
_DATE_OR_ADDRESS = re.compile(r"\d|@")
_HEADER_FROM = re.compile(
    r"^\s*\*?(?:from|van|de|von|da|od|от|від|kimden|g[oö]nderen|من|exp[eé]diteur)\s*\*?\s*:\s*\S",
    re.IGNORECASE,
)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|verzonden|envoy[eé]|gesendet|date|datum|enviado|fecha|wys[lł]ano|data"
    r"|отправлено"
    r"|дата|надіслано|tarih|g[oö]nderildi|inviato|التاريخ|تاريخ|subject|onderwerp|objet|betreff"
    r"|asunto"
    r"|temat|тема|konu|to|aan|[aà]|an|para|do|кому|cc)\s*\*?\s*:",
    re.IGNORECASE,
)
# Last letters of "wrote:", "schreef", "a écrit", "schrieb", "escribió", "pisze", "пишет"...
_ATTRIBUTION_ENDS = (":", "e", "b", "t", "o", "l", "a", "z", "т", "в", "б")
_SUBJECT_NAMES = ("subject", "onderwerp", "objet", "betreff", "asunto", "тема")
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
_BOUNCE_COPY = re.compile(
    r"^\s*-*\s*(?:below this line is a copy of the message|this is a copy of the message"
    r"|original message follows|the original message was received|a copy of the original message)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*$|(?:sent|envoy[eé]|verzonden|verstuurd|gesendet|enviado|wys[lł]ane|отправлено"
    r"|надіслано|trimis|inviato|g[oö]nderildi)\b[^\n]{0,40}\b(?:iphone|ipad|android|galaxy|samsung"
    r"|mobile"
    r"|smartphone|outlook|mail|gmail|huawei|xiaomi|pixel|телефон|ios)\b|get outlook for|von meinem"
    r" \S+"
    r"|\S+'(?:umdan|imden|den|dan) g[oö]nderildi)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"disclaimer|confidentiality notice|this (?:e-?mail|message|communication)\b[^\n]{0,80}?\b(?:is"
    r"|are"
    r"|may be|contains?)\b[^\n]{0,30}?(?:confidential|privileged|intended)|intended (?:solely |only"
    r" )?for"
    r" the (?:use of the )?(?:addressee|recipient|individual)|if you (?:are not the intended|have"
    r" received"
    r" this)|(?:deze|dit) (?:e-?mail|bericht|mail)\b[^\n]{0,80}?(?:vertrouwelijk|uitsluitend"
    r" bestemd"
    r"|enkel bestemd)|indien u (?:niet de|dit bericht)|(?:ce|le present) (?:message|courriel"
    r"|e-?mail)\b"
    r"[^\n]{0,80}?(?:confidentiel|destine exclusivement|strictement)|si vous (?:n'etes pas|avez"
    r" recu ce"
    r" message)|diese (?:e-?mail|nachricht)\b[^\n]{0,60}?vertraulich|consider the environment"
    r" before"
    r" printing|denk aan het milieu|pensez a l'environnement|aviso legal|este (?:mensaje"
    r"|correo)\b[^\n]"
    r"{0,60}?confidencial",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw|tr|wg|doorst|rv|enc|pd|i̇lt|ilt|ilet|пересл|πρθ)\s*:",
    re.IGNORECASE,
)
_FORWARDED_HEADER = re.compile(
    r"^\s*\*?(?:from|van|de|von|date|datum|sent|verzonden|envoy[eé]|to|aan|[aà]|cc|subject"
    r"|onderwerp"
    r"|objet|betreff|asunto|от|від|тема|дата|кому)\s*\*?\s*:\s?",
    re.IGNORECASE,
)


def split(text: str, subject: str = "") -> CitizenText:
    """The writer's own text, forwarded content and quoted replies of one message text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut, kind = _first_boundary(lines)
    stripped: list[str] = []
    if kind == "header" or kind == "rule":
        kind = "forward" if _FORWARD_SUBJECT.match(subject) else "quote"
    own_lines = [line for line in lines[:cut] if not line.lstrip().startswith(">")]
    if len(own_lines) < cut:
        stripped.append("quoted lines ('>')")
    rest = "\n".join(lines[cut:]).strip()
    forwarded = quoted = ""
    if rest:
        what = "forwarded" if kind == "forward" else "quoted"
        stripped.append(f"{what} text after {lines[cut].strip()[:40]!r}")
        if kind == "forward":
            forwarded = _clean_forward(lines[cut + 1 :])
        else:
            quoted = rest
    own = _strip_signature("\n".join(own_lines), stripped)
    own = _strip_disclaimers(own, stripped)
    return CitizenText(own.strip(), forwarded, quoted, tuple(stripped))


def _first_boundary(lines: list[str]) -> tuple[int, str]:
    """Index of the first line of forwarded or quoted content, and its kind."""
    for i, line in enumerate(lines):
        if not line.strip() or len(line) > 200:
            continue
        if _FORWARD_MARKER.match(line):
            return i, "forward"
        if _REPLY_MARKER.match(line) or _BOUNCE_COPY.match(line):
            return i, "quote"
        if _is_attribution(line, lines[i + 1] if i + 1 < len(lines) else ""):
            return i, "quote"
        if _OUTLOOK_RULE.match(line) and any(_HEADER_FROM.match(x) for x in lines[i + 1 : i + 3]):
            return i, "rule"
        if _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(x) for x in lines[i + 1 : i + 6]):
            return i, "header"
    return len(lines), "none"


def _is_attribution(line: str, following: str) -> bool:
    """ "On 3 May 2025, X <x@y> wrote:", possibly wrapped over two lines."""
    end = line.rstrip()[-1:]
    if end not in _ATTRIBUTION_ENDS and not following.rstrip().endswith(":"):
        return False
    if _ATTRIBUTION.search(line):
        return bool(_DATE_OR_ADDRESS.search(line))
    low = line.strip().lower()
    if following and low.startswith(("on ", "op ", "le ", "am ", "el ", "em ", "il ", "w dniu")):
        joined = f"{line} {following}"
        return bool(_ATTRIBUTION.search(joined) and _DATE_OR_ADDRESS.search(joined))
    return False


def _clean_forward(lines: list[str]) -> str:
    """Forwarded content without its header lines (the subject's words stay) and quotes."""
    out: list[str] = []
    in_headers = True
    for line in lines:
        if in_headers:
            if not line.strip():
                if out:
                    in_headers = False
                continue
            found = _FORWARDED_HEADER.match(line)
            if found:
                name = line[found.start() :].lower().lstrip("* ")
                if name.startswith(_SUBJECT_NAMES):
                    out.append(line[found.end() :])
                continue
            in_headers = False
        if not line.lstrip().startswith(">"):
            out.append(line)
    inner = split("\n".join(out))
    return inner.own


def _strip_signature(text: str, stripped: list[str]) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i and _SIGNATURE.match(line):
            stripped.append(f"signature from {line.strip()[:40]!r}")
            return "\n".join(lines[:i])
    return text


_DISCLAIMER_HINTS = (
    "disclaimer", "confiden", "intended", "bestemd", "vertrouwelijk", "destine", "vertraulich",
    "environment", "milieu", "environnement", "aviso legal", "received this", "recu ce",
)


def _strip_disclaimers(text: str, stripped: list[str]) -> str:
    if not text:
        return text
    folded = fold(text)
    if not any(h in folded for h in _DISCLAIMER_HINTS) or not _DISCLAIMER.search(folded):
        return text
    paragraphs = re.split(r"\n\s*\n", text)
    kept: list[str] = []
    for i, para in enumerate(paragraphs):
        if i and _DISCLAIMER.search(fold(para)):
            stripped.append(f"disclaimer {para.strip()[:40]!r}")
            if i >= len(paragraphs) * 0.4:
                break
            continue
        kept.append(para)
    return "\n\n".join(kept)
