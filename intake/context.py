"""Everything a step needs, built once from the settings and passed along (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from intake.config import Settings, load_settings
from intake.errors import ConfigError
from intake.handlers import missing_handlers
from intake.replies import ReplyRenderer
from intake.routing import Routing, load_routing
from intake.store import Database, open_database


@dataclass
class Context:
    settings: Settings
    routing: Routing
    db: Database
    renderer: ReplyRenderer

    @classmethod
    def build(cls, settings: Settings | None = None, *, migrate: bool = True) -> Context:
        """Check the configuration and open the store; refuses to start on anything missing."""
        settings = settings or load_settings()
        routing = load_routing(settings.routing_file)
        missing = missing_handlers()
        if missing:
            raise ConfigError(f"intents without a handler: {', '.join(missing)}")
        renderer = ReplyRenderer(settings, routing)
        renderer.check_templates()
        return cls(settings, routing, open_database(settings.database_url, migrate=migrate), renderer)
