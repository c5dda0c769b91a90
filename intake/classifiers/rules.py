"""The intent rules: which concepts, found together, point to which intent, and how strongly.

Each rule names groups of concepts; every group needs one of its concepts present
("expire|renew card|residence_doc" = an expiry or renewal word and a card word). With
``near`` the groups must sit within that many words of each other in one field. A rule
``unless`` any of the listed concepts is present does not fire.

``PRECEDENCE`` then lets a specific case win over the generic one it contains: a child's
card that expired is ``child_card``, not ``card_renewal``; an Annex 35 that runs out is
``annex35_extension``.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.intents import Intent as I


@dataclass(frozen=True, slots=True)
class Rule:
    intent: I
    weight: float
    needs: tuple[frozenset[str], ...]
    unless: frozenset[str] = frozenset()
    near: int = 0

    @property
    def name(self) -> str:
        return " & ".join("|".join(sorted(g)) for g in self.needs)


def rule(intent: I, weight: float, needs: str, *, unless: str = "", near: int = 0) -> Rule:
    return Rule(
        intent,
        weight,
        tuple(frozenset(g.split("|")) for g in needs.split()),
        frozenset(unless.split()),
        near,
    )


CARD = "card|residence_doc"
HELD = "held_k|held_l|held_fplus|held_euplus|held_eplus|held_mplus"
CARD_KIND = f"card|residence_doc|card_a|card_b|card_e|card_f|card_k|card_l|card_eu|card_h|{HELD}"

RULES: tuple[Rule, ...] = (
    # Handled by e-mail.
    rule(I.FPLUS_CARD, 5, "card_fplus"),
    rule(I.KL_CARD_SWITCH, 4.5, "card_k|card_l"),
    rule(I.KL_CARD_SWITCH, 3, "longterm"),
    rule(I.KL_CARD_SWITCH, 3, "unlimited"),
    rule(I.KL_CARD_SWITCH, 1.5, f"unlimited|settlement {CARD_KIND}"),
    rule(
        I.REFUGEE_DATA_UPDATE,
        4,
        "cgrs|refugee|subsidiary|recognised data_field change|wrong|marriage|register_nat",
        near=25,
    ),
    rule(I.REFUGEE_DATA_UPDATE, 2.5, "cgrs data_field"),
    rule(I.REFUGEE_DATA_UPDATE, 1, "cgrs|refugee new_document|data_field"),
    rule(I.REFUGEE_DATA_UPDATE, 2, "cgrs|refugee|recognised marriage|change"),
    # Appointment cases about the card.
    rule(I.CARD_RENEWAL, 3, f"expire|renew {CARD_KIND}", near=12),
    rule(I.CARD_RENEWAL, 1, "expire"),
    rule(I.CARD_RENEWAL, 1, "renew"),
    rule(I.CARD_LOST, 3.5, f"lost|stolen|cannot_find {CARD_KIND}|wallet", near=12),
    rule(I.CARD_LOST, 1.5, "stolen"),
    rule(I.CARD_LOST, 1, "lost"),
    rule(I.CARD_LOST, 1.5, "police lost|stolen"),
    rule(I.CARD_CHIP_DEFECT, 4, "chip broken|reader|card|residence_doc"),
    rule(I.CARD_CHIP_DEFECT, 2.5, "reader broken"),
    rule(I.CARD_CHIP_DEFECT, 1.5, f"broken {CARD}", near=10),
    rule(I.CHILD_CARD, 5, "kids_id"),
    rule(I.CHILD_CARD, 2, f"child {CARD_KIND}", near=8),
    rule(I.CHILD_CARD, 2, f"child {CARD_KIND}", near=16),
    rule(I.CHILD_CARD, 1, "child expire|renew|apply|birth"),
    rule(I.CHILD_CARD, 1.5, f"child birth {CARD}|apply"),
    rule(I.EU_PLUS_CARD, 5, "card_euplus|card_eplus"),
    rule(I.EU_PLUS_CARD, 2, "permanent card_eu|card_e|eu_citizen", unless="card_fplus"),
    rule(
        I.EU_PLUS_CARD,
        2.5,
        f"permanent eu_nationality|eu_citizen {CARD}|apply",
        unless="spouse card_f card_fplus",
    ),
    rule(I.FPLUS_CARD, 2.5, "permanent spouse|card_f", unless="card_eu card_euplus card_eplus"),
    rule(I.ANNEX35_EXTENSION, 6, "annex_35"),
    rule(I.ANNEX35_EXTENSION, 1, "appeal annex_35|renew|expire"),
    rule(
        I.CARD_DATA_CHANGE,
        3,
        "data_field change|wrong|new_passport|marriage",
        near=15,
        unless="cgrs refugee subsidiary",
    ),
    rule(I.CARD_DATA_CHANGE, 1.5, "newcard|new_passport data_field", unless="cgrs refugee"),
    rule(I.CARD_DATA_CHANGE, 1, "register_nat change|wrong", unless="cgrs refugee"),
    rule(I.CARD_COLLECTION, 4, "pinpuk"),
    rule(I.CARD_COLLECTION, 3, f"collect {CARD}", near=10),
    rule(I.CARD_COLLECTION, 1, "collect"),
    rule(I.CARD_COLLECTION, 2, f"ready {CARD}", near=6),
    rule(I.CARD_COLLECTION, 2, "codes letter", near=6),
    rule(I.CARD_COLLECTION, 1, "service_centre collect|ready|pinpuk"),
    # Appointment cases about residence.
    rule(I.GUARANTOR, 5, "annex_3bis|annex_32", unless="student_self"),
    rule(I.GUARANTOR, 3, "guarantor"),
    rule(I.GUARANTOR, 1.5, "legalise guarantor|annex_3bis|annex_32|visit"),
    rule(I.GUARANTOR, 1.5, "legalise visit"),
    rule(I.ORANGE_CARD, 3.5, f"orange {CARD}", near=3, unless="recognised subsidiary"),
    rule(I.ORANGE_CARD, 1.5, f"orange {CARD}", near=3),
    rule(I.ORANGE_CARD, 1.5, "orange expire|renew|apply|asylum", unless="recognised subsidiary"),
    rule(I.ORANGE_CARD, 3, "immatriculation"),
    rule(I.ORANGE_CARD, 2, f"asylum {CARD}|renew|expire|apply", unless="recognised subsidiary"),
    rule(I.ORANGE_CARD, 2.5, "annex_26", unless="recognised subsidiary"),
    rule(I.REFUGEE_RESIDENCE_CARD, 3.5, f"recognised|subsidiary {CARD}|apply", unless="data_field"),
    rule(I.REFUGEE_RESIDENCE_CARD, 1.5, "refugee|subsidiary|cgrs recognised"),
    rule(I.REFUGEE_RESIDENCE_CARD, 1.5, "subsidiary"),
    rule(I.ADDITIONAL_DOCUMENTS, 5, "annex_19"),
    rule(I.ADDITIONAL_DOCUMENTS, 2.5, "hand_in documents|proof"),
    rule(I.ADDITIONAL_DOCUMENTS, 1, "hand_in"),
    rule(I.ADDITIONAL_DOCUMENTS, 1, "deadline_3m"),
    rule(I.UKRAINE_PROTECTION, 5, "temp_protection"),
    rule(I.UKRAINE_PROTECTION, 4, "annex_15"),
    rule(I.UKRAINE_PROTECTION, 2, "ukraine"),
    rule(I.UKRAINE_PROTECTION, 1, "ukraine card_a|renew|expire|asylum"),
    rule(
        I.REGISTRATION,
        3.5,
        "register_verb arrival|city_hall|lease|short_stay|annex_8|annex_3",
        unless="register_nat",
    ),
    rule(I.REGISTRATION, 2, "register_verb", unless="register_nat vote"),
    rule(I.REGISTRATION, 1.5, "arrival lease|city_hall|short_stay"),
    rule(I.REGISTRATION, 1, "short_stay|annex_8"),
    # Other.
    rule(I.STATUS_FOLLOWUP, 5, "followup"),
    rule(I.STATUS_FOLLOWUP, 1, "followup_weak"),
    rule(I.STATUS_FOLLOWUP, 3, "sent_before followup_weak", near=12),
    rule(I.GENERAL_QUESTION, 2.5, "travel"),
    # Travelling or working with a card is a question about that, not a request for the card.
    rule(
        I.GENERAL_QUESTION,
        3,
        f"travel|work_question {CARD}|orange|visit",
        unless="lost stolen expire renew collect broken pinpuk newcard data_field",
    ),
    rule(I.GENERAL_QUESTION, 2.5, "work_question"),
    rule(I.GENERAL_QUESTION, 3, "vote"),
    rule(I.GENERAL_QUESTION, 2, "advice"),
    rule(I.GENERAL_QUESTION, 2.5, "nationality"),
    rule(I.GENERAL_QUESTION, 1.5, "family_reunification"),
)

# (specific intent, its score at least, generic intent it contains, factor on the generic score)
PRECEDENCE: tuple[tuple[I, float, I, float], ...] = (
    (I.CHILD_CARD, 3.5, I.CARD_RENEWAL, 0.3),
    (I.CHILD_CARD, 3.5, I.REGISTRATION, 0.5),
    (I.ANNEX35_EXTENSION, 4, I.CARD_RENEWAL, 0.2),
    (I.ORANGE_CARD, 4, I.CARD_RENEWAL, 0.2),
    (I.UKRAINE_PROTECTION, 4, I.CARD_RENEWAL, 0.2),
    (I.UKRAINE_PROTECTION, 4, I.REGISTRATION, 0.3),
    (I.UKRAINE_PROTECTION, 4, I.CHILD_CARD, 0.5),
    (I.REFUGEE_RESIDENCE_CARD, 3, I.ORANGE_CARD, 0.3),
    (I.REFUGEE_DATA_UPDATE, 3, I.CARD_DATA_CHANGE, 0.3),
    (I.REFUGEE_DATA_UPDATE, 3, I.REFUGEE_RESIDENCE_CARD, 0.4),
    (I.FPLUS_CARD, 4, I.CARD_RENEWAL, 0.6),
    (I.EU_PLUS_CARD, 4, I.CARD_RENEWAL, 0.7),
    (I.KL_CARD_SWITCH, 4, I.CARD_RENEWAL, 0.6),
    (I.CARD_LOST, 3, I.CARD_RENEWAL, 0.4),
    (I.CARD_CHIP_DEFECT, 3, I.CARD_RENEWAL, 0.4),
    (I.CARD_DATA_CHANGE, 3, I.CARD_RENEWAL, 0.4),
    (I.CARD_COLLECTION, 3, I.CARD_RENEWAL, 0.4),
    (I.ADDITIONAL_DOCUMENTS, 4, I.REGISTRATION, 0.5),
    (I.GUARANTOR, 4, I.GENERAL_QUESTION, 0.3),
    # "May I work (or travel) with my orange card?" is about the right, not about the card.
    (I.GENERAL_QUESTION, 5, I.ORANGE_CARD, 0.5),
)
# A clear "I wrote before, no answer yet" outweighs the case it is about.
FOLLOWUP_DOMINANCE = (5.0, 0.5)
