"""Spam and phishing, recognised by their content as much as by their headers.

Credential phishing, advance-fee fraud, prizes, fake residence or visa offers that use
procedure words as bait, and bulk advertising each have a weighted phrase list. Bulk
headers (List-Unsubscribe, Precedence: bulk) count too, since a citizen's own mail never
carries them. Only the writer's own words are scored: a citizen who forwards a
scam to ask "is this real?" is answered.
"""

from __future__ import annotations

from intake.classifiers.fold import fold
from intake.classifiers.phrases import phrases
from intake.classifiers.reading import Reading
from intake.classifiers.verdict import Evidence, Verdict
from intake.intents import Intent

THRESHOLD = 4.0
_SPOOFED_NAMES = (
    "stad gent", "microsoft", "office 365", "outlook", "it service", "servicedesk", "service desk",
    "helpdesk", "help desk", "administrator", "webmaster", "mail admin", "security team",
    "support team", "it support", "it-support", "it department", "postmaster", "bpost", "post nl",
)

PHISHING = phrases(
    "phishing",
    (3, (
        (r"(?:verify|validate|confirm|re-?activate|update) (?:your )?(?:account|mailbox|e-?mail"
         r"|identity|password"
         r"|credentials|login)"),
        (r"(?:mailbox|account|e-?mail) (?:will be |has been |is )?(?:deactivated|suspended"
         r"|closed|terminated|disabled|blocked|deleted)"),
        r"(?:storage|quota|mailbox) (?:limit )?(?:exceeded|is full)",
        r"exceeded (?:its|your) (?:storage|quota)", r"password (?:will )?expires?",
        r"unusual (?:sign-?in|login) activity",
        r"(?:incoming )?messages (?:are|were) (?:on hold|pending)", r"pending messages",
        r"login credentials",
        r"validate mailbox", r"(?:mailbox|account) (?:verification|validation)",
        (r"uw (?:mailbox|account|e-?mailaccount) (?:wordt|zal worden) (?:gedeactiveerd|geblokkeerd"
        r"|verwijderd)"),
        r"bevestig uw (?:account|identiteit|wachtwoord|e-?mailadres)",
        r"verifieer uw (?:account|identiteit)",
        r"valid(?:er|ez) votre (?:compte|bo[iî]te)",
        (r"votre (?:compte|bo[iî]te[^\n]{0,20}) (?:sera|va [eê]tre)"
         r" (?:d[eé]sactiv[eé]|suspendu|ferm[eé]|bloqu[eé])"),
        r"best[aä]tigen sie ihr (?:konto|passwort)",
    )),
    (1.5, (r"click (?:here|below|the link|the button) to", r"klik (?:hier|op de knop) om",
           r"cliquez ici pour",
           r"keep (?:your )?(?:current )?password", r"(?:log|sign)(?:ging)? ?in below",
           r"confirm your (?:address|details) and pay",
           r"(?:payer|pay|betaal|betalen) (?:les |the )?(?:frais|fee|kosten)", r"en cliquant ici",
           r"without further notice", r"zonder verdere kennisgeving", r"sans autre pr[eé]avis",
           r"mandatory (?:service )?communication", r"account notification", r"within 24 hours",
           r"binnen 24 uur", r"dans les 24 heures")),
)
FRAUD = phrases(
    "advance-fee fraud or prize",
    (3, (
        r"next of kin", r"(?:sole |the )?beneficiary", r"inheritance",
        r"million (?:us )?(?:dollars|euros|usd|eur)",
        r"(?:usd|us\$|\$|€|eur|gbp|£) ?\d{1,3}(?:[.,]\d{3}){2,}",
        r"\d{1,3}(?:[.,]\d{3}){2,} ?(?:usd|eur|euros?|dollars)",
        r"transfer (?:of )?(?:the )?(?:funds|sum|money)", r"barrister",
        r"diplomat(?:ic)? (?:agent|courier)",
        r"consignment box", r"compensation (?:fund|payment)", r"atm (?:card|visa card)",
        r"western union",
        r"moneygram",
        r"(?:lottery|lotto|sweepstakes?|jackpot|award) (?:winner|won|draw|claim|promotion)",
        r"you (?:have )?(?:been )?(?:won|selected as (?:a |the )?winner)",
        r"claim your (?:prize|winnings|fund|reward)",
        r"business proposal", r"strictly confidential", r"dear (?:friend|beneficiary|winner)",
        r"late (?:mr|mrs|husband|client|father)", r"foreign (?:partner|account)",
        r"bank account details",
        r"u heeft (?:een prijs )?gewonnen", r"vous avez gagn[eé]", r"usted ha ganado",
        r"has ganado",
        r"(?:gift card|giftcard|cadeaubon|iphone) (?:winner|gewonnen|gagn[eé])",
        r"crypto ?(?:investment|trading)",
        r"bitcoin (?:investment|profit)", r"guaranteed (?:profit|return)",
        (r"(?:receive|transfer|move|release) (?:of )?(?:the |these |this )?(?:funds|sum|money"
        r"|inheritance)"),
        r"trustworthy (?:partner|person|foreigner)", r"(?:oil|finance|petroleum) minister",
        r"widow of",
        r"security (?:company|vault) in", r"your (?:email|e-mail) (?:address )?(?:has )?won",
    )),
    (1.5, (r"congratulations", r"gefeliciteerd", r"f[eé]licitations", r"felicidades", r"god bless",
           r"urgent(?:ly)? (?:reply|response)", r"reply urgently", r"percentage", r"deceased",
           r"overleden",
           r"d[eé]c[eé]d[eé]", r"million dollars", r"millions? of (?:dollars|euros)")),
)
# Residence and visa offers: the procedure's own words, sold with a guarantee and a price.
FAKE_PERMIT = phrases(
    "fake residence or visa offer",
    (3, (
        (r"(?:guarantee[ds]?|gegarandeerd\w*|garanti[est]?|garantie|garantizad[oa]s?|garantid[oa]s?"
         r"|gwarantowan\w*"
         r"|гарантирова\w*|гарантова\w*|garantili|مضمون\w*|مضمونه)[^\n]{0,60}(?:residence|permit"
         r"|visas?|visum"
         r"|s[eé]jour|residencia|pobyt\w*|вид на жительство|посвідк\w*|card|carte|kaart|tarjeta"
         r"|karta|карт\w*|اقامه"
         r"|vize|oturum|verblijf\w*|green card|citizenship|nationalit\w*|passport|paspoort"
         r"|passeport)"),
        (r"(?:residence|permit|visas?|visum|s[eé]jour|residencia|verblijf\w*|green card|citizenship"
         r"|passport|carte"
         r"|kaart|tarjeta)[^\n]{0,40}(?:guarantee[ds]?|gegarandeerd|garanti[est]?|garantizad[oa])"),
        (r"(?:investor|investment|investisseur|investeerder\w*|golden|inversor)\w* ?(?:program\w*"
        r"|visa)"),
        r"taux de r[eé]ussite", r"success rate", r"slaagkans", r"tasa de [eé]xito",
        r"(?:100|99) ?%[^\n]{0,20}(?:success|r[eé]ussite|succes|slaag|garant|[eé]xito)",
        r"(?:payment|paiement|betaling|pago|p[lł]atno[sś][cć])[^\n]{0,30}(?:crypto|bitcoin|usdt)",
        r"(?:aucun|no|geen|sin|bez) (?:test de langue|language test|taaltest|examen de idioma)",
        (r"(?:sans|without|zonder|sin) (?:attente ni rendez-vous|waiting or appointment|wachten of"
        r" afspraak)"),
        r"visa sponsorship", r"work permit in \d+ days", r"in \d+ (?:working )?days guaranteed",
        r"en \d+ jours ouvrables", r"binnen \d+ (?:werk)?dagen gegarandeerd",
    )),
    (1.5, (r"dossier trait[eé] en priorit[eé]", r"fast[- ]track", r"priority processing",
           r"offre limit[eé]e",
           r"limited offer", r"beperkt aanbod", r"oferta limitada", r"places? limit[eé]es?",
           r"limited places",
           (r"(?:r[eé]pondez|reply|antwoord|responda)[^\n]{0,40}(?:whatsapp|num[eé]ro|phone number"
           r"|telefoonnummer)"),
           r"un conseiller vous rappellera", r"an advisor will call", r"cabinet partenaire",
           r"partner (?:agency|firm)")),
)
ADVERTISING = phrases(
    "advertising",
    (2, (
        r"unsubscribe", r"uitschrijven", r"se d[eé](?:sabonner|sinscrire)", r"d[eé]sinscription",
        r"darse de baja",
        r"abmelden", r"view (?:this (?:e-?mail|message) )?in (?:your )?browser",
        r"bekijk (?:deze e-?mail )?in (?:je|uw) browser",
        r"(?:you are )?receiv(?:e|ing) this (?:e-?mail|message) because",
        r"u ontvangt deze e-?mail omdat",
        r"vous recevez ce (?:message|mail|courriel)", r"pour ne plus recevoir", r"r[eé]pondez stop",
        r"reply stop",
        r"opt[- ]out",
    )),
    (1.5, (
        r"newsletter", r"nieuwsbrief",
        (r"(?:gratis|free|gratuit|gratuite)[^\n]{0,30}(?:scan|trial|offer|quote|audit"
         r"|consultation|website|seo|offerte|proefperiode|essai|devis)"),
        r"\bseo\b", r"(?:groei|online )?marketing",
        r"\d+ ?% (?:korting|discount|r[eé]duction|off|descuento)", r"beste ondernemer",
        r"dear (?:business )?owner",
        r"cher entrepreneur", r"limited time", r"act now",
        r"(?:top|eerste pagina|first page)[^\n]{0,20}google",
        r"special offer", r"speciale aanbieding", r"offre sp[eé]ciale",
        r"(?:buy|koop|achetez) (?:now|nu|maintenant)",
        r"more (?:customers|clients|leads)", r"meer klanten", r"plus de clients",
    )),
)
_FAMILIES = (PHISHING, FRAUD, FAKE_PERMIT, ADVERTISING)


