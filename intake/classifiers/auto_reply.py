"""Auto-replies and out-of-office notices, by header (RFC 3834 and vendors') and by text.

Answering a robot starts a loop, so any automation header is enough. Text alone needs
more: an out-of-office subject, or several out-of-office phrases in the writer's own
words, and no request of the writer ("can I", "je voudrais") among them.
"""

from __future__ import annotations

import re

from intake.classifiers.fold import fold
from intake.classifiers.phrases import phrases
from intake.classifiers.reading import Reading
from intake.classifiers.verdict import Evidence, Verdict
from intake.intents import Intent

_NO = {"", "no", "false", "0", "none", "off"}
_ROBOT_SENDER = re.compile(
    r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|noreply-\w+|auto-?reply"
    r"|autoresponder"
    r"|bounces?|notifications?)(?:[+.-][^@]*)?@",
    re.IGNORECASE,
)
_LIST_HEADERS = (
    "list-id", "list-post", "list-help", "list-subscribe", "list-owner", "list-archive",
)
_NON_HUMAN_PARTS = {
    "message/feedback-report": "abuse feedback report (ARF)",
    "message/disposition-notification": "read receipt (MDN)",
}

# Phrases a person on leave, or a ticket system, puts in an automatic answer.
OUT_OF_OFFICE = phrases(
    "out-of-office",
    (3, (
        r"out of (?:the )?office", r"automatic (?:reply|response)", r"auto[- ]?reply",
        r"this is an automatic\w*",
        r"automatically generated",
        (r"i am (?:currently )?(?:away|out of the office|on (?:annual )?leave"
         r"|on (?:vacation|holiday)|on maternity leave)"), r"away from (?:the office|my desk)",
        r"(?:ik )?ben (?:momenteel |tijdelijk )?(?:afwezig|met verlof|op vakantie|niet op kantoor)",
        r"afwezig (?:tot|van|vanaf|t/m|tot en met)",
        r"automatisch (?:antwoord|bericht|gegenereerd)",
        r"met (?:moederschapsrust|zwangerschapsverlof|ouderschapsverlof|vakantie) tot",
        r"je suis (?:actuellement )?absente?", r"absente? du bureau",
        r"en cong[eé] (?:jusqu|du)\w*",
        r"r[eé]ponse automatique", r"message automatique",
        r"ich bin (?:bis|vom|derzeit|zurzeit|ab)\b.{0,40}(?:abwesend|nicht im b[uü]ro|im urlaub)",
        r"abwesenheitsnotiz", r"automatische antwort",
        r"estoy (?:de vacaciones|fuera de la oficina|ausente)", r"fuera de la oficina",
        r"respuesta autom[aá]tica",
        r"jestem (?:na urlopie|nieobecn\w*|poza biurem)", r"odpowied[zź] automatyczna",
        r"poza biurem",
        r"я (?:в отпуске|нахожусь в отпуске)", r"меня нет в офисе", r"автоматический ответ",
        r"автоответ",
        r"я (?:у|в) відпустці", r"перебуваю у відпустці", r"мене немає в офісі",
        r"автоматична відповідь",
        r"(?:انا )?في اجازه", r"خارج المكتب", r"رد (?:تلقائي|الي)", r"izindeyim", r"tatildeyim",
        r"ofis d[ıi]s[ıi]nday[ıi]m", r"otomatik (?:yan[ıi]t|cevap)", r"sunt (?:in concediu|plecat)",
        r"r[aă]spuns automat", r"estou de f[eé]rias", r"resposta autom[aá]tica", r"در مرخصی هستم",
    )),
    # What ticket systems and no-reply robots write; a citizen's own words never say this.
    (2, (
        r"your (?:request|ticket|message|e-?mail) has been (?:registered|received|logged)",
        r"we (?:have )?received your (?:request|message|e-?mail)",
        r"(?:please )?do not reply to this (?:message|e-?mail)",
        r"replies to this address are not monitored",
        r"this mailbox is not monitored",
        r"gelieve (?:niet te antwoorden|niet op deze e-?mail te antwoorden)",
        r"merci de ne pas r[eé]pondre", r"ne r[eé]pondez pas [aà] ce (?:message|courriel|mail)",
        r"por favor,? no responda", r"nie odpowiadaj\w*", r"не отвечайте на это",
        r"не відповідайте на цей",
    )),
    (1.5, (
        r"(?:limited|no|without) access to (?:my )?e-?mails?",
        r"sans acc[eè]s [aà] (?:mes|ses) (?:e-?mails|courriels|messagerie|mails)",
        r"geen toegang tot (?:mijn )?(?:e-?mail|mails)", r"lees mijn (?:e-?)?mails? (?:niet|pas)",
        r"(?:i )?will (?:be back|return) (?:on|after|in)",
        r"ben (?:terug|weer aanwezig|opnieuw bereikbaar) (?:op|vanaf)",
        r"(?:de retour|je serai de retour|je reviens) le",
        r"for urgent (?:matters|questions|issues|enquiries)",
        r"voor dringende (?:zaken|vragen)", r"pour toute (?:question |demande )?urgente?",
        r"en cas d'urgence",
        r"in dringenden f[aä]llen", r"en caso de urgencia", r"w pilnych sprawach",
        r"по срочным вопросам",
        r"з термінових питань", r"للامور العاجله", r"acil durumlarda",
        r"votre message ne sera pas transf[eé]r[eé]",
        r"uw (?:e-?mail|bericht) wordt niet doorgestuurd",
        r"your (?:e-?mail|message) will not be forwarded",
        r"(?:back|terug|retour) (?:in the office|op kantoor|au bureau)", r"vakantie tot",
        r"verlof tot",
        r"travelling from", r"limited access", r"for anything urgent",
        r"(?:if|when) (?:it is |it's )?urgent",
        r"(?:after|upon|on) my return", r"(?:na|bij) mijn terugkeer", r"(?:[aà]|d[eè]s) mon retour",
        r"nach meiner r[uü]ckkehr", r"a mi regreso", r"po moim powrocie", r"pour toute urgence",
        r"in geval van dringende", r"bij dringende", r"no urgent",
        r"dringende vragen",
        r"по возвращении", r"після повернення", r"عند عودتي", r"d[oö]n[uü][sş][uü]mde",
    )),
    (1, (
        r"thank you for your (?:e-?mail|message)", r"bedankt voor uw (?:e-?mail|bericht)",
        r"merci (?:pour|de) votre (?:message|e-?mail|courriel)",
        r"danke f[uü]r ihre (?:nachricht|e-?mail)",
        r"gracias por su (?:mensaje|correo)", r"dzi[eę]kuj[eę] za (?:wiadomo[sś][cć]|e-?mail)",
    )),
)
# A person asking us something: never part of an automatic answer.
_CITIZEN_ASKS = phrases(
    "a request of the writer",
    (1, (
        r"ik (?:wil|zou graag|wou)", r"(?:hoe )?(?:kan|moet|mag) ik", r"i (?:would like|want|need)",
        r"(?:how )?(?:can|do|should|must) i", r"je (?:voudrais|souhaite|veux)", r"(?:puis|dois)-je",
        r"est-ce que je", r"(?:quiero|quisiera|puedo|necesito|tengo que)", r"chcia[lł](?:a|)bym",
        r"czy (?:mog[eę]|musz[eę])", r"хочу", r"(?:могу|нужно|можно) ли", r"чи (?:можу|потрібно)",
        r"як мені",
        r"ار[يى]د", r"هل (?:يمكنني|يجب)", r"istiyorum", r"gerekiyor mu", r"a[sș] dori", r"gostaria",
        r"posso", r"preciso",
    )),
)
_OOO_SUBJECT = phrases(
    "out-of-office subject",
    (3, (
        r"out of (?:the )?office", r"automatic reply", r"auto[- ]?reply", r"autosvar",
        r"auto[- ]?response", r"automatisch antwoord",
        r"r[eé]ponse automatique", r"automatische antwort", r"abwesenheit\w*",
        r"respuesta autom[aá]tica",
        r"fuera de la oficina", r"odpowied[zź] automatyczna", r"poza biurem",
        r"автоматический ответ", r"автоответ",
        r"автоматична відповідь", r"رد تلقائي", r"رد الي", r"otomatik (?:yan[ıi]t|cevap)",
        r"r[aă]spuns automat",
        r"resposta autom[aá]tica", r"we received your request", r"ticket received",
    )),
    (1.5, (r"absen(?:ce|t|te)", r"afwezig\w*", r"ausente", r"ausencia", r"nieobecn\w*", r"vacation",
           r"vakantie",
           r"cong[eé]")),
)


