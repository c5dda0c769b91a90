"""A first classifier: header-based automatic-mail checks and subject/body keywords."""

from __future__ import annotations

import re

from intake.classifiers.verdict import Classification, Evidence
from intake.intents import Intent
from intake.mail import ParsedMail

_KEYWORDS: list[tuple[Intent, re.Pattern[str]]] = [
    (Intent.FPLUS_CARD, re.compile(r"\bf\s*\+|f[- ]?plus", re.I)),
    (Intent.KL_CARD_SWITCH, re.compile(r"\b[kl][- ]?(kaart|card|carte)\b", re.I)),
    (Intent.CARD_LOST, re.compile(r"verloren|gestolen|lost|stolen|perdu|vol[ée]e?", re.I)),
    (Intent.REFUGEE_DATA_UPDATE, re.compile(r"cgvs|cgrs|cgra", re.I)),
    (Intent.ANNEX35_EXTENSION, re.compile(r"(bijlage|annexe?|anex)\s*35", re.I)),
    (Intent.CARD_RENEWAL, re.compile(r"vervalt|verlopen|expire|renouvel|vernieuw", re.I)),
]
_CENTRES = ["Stadskantoor", "Gentbrugge", "Nieuw-Gent", "Sint-Amandsberg", "Wondelgem", "Drongen"]


def classify(parsed: ParsedMail) -> Classification:
    auto = parsed.header("auto-submitted")
    if (auto and auto.lower() != "no") or parsed.has_header("x-autoreply"):
        return Classification(Intent.AUTO_REPLY, 0.99, None, evidence=(Evidence("header", "Auto-Submitted"),))
    if "multipart/report" in parsed.content_types or parsed.from_email.startswith("mailer-daemon"):
        return Classification(Intent.BOUNCE, 0.99, None, evidence=(Evidence("structure", "multipart/report"),))
    haystack = f"{parsed.subject}\n{parsed.text}"
    location = next((c for c in _CENTRES if c.lower() in haystack.lower()), None)
    for intent, pattern in _KEYWORDS:
        found = pattern.search(haystack)
        if found:
            return Classification(intent, 0.6, "nl", location, evidence=(Evidence("keyword", found.group(0)),))
    return Classification(Intent.GENERAL_QUESTION, 0.3, "nl", location, needs_human=True)
