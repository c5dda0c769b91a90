"""The 22 intents of the migration mailbox and the groups they fall in."""

from enum import StrEnum


class Intent(StrEnum):
    # Handled by e-mail, no appointment.
    FPLUS_CARD = "fplus_card"
    KL_CARD_SWITCH = "kl_card_switch"
    REFUGEE_DATA_UPDATE = "refugee_data_update"
    # Need an appointment.
    CARD_RENEWAL = "card_renewal"
    CARD_LOST = "card_lost"
    CARD_CHIP_DEFECT = "card_chip_defect"
    CHILD_CARD = "child_card"
    EU_PLUS_CARD = "eu_plus_card"
    ANNEX35_EXTENSION = "annex35_extension"
    CARD_DATA_CHANGE = "card_data_change"
    CARD_COLLECTION = "card_collection"
    GUARANTOR = "guarantor"
    ORANGE_CARD = "orange_card"
    REFUGEE_RESIDENCE_CARD = "refugee_residence_card"
    ADDITIONAL_DOCUMENTS = "additional_documents"
    UKRAINE_PROTECTION = "ukraine_protection"
    REGISTRATION = "registration"
    # Other.
    STATUS_FOLLOWUP = "status_followup"
    GENERAL_QUESTION = "general_question"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    SPAM = "spam"


# Automatic or unwanted mail: never acknowledged.
NON_ACTIONABLE = frozenset({Intent.AUTO_REPLY, Intent.BOUNCE, Intent.SPAM})
