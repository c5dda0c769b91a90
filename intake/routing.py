"""The routing file: per intent its queue, appointment link and documents, edited by the city."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from intake.errors import ConfigError
from intake.intents import Intent
from intake.statuses import TicketStatus


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntentRoute(_Strict):
    queue: str
    needs_appointment: bool
    appointment_url: str | None = None
    documents: tuple[str, ...] = ()
    status: TicketStatus = TicketStatus.NEW

    @model_validator(mode="after")
    def _link_when_needed(self) -> IntentRoute:
        if self.needs_appointment and not self.appointment_url:
            raise ValueError("needs_appointment is true but appointment_url is missing")
        return self


class ServiceCentres(_Strict):
    without_appointment: tuple[str, ...]
    with_appointment: tuple[str, ...] = ()
    appointment_url: dict[str, str]

    @model_validator(mode="after")
    def _has_default_link(self) -> ServiceCentres:
        if "default" not in self.appointment_url:
            raise ValueError("appointment_url needs a 'default' entry")
        return self


class Routing(_Strict):
    service_centres: ServiceCentres
    documents: dict[str, dict[str, str]]
    intents: dict[Intent, IntentRoute]

    @model_validator(mode="after")
    def _complete(self) -> Routing:
        missing = [i.value for i in Intent if i not in self.intents]
        if missing:
            raise ValueError(f"intents without a route: {', '.join(missing)}")
        for intent, route in self.intents.items():
            for key in route.documents:
                if key not in self.documents:
                    raise ValueError(f"intents.{intent.value}.documents names unknown '{key}'")
        return self

    def route(self, intent: Intent) -> IntentRoute:
        return self.intents[intent]

    def centre_needs_appointment(self, centre: str) -> bool:
        return centre not in self.service_centres.without_appointment

    def centre_appointment_url(self, centre: str) -> str:
        links = self.service_centres.appointment_url
        return links.get(centre, links["default"])

    def document_texts(self, keys: tuple[str, ...], language: str) -> list[str]:
        """The documents in the reader's language, Dutch where no translation exists."""
        return [self.documents[k].get(language) or self.documents[k]["nl"] for k in keys]

    @property
    def queues(self) -> list[str]:
        return sorted({r.queue for r in self.intents.values()})


def load_routing(path: Path) -> Routing:
    """Read and check the routing file; a bad file stops start-up with the key that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read routing file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"routing file {path} is not valid TOML: {exc}") from None
    try:
        return Routing.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        where = f" at {key}" if key else ""
        raise ConfigError(f"routing file {path}{where}: {first['msg']}") from None
