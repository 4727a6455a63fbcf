"""Domain facts → contract events, topics and keys."""

from __future__ import annotations

from uuid import UUID

from akiba_contracts.envelope import trusted_event
from akiba_contracts.payloads.inventory import (
    MovementType,
    StockLevelChanged,
    StockMovementRecorded,
)
from akiba_inventory.adapters.ledger import Level
from akiba_platform.outbox import OutboxMessage
from akiba_stock.model import StockMovement

SOURCE = "/akiba/inventory"
MOVEMENTS = "inventory.stock-movements"
LEVELS = "inventory.stock-levels"


def movement_recorded(m: StockMovement, traceparent: str | None = None) -> OutboxMessage:
    """The event every movement publishes, keyed by store so a store's order holds."""
    # Built from domain objects that are valid by construction: no second validation here.
    payload = StockMovementRecorded.model_construct(
        movement_id=m.movement_id,
        store_id=m.store_id,
        item_id=m.item_id,
        batch_id=m.batch.batch_id,
        lot_code=m.batch.lot_code,
        expiry_date=m.batch.expiry_date,
        location_id=m.location_id,
        movement_type=MovementType(m.movement_type.value),
        quantity=m.quantity,
        occurred_at=m.occurred_at,
        recorded_at=m.recorded_at,
        actor=m.actor,
        reason_id=m.reason_id,
        reference=m.reference,
        source=m.source,
        store_sequence=m.store_sequence,
    )
    event = trusted_event(
        source=SOURCE,
        type=StockMovementRecorded.event_type,
        subject=f"stores/{m.store_id}",
        data=payload,
        partitionkey=payload.partition_key(),
        traceparent=traceparent,
        storeseq=m.store_sequence,
    )
    return OutboxMessage(MOVEMENTS, payload.partition_key(), event)


def level_changed(
    level: Level, last_movement_id: UUID, traceparent: str | None = None
) -> OutboxMessage:
    """The compacted record of a stock line's quantity after a posting."""
    ln = level.line
    payload = StockLevelChanged.model_construct(
        store_id=ln.store_id,
        item_id=ln.item_id,
        batch_id=ln.batch_id,
        location_id=ln.location_id,
        quantity_on_hand=level.quantity,
        last_movement_id=last_movement_id,
        store_sequence=level.last_sequence,
        as_of=level.as_of,
    )
    event = trusted_event(
        source=SOURCE,
        type=StockLevelChanged.event_type,
        subject=f"stores/{ln.store_id}",
        data=payload,
        partitionkey=payload.partition_key(),
        traceparent=traceparent,
    )
    return OutboxMessage(LEVELS, payload.partition_key(), event)
