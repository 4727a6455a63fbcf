"""The base class of every published payload and the URIs of their schemas."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

__all__ = ["SCHEMA_URI_PREFIX", "Payload", "schema_uri"]

# An identifier, not a location: the schema itself is contracts/schemas/<event type>.json.
SCHEMA_URI_PREFIX = "urn:akiba:schema:"


def schema_uri(event_type: str) -> str:
    """The `dataschema` / `$id` URI of an event type's payload schema."""
    return f"{SCHEMA_URI_PREFIX}{event_type}"


class Payload(BaseModel):
    """A published event payload; consumers ignore fields they do not know yet."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    """The CloudEvents `type` this payload travels under."""

    @abstractmethod
    def partition_key(self) -> str:
        """The Kafka key (and CloudEvents `partitionkey`) of the event carrying this payload."""
