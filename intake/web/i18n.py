"""The interface in Dutch and English: one catalogue, picked per user or per browser."""

from __future__ import annotations

from intake.intents import Intent
from intake.statuses import TicketStatus

UI_LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

# key -> (Dutch, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    "app.title": ("Intake — Dienst Migratie", "Intake — Migration service"),
    "nav.tickets": ("Tickets", "Tickets"),
    "nav.dashboard": ("Overzicht", "Dashboard"),
    "nav.users": ("Gebruikers", "Users"),
    "nav.logout": ("Afmelden", "Log out"),
    "nav.skip": ("Naar de inhoud", "Skip to content"),
    "nav.language": ("Taal", "Language"),
    "login.title": ("Aanmelden", "Log in"),
    "login.username": ("Gebruikersnaam", "Username"),
    "login.password": ("Wachtwoord", "Password"),
    "login.submit": ("Aanmelden", "Log in"),
    "login.failed": ("Gebruikersnaam of wachtwoord klopt niet.", "Wrong username or password."),
    "login.locked": (
        "Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw.",
        "Too many failed attempts. Try again in {minutes} minutes.",
    ),
    "login.expired": (
        "Uw sessie is verlopen. Meld u opnieuw aan.",
        "Your session has expired. Please log in again.",
    ),
    "login.insecure": (
        "Deze server vraagt HTTPS (beveiligde cookies); aanmelden over http werkt niet.",
        "This server requires HTTPS (secure cookies); logging in over http does not work.",
    ),
    "logout.done": ("U bent afgemeld.", "You have logged out."),
    "error.forbidden": (
        "U hebt geen toegang tot deze pagina.",
        "You do not have access to this page.",
    ),
    "error.not_found": ("Niet gevonden.", "Not found."),
    "error.csrf": (
        "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw.",
        "The form has expired or is invalid. Reload the page.",
    ),
    "error.server": (
        "Er ging iets mis. Probeer het opnieuw.",
        "Something went wrong. Please try again.",
    ),
    "error.title": ("Fout", "Error"),
    "error.back": ("Terug naar de tickets", "Back to the tickets"),
    "queues.title": ("Wachtrijen", "Queues"),
    "queues.all": ("Alle wachtrijen", "All queues"),
    "queues.waiting": ("wachtend", "waiting"),
    "queues.open": ("open", "open"),
    "list.title": ("Tickets", "Tickets"),
    "list.search": ("Zoeken", "Search"),
    "list.search_hint": (
        "Referentie, e-mailadres, naam of tekst",
        "Reference, e-mail address, name or text",
    ),
    "list.filter": ("Filteren", "Filter"),
    "list.reset": ("Wissen", "Clear"),
    "list.queue": ("Wachtrij", "Queue"),
    "list.status": ("Status", "Status"),
    "list.language": ("Taal", "Language"),
    "list.any": ("Alle", "Any"),
    "list.waiting_team": ("Wacht op ons (nieuw, open)", "Waiting for us (new, open)"),
    "list.all_open": ("Alle openstaande", "All not closed"),
    "list.mine": ("Aan mij toegewezen", "Assigned to me"),
    "list.unassigned": ("Niet toegewezen", "Unassigned"),
    "list.documents": ("Wacht op documenten", "Waiting for documents"),
    "list.flagged": ("Gemarkeerd voor een mens", "Flagged for a human"),
    "list.empty": ("Geen tickets gevonden.", "No tickets found."),
    "list.next": ("Volgende", "Next"),
    "list.first": ("Eerste pagina", "First page"),
    "list.keys": (
        "Toetsen: j/k volgende/vorige, Enter openen, / zoeken",
        "Keys: j/k next/previous, Enter open, / search",
    ),
    "col.reference": ("Referentie", "Reference"),
    "col.received": ("Ontvangen", "Received"),
    "col.age": ("Wacht", "Waiting"),
    "col.from": ("Van", "From"),
    "col.subject": ("Onderwerp", "Subject"),
    "col.intent": ("Vraag", "Intent"),
    "col.queue": ("Wachtrij", "Queue"),
    "col.status": ("Status", "Status"),
    "col.assigned": ("Toegewezen aan", "Assigned to"),
    "col.language": ("Taal", "Language"),
    "ticket.flagged": ("Gemarkeerd", "Flagged"),
    "ticket.unflag": ("Markering wegnemen", "Clear flag"),
    "ticket.thread": ("Berichten", "Messages"),
    "ticket.from_citizen": ("Van de burger", "From the citizen"),
    "ticket.from_us": ("Ons antwoord", "Our reply"),
    "ticket.note": ("Interne notitie", "Internal note"),
    "ticket.attachments": ("Bijlagen", "Attachments"),
    "ticket.download": ("downloaden", "download"),
    "ticket.classification": ("Classificatie", "Classification"),
    "ticket.confidence": ("Zekerheid", "Confidence"),
    "ticket.evidence": ("Waarom", "Evidence"),
    "ticket.details": ("Gegevens", "Details"),
    "ticket.contact": ("Burger", "Citizen"),
    "ticket.undeliverable": (
        "E-mail komt niet aan sinds {since}",
        "Mail undeliverable since {since}",
    ),
    "ticket.merged_into": ("Samengevoegd met {reference}", "Merged into {reference}"),
    "ticket.claim": ("Neem ik", "Claim"),
    "ticket.assign": ("Toewijzen", "Assign"),
    "ticket.nobody": ("Niemand", "Nobody"),
    "ticket.change_intent": ("Vraag wijzigen", "Change intent"),
    "ticket.change_intent_hint": (
        "Verplaatst het ticket naar de wachtrij van die vraag.",
        "Moves the ticket to that intent's queue.",
    ),
    "ticket.set_status": ("Status wijzigen", "Set status"),
    "ticket.reply": ("Antwoorden", "Reply"),
    "ticket.reply_hint": (
        "Voorbeeldtekst in de taal van de burger; pas aan voor u verstuurt.",
        "Template in the citizen's language; edit it before sending.",
    ),
    "ticket.send": ("Versturen", "Send"),
    "ticket.then_status": ("Daarna status", "Then set status"),
    "ticket.documents": ("Documenten vragen", "Ask for documents"),
    "ticket.documents_hint": (
        "Zet het ticket op ‘wacht op documenten’.",
        "Sets the ticket to ‘waiting for documents’.",
    ),
    "ticket.add_note": ("Notitie toevoegen", "Add note"),
    "ticket.merge": ("Samenvoegen", "Merge"),
    "ticket.merge_hint": (
        "Referentie van het ticket van dezelfde zaak; dit ticket gaat erin op en wordt gesloten.",
        "Reference of the ticket about the same case; this ticket joins it and is closed.",
    ),
    "ticket.history": ("Geschiedenis", "History"),
    "ticket.no_contact": ("Geen adres om te antwoorden.", "No address to reply to."),
    "ticket.remote_blocked": ("externe afbeelding geblokkeerd", "remote image blocked"),
    "ticket.inline_image": ("afbeelding in bijlage", "image in attachments"),
    "ticket.to": ("Aan", "To"),
    "ticket.html_part": ("opgemaakte versie", "formatted version"),
    "ticket.text_part": ("tekstversie", "text version"),
    "thread.ack": ("Automatische ontvangstbevestiging", "Automatic acknowledgement"),
    "thread.added": ("Automatisch: toegevoegd aan dossier", "Automatic: added to the file"),
    "thread.agent_reply": ("Ons antwoord", "Our reply"),
    "thread.documents_request": ("Vraag om documenten", "Request for documents"),
    "delivery.pending": ("wacht op verzending", "waiting to be sent"),
    "delivery.sent": ("verzonden", "sent"),
    "delivery.failed": ("niet verzonden", "not sent"),
    "delivery.suppressed": ("niet verstuurd", "suppressed"),
    "flash.claimed": ("U hebt het ticket genomen.", "You claimed the ticket."),
    "flash.assigned": ("Toegewezen.", "Assigned."),
    "flash.intent": (
        "Vraag gewijzigd; het ticket staat nu in {queue}.",
        "Intent changed; the ticket is now in {queue}.",
    ),
    "flash.status": ("Status gewijzigd.", "Status changed."),
    "flash.note": ("Notitie toegevoegd.", "Note added."),
    "flash.sent": ("Antwoord verstuurd.", "Reply sent."),
    "flash.queued": (
        "Antwoord klaargezet; het wordt verstuurd zodra de mailserver bereikbaar is.",
        "Reply queued; it goes out as soon as the mail server can be reached.",
    ),
    "flash.merged": ("Samengevoegd met {reference}.", "Merged into {reference}."),
    "flash.unflagged": ("Markering weggenomen.", "Flag cleared."),
    "flash.empty": ("Lege tekst: niets verstuurd.", "Empty text: nothing sent."),
    "flash.merge_unknown": (
        "Geen ander ticket met referentie {reference}.",
        "No other ticket with reference {reference}.",
    ),
    "flash.no_contact": (
        "Dit ticket heeft geen adres om te antwoorden.",
        "This ticket has no address to reply to.",
    ),
    "flash.undeliverable": (
        "Mail naar dit adres komt niet aan (bounce); neem op een andere manier contact op.",
        "Mail to this address bounces; reach the person another way.",
    ),
    "flash.invalid": ("Ongeldige keuze.", "Invalid choice."),
    "dash.title": ("Overzicht van de achterstand", "Backlog dashboard"),
    "dash.backlog": ("Achterstand per wachtrij", "Backlog per queue"),
    "dash.backlog_intent": ("Achterstand per vraag", "Backlog per intent"),
    "dash.total": ("Totaal", "Total"),
    "dash.waiting": ("Wacht op ons", "Waiting for us"),
    "dash.open": ("Openstaand", "Not closed"),
    "dash.ages": ("Leeftijd van wachtende tickets", "Age of waiting tickets"),
    "dash.flow": ("Instroom en uitstroom per dag", "Inflow and outflow per day"),
    "dash.table": ("Dezelfde cijfers als tabel", "The same figures as a table"),
    "dash.day": ("Dag", "Day"),
    "dash.inflow": ("Nieuw", "In"),
    "dash.outflow": ("Gesloten", "Out"),
    "dash.median": (
        "Mediane tijd tot eerste menselijk antwoord",
        "Median time to first human answer",
    ),
    "dash.median_sub": (
        "tickets beantwoord in de laatste {days} dagen: {count}",
        "tickets answered in the last {days} days: {count}",
    ),
    "dash.oldest": ("Oudste wachtende tickets", "Oldest waiting tickets"),
    "dash.workload": ("Werklast per medewerker", "Workload per agent"),
    "dash.assigned_open": ("Toegewezen, open", "Assigned, open"),
    "dash.replies_7d": ("Antwoorden (7 dagen)", "Replies (7 days)"),
    "dash.unprocessed": ("Oudste nog niet verwerkte e-mail", "Oldest message not yet processed"),
    "dash.unprocessed_none": ("Alles verwerkt", "Everything processed"),
    "dash.unprocessed_count": ("{count} wachten op verwerking", "{count} waiting to be processed"),
    "dash.repeat": (
        "Burgers die meer dan eens schreven over één zaak",
        "Citizens who wrote more than once about one case",
    ),
    "dash.repeat_sub": (
        "schreven twee keer of meer in de laatste {days} dagen ({total} nieuwe zaken)",
        "wrote twice or more in the last {days} days ({total} new cases)",
    ),
    "dash.export": ("CSV-export", "CSV export"),
    "dash.export_from": ("Van", "From"),
    "dash.export_to": ("Tot en met", "To"),
    "dash.export_submit": ("Downloaden", "Download"),
    "dash.none": ("geen", "none"),
    "dash.chart_label": (
        "Grafiek: tickets per dag binnengekomen en gesloten, laatste {days} dagen",
        "Chart: tickets opened and closed per day, last {days} days",
    ),
    "users.title": ("Gebruikers", "Users"),
    "users.add": ("Gebruiker toevoegen", "Add user"),
    "users.username": ("Gebruikersnaam", "Username"),
    "users.display_name": ("Naam", "Name"),
    "users.role": ("Rol", "Role"),
    "users.language": ("Taal", "Language"),
    "users.active": ("Actief", "Active"),
    "users.disable": ("Uitschakelen", "Disable"),
    "users.enable": ("Inschakelen", "Enable"),
    "users.reset": ("Nieuw wachtwoord", "Reset password"),
    "users.yes": ("ja", "yes"),
    "users.no": ("nee", "no"),
    "users.created": (
        "Gebruiker {username} aangemaakt. Eenmalig wachtwoord: {password}",
        "User {username} created. One-time password: {password}",
    ),
    "users.reset_done": (
        "Nieuw wachtwoord voor {username}: {password}",
        "New password for {username}: {password}",
    ),
    "users.changed": ("Gebruiker {username} bijgewerkt.", "User {username} updated."),
    "role.agent": ("medewerker", "agent"),
    "role.manager": ("leidinggevende", "manager"),
    "role.admin": ("beheerder", "admin"),
    "event.viewed": ("bekeken", "viewed"),
    "age.days": ("{n} d", "{n} d"),
    "age.hours": ("{n} u", "{n} h"),
    "age.minutes": ("{n} min", "{n} min"),
    "bucket.lt1d": ("< 1 dag", "< 1 day"),
    "bucket.1to3d": ("1–3 dagen", "1–3 days"),
    "bucket.3to7d": ("3–7 dagen", "3–7 days"),
    "bucket.7to14d": ("1–2 weken", "1–2 weeks"),
    "bucket.14to30d": ("2–4 weken", "2–4 weeks"),
    "bucket.gt30d": ("> 30 dagen", "> 30 days"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    TicketStatus.NEW: ("Nieuw", "New"),
    TicketStatus.OPEN: ("Open", "Open"),
    TicketStatus.WAITING_FOR_CITIZEN: ("Wacht op burger", "Waiting for citizen"),
    TicketStatus.WAITING_FOR_DOCUMENTS: ("Wacht op documenten", "Waiting for documents"),
    TicketStatus.RESOLVED: ("Opgelost", "Resolved"),
    TicketStatus.CLOSED: ("Gesloten", "Closed"),
}

