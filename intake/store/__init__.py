"""The database: the source of truth for messages, tickets and replies to send."""

from intake.store.db import Database, open_database

__all__ = ["Database", "open_database"]
