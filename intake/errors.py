"""The exceptions Intake raises, grouped by what a caller should do about them."""


class IntakeError(Exception):
    """Base of every error Intake raises on purpose."""


class ConfigError(IntakeError):
    """Raised when settings or the routing file are invalid; the message names the bad key."""


class InputError(IntakeError):
    """Raised when a path given on the command line cannot be read as mail."""


class StoreUnavailable(IntakeError):
    """Raised when the database cannot be reached; transient, worth a retry."""


class DeliveryError(IntakeError):
    """Raised when a reply could not be handed to the SMTP server; transient, retried."""


class PermanentDeliveryError(DeliveryError):
    """Raised when the SMTP server refused a reply for good (5xx); not retried."""