INTENT_LABELS: dict[str, tuple[str, str]] = {
    Intent.FPLUS_CARD: ("F+ kaart", "F+ card"),
    Intent.KL_CARD_SWITCH: ("Omzetting K/L-kaart", "K/L card switch"),
    Intent.REFUGEE_DATA_UPDATE: ("Gegevens erkende vluchteling", "Refugee data update"),
    Intent.CARD_RENEWAL: ("Verblijfskaart vernieuwen", "Card renewal"),
    Intent.CARD_LOST: ("Kaart verloren of gestolen", "Card lost or stolen"),
    Intent.CARD_CHIP_DEFECT: ("Chip defect", "Chip defect"),
    Intent.CHILD_CARD: ("Kaart voor een kind", "Child's card"),
    Intent.EU_PLUS_CARD: ("EU+ kaart", "EU+ card"),
    Intent.ANNEX35_EXTENSION: ("Bijlage 35 verlengen", "Annex 35 extension"),
    Intent.CARD_DATA_CHANGE: ("Gegevens op kaart wijzigen", "Card data change"),
    Intent.CARD_COLLECTION: ("Kaart afhalen", "Card collection"),
    Intent.GUARANTOR: ("Borgstelling", "Guarantor"),
    Intent.ORANGE_CARD: ("Oranje kaart", "Orange card"),
    Intent.REFUGEE_RESIDENCE_CARD: ("Verblijfskaart erkende vluchteling", "Refugee residence card"),
    Intent.ADDITIONAL_DOCUMENTS: ("Bijkomende documenten", "Additional documents"),
    Intent.UKRAINE_PROTECTION: ("Tijdelijke bescherming Oekraïne", "Ukraine temporary protection"),
    Intent.REGISTRATION: ("Inschrijving", "Registration"),
    Intent.STATUS_FOLLOWUP: ("Opvolging dossier", "Status follow-up"),
    Intent.GENERAL_QUESTION: ("Algemene vraag", "General question"),
    Intent.AUTO_REPLY: ("Automatisch antwoord", "Auto-reply"),
    Intent.BOUNCE: ("Onbestelbaar", "Bounce"),
    Intent.SPAM: ("Spam", "Spam"),
}

