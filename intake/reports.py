"""ParsedMail and classification results as plain JSON-ready data, for the CLI and tests."""

from __future__ import annotations

from intake.classifiers.verdict import Classification
from intake.handlers.plan import Plan
from intake.mail import Address, ParsedMail


def _address_line(addresses: tuple[Address, ...]) -> str:
    return ", ".join(f"{a.name} <{a.email}>" if a.name else a.email for a in addresses)


def parsed_as_dict(parsed: ParsedMail, file: str) -> dict[str, object]:
    return {
        "file": file,
        "from": _address_line((parsed.from_,)) if parsed.from_ else "",
        "from_email": parsed.from_email,
        "from_name": parsed.from_name,
        "to": _address_line(parsed.to),
        "subject": parsed.subject,
        "date": parsed.date.isoformat() if parsed.date else None,
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": list(parsed.references),
        "text": parsed.text,
        "html_present": parsed.html is not None,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
            for a in parsed.attachments
        ],
        "defects": list(parsed.defects),
    }


def classification_as_dict(verdict: Classification, plan: Plan, file: str) -> dict[str, object]:
    return {
        "file": file,
        "intent": verdict.intent.value,
        "confidence": round(verdict.confidence, 3),
        "language": verdict.language,
        "send_ack": plan.send_ack,
        "needs_appointment": plan.needs_appointment,
        "appointment_url": plan.appointment_url,
        "missing_documents": plan.missing_documents,
        "location": plan.location,
        "evidence": [str(e) for e in verdict.evidence],
    }
