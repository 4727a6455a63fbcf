"""Payloads published by the inventory service."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.payloads.base import Payload

__all__ = [
    "MovementType",
    "ReservedLine",
    "StockLevelChanged",
    "StockMovementRecorded",
    "StockReserved",
    "stock_level_key",
]


class MovementType(StrEnum):
    """The kind of one stock ledger entry."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    ADJUSTMENT_POSITIVE = "adjustment_positive"
    ADJUSTMENT_NEGATIVE = "adjustment_negative"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    STOCKTAKE_BALANCE = "stocktake_balance"
    LOCATION_MOVE_IN = "location_move_in"
    LOCATION_MOVE_OUT = "location_move_out"
    SHIPMENT_IN = "shipment_in"
    SHIPMENT_OUT = "shipment_out"


class StockMovementRecorded(Payload):
    """One immutable stock ledger entry was recorded at a store."""

    event_type: ClassVar[str] = "org.akiba.inventory.stock-movement.recorded.v1"

    movement_id: UUID
    store_id: UUID
    item_id: UUID
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    location_id: UUID | None
    movement_type: MovementType
    quantity: int = Field(
        description="Signed, in dispensing units: positive adds stock, negative removes it."
    )
    occurred_at: AwareDatetime = Field(description="When it happened (may precede recording).")
    recorded_at: AwareDatetime = Field(description="When the ledger recorded it.")
    actor: str = Field(description="Who recorded it: a user id or a service client id.")
    reason_id: UUID | None
    reference: str | None = Field(description="Free reference, e.g. a delivery note number.")
    source: str | None = Field(description="Where a receipt came from.")
    store_sequence: int = Field(ge=1, description="Position in the store's ledger, from 1.")

    def partition_key(self) -> str:
        """Keyed by store so one store's movements stay in order."""
        return str(self.store_id)


def stock_level_key(
    store_id: UUID, item_id: UUID, batch_id: UUID | None, location_id: UUID | None
) -> str:
    """The compacted-topic key `store_id:item_id:batch_id:location_id`; absent parts are empty."""
    return f"{store_id}:{item_id}:{batch_id or ''}:{location_id or ''}"


class StockLevelChanged(Payload):
    """The quantity on hand of one stock line changed; the latest per key is the current level."""

    event_type: ClassVar[str] = "org.akiba.inventory.stock-level.changed.v1"

    store_id: UUID
    item_id: UUID
    batch_id: UUID | None
    location_id: UUID | None
    quantity_on_hand: int = Field(description="In dispensing units.")
    last_movement_id: UUID
    store_sequence: int = Field(ge=1, description="store_sequence of the last movement applied.")
    as_of: AwareDatetime
    reserved: int = Field(
        0, ge=0, description="Units reserved for shipments being allocated or picked."
    )
    on_hold: bool = Field(False, description="Held: nothing may be issued or allocated from it.")
    revision: int = Field(
        0,
        ge=0,
        description="Grows with every change of the line (movement, reservation, hold): of two"
        " records of one line the higher revision is the newer; 0 in records written before it.",
    )

    def partition_key(self) -> str:
        """Keyed by stock line so compaction keeps the latest level of each."""
        return stock_level_key(self.store_id, self.item_id, self.batch_id, self.location_id)


class ReservedLine(BaseModel):
    """One reserved stock line: what was asked, what was reserved and the line after it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    line_id: UUID = Field(description="The shipment line that asked for it.")
    item_id: UUID
    batch_id: UUID | None
    location_id: UUID | None
    requested: int = Field(ge=0)
    reserved: int = Field(ge=0, description="At most what was available: the rest is short.")
    quantity_on_hand: int
    reserved_total: int = Field(ge=0, description="The line's reserved units after this.")
    on_hold: bool
    revision: int = Field(ge=0)
    store_sequence: int = Field(ge=0)


class StockReserved(Payload):
    """Inventory answered a shipment's allocation: each line reserved in full or short."""

    event_type: ClassVar[str] = "org.akiba.inventory.stock.reserved.v1"

    shipment_id: UUID
    store_id: UUID
    lines: list[ReservedLine]
    at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by shipment, like the allocation it answers."""
        return str(self.shipment_id)