def detect(reading: Reading) -> Verdict | None:
    mail = reading.mail
    flag = (mail.header("x-spam-flag") or "").strip().lower()
    status = (mail.header("x-spam-status") or "").strip().lower()
    if flag == "yes" or status.startswith("yes"):
        marked = Evidence("header", "marked as spam by the mail server")
        return Verdict(Intent.SPAM, 0.95, (marked,))
    evidence: list[Evidence] = []
    total = 0.0
    precedence = (mail.header("precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        total += 4
        evidence.append(Evidence("header", f"Precedence: {precedence}"))
    for name in ("list-unsubscribe", "list-id"):
        if mail.header(name) is not None:
            total += 4
            evidence.append(Evidence("header", f"{name} (bulk or list mail)"))
            break
    text = "\n".join(f.folded[:5000] for f in reading.fields if f.name in ("subject", "own"))
    for family in _FAMILIES:
        points, found = family.score(text)
        if points:
            total += points
            evidence.extend(Evidence("text", f"{family.name}: '{p}'") for p in found[:3])
    spoof = _spoofed_sender(reading)
    if spoof and total:
        total += 2
        evidence.append(Evidence("header", spoof))
    if total < THRESHOLD:
        return None
    return Verdict(Intent.SPAM, min(0.98, 0.5 + 0.05 * total), tuple(evidence))


def _spoofed_sender(reading: Reading) -> str | None:
    """A display name that claims to be us or a mail provider, from somewhere else."""
    mail = reading.mail
    name = fold(mail.from_name)
    if mail.from_email.endswith("@" + reading.own_domain):
        return None
    for claimed in _SPOOFED_NAMES:
        if claimed in name:
            return f"display name '{mail.from_name}' from {mail.from_email}"
    return None
