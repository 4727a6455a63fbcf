"""Payloads published by the fulfillment service: supply lines."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from akiba_contracts.payloads.base import Payload

__all__ = ["SupplyLineChanged"]


class SupplyLineChanged(Payload):
    """A supply line was created or changed: which facility supplies a node for a program."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.supply-line.changed.v1"

    supply_line_id: UUID
    supervisory_node_id: UUID = Field(
        description="The node of auth's supervision tree; a requisition of the program is"
        " approved for good at the node whose active supply line names its supplier."
    )
    program_id: UUID
    supplying_facility_id: UUID = Field(
        description="The store (facility) that fulfils the node's orders for the program."
    )
    description: str | None = None
    active: bool = Field(
        description="At most one active line per node and program; an inactive one supplies nobody."
    )
    local_fulfillment: bool = Field(
        False,
        description="The supplying facility fulfils the program's orders itself, from its own"
        " stock: a requisition approved at the node becomes its order at once (released).",
    )
    version: int = Field(
        ge=1, description="Grows with every change; a consumer ignores a lower one."
    )
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by supply line, so compaction keeps each line's latest state."""
        return str(self.supply_line_id)