QUEUE_LABELS: dict[str, tuple[str, str]] = {
    "kaarten-email": ("Kaarten per e-mail", "Cards by e-mail"),
    "erkende-vluchtelingen": ("Erkende vluchtelingen", "Recognised refugees"),
    "afspraken-kaarten": ("Afspraken kaarten", "Card appointments"),
    "afspraken-verblijf": ("Afspraken verblijf", "Residence appointments"),
    "kaart-afhalen": ("Kaart afhalen", "Card collection"),
    "internationale-bescherming": ("Internationale bescherming", "International protection"),
    "tijdelijke-bescherming": ("Tijdelijke bescherming", "Temporary protection"),
    "inschrijvingen": ("Inschrijvingen", "Registrations"),
    "opvolging": ("Opvolging", "Follow-up"),
    "triage": ("Triage", "Triage"),
    "automatisch": ("Automatisch", "Automatic"),
}


class Translator:
    """Strings, statuses, intents and queue names in one interface language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in UI_LANGUAGES else DEFAULT_LANGUAGE
        self._index = UI_LANGUAGES.index(self.language)

    def __call__(self, key: str, **values: object) -> str:
        entry = CATALOGUE.get(key)
        text = entry[self._index] if entry else key
        return text.format(**values) if values else text

    def status(self, status: str) -> str:
        return self._label(STATUS_LABELS, status)

    def intent(self, intent: str) -> str:
        return self._label(INTENT_LABELS, intent)

    def queue(self, queue: str) -> str:
        return self._label(QUEUE_LABELS, queue)

    def _label(self, table: dict[str, tuple[str, str]], key: str) -> str:
        entry = table.get(key)
        return entry[self._index] if entry else key


def from_accept_language(header: str | None) -> str:
    """The first interface language the browser asks for, Dutch when none matches."""
    for part in (header or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in UI_LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