def detect(reading: Reading) -> Verdict | None:
    mail = reading.mail
    evidence = _by_header(reading)
    if evidence:
        return Verdict(Intent.AUTO_REPLY, 0.99, evidence)
    for ctype, what in _NON_HUMAN_PARTS.items():
        if ctype in mail.content_types:
            return Verdict(Intent.AUTO_REPLY, 0.97, (Evidence("structure", what),))
    if _ROBOT_SENDER.match(mail.from_email):
        sender = Evidence("header", f"automatic sender {mail.from_email}")
        return Verdict(Intent.AUTO_REPLY, 0.9, (sender,))
    return _by_text(reading)


def _by_header(reading: Reading) -> tuple[Evidence, ...]:
    mail = reading.mail
    found = []
    auto = mail.header("auto-submitted")
    if auto is not None and auto.split(";")[0].strip().lower() not in _NO:
        found.append(Evidence("header", f"Auto-Submitted: {auto[:60]}"))
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress", "x-loop"):
        value = mail.header(name)
        if value is not None and value.strip().lower() not in _NO:
            found.append(Evidence("header", f"{name}: {value[:60]}"))
    # Mailing-list traffic (bulk mail with List-Unsubscribe is the spam detector's).
    if mail.header("list-unsubscribe") is None:
        for name in _LIST_HEADERS:
            if mail.header(name) is not None:
                found.append(Evidence("header", f"{name}: mailing-list mail"))
                break
    precedence = (mail.header("precedence") or "").strip().lower()
    if precedence in ("auto_reply", "auto-reply"):
        found.append(Evidence("header", f"Precedence: {precedence}"))
    return_path = mail.header("return-path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        found.append(Evidence("header", "empty Return-Path <>"))
    own = reading.own_domain
    if _ours(mail.message_id, own) or mail.from_email.endswith("@" + own):
        found.append(Evidence("header", f"sent from our own domain {reading.own_domain}: a loop"))
    return tuple(found)


def _ours(message_id: str | None, domain: str) -> bool:
    return bool(message_id) and message_id.lower().rstrip(">").endswith("@" + domain)  # type: ignore[union-attr]


def _by_text(reading: Reading) -> Verdict | None:
    subject_score, subject_found = _OOO_SUBJECT.score(fold(reading.mail.subject))
    own = reading.field("own")
    body_score, body_found = OUT_OF_OFFICE.score(own.folded[:2000]) if own else (0.0, [])
    asks = own is not None and bool(_CITIZEN_ASKS.scan(own.folded[:2000]))
    total = body_score + (subject_score if body_score or subject_score >= 3 else 0)
    # One phrase may be a citizen telling us about their holiday; an automatic answer says more.
    needed = (3 if subject_score >= 3 else 4.5) + (1.5 if asks else 0)
    if total < needed:
        return None
    confidence = min(0.95, 0.55 + 0.07 * total)
    evidence = tuple(Evidence("subject", f"out-of-office: '{p}'") for p in subject_found) + tuple(
        Evidence("text", f"out-of-office: '{p}'") for p in body_found[:4]
    )
    return Verdict(Intent.AUTO_REPLY, confidence, evidence)
