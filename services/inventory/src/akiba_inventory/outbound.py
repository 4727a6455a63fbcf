"""Domain facts → contract events, topics and keys."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from akiba_contracts.envelope import encoded_event
from akiba_contracts.payloads.inventory import (
    ReservedLine,
    StockLevelChanged,
    StockMovementRecorded,
    StockReserved,
    stock_level_key,
)
from akiba_inventory.adapters.ledger import Level
from akiba_inventory.adapters.reservations import Reserved
from akiba_platform import OutboxMessage, message_of
from akiba_stock.model import StockMovement

SOURCE = "/akiba/inventory"
MOVEMENTS = "inventory.stock-movements"
LEVELS = "inventory.stock-levels"
RESERVATIONS = "inventory.reservations"


# Postings publish an event per movement and per stock line touched, tens of thousands a
# second at ingest: they are serialised straight from domain values that are valid by
# construction (the contract test holds these mappings to the payload models).


def movement_recorded(m: StockMovement, traceparent: str | None = None) -> OutboxMessage:
    """The event every movement publishes, keyed by store so a store's order holds."""
    key = str(m.store_id)
    data = {
        "movement_id": m.movement_id,
        "store_id": m.store_id,
        "item_id": m.item_id,
        "batch_id": m.batch.batch_id,
        "lot_code": m.batch.lot_code,
        "expiry_date": m.batch.expiry_date,
        "location_id": m.location_id,
        "movement_type": m.movement_type,  # orjson writes an enum as its value
        "quantity": m.quantity,
        "occurred_at": m.occurred_at,
        "recorded_at": m.recorded_at,
        "actor": m.actor,
        "reason_id": m.reason_id,
        "reference": m.reference,
        "source": m.source,
        "store_sequence": m.store_sequence,
    }
    event = encoded_event(
        source=SOURCE,
        type=StockMovementRecorded.event_type,
        subject=f"stores/{key}",
        data=data,
        partitionkey=key,
        traceparent=traceparent,
        storeseq=m.store_sequence,
    )
    return OutboxMessage(MOVEMENTS, key, event)


def level_changed(
    level: Level, last_movement_id: UUID, traceparent: str | None = None
) -> OutboxMessage:
    """The compacted record of a stock line's quantity after a posting."""
    ln = level.line
    key = stock_level_key(ln.store_id, ln.item_id, ln.batch_id, ln.location_id)
    data = {
        "store_id": ln.store_id,
        "item_id": ln.item_id,
        "batch_id": ln.batch_id,
        "location_id": ln.location_id,
        "quantity_on_hand": level.quantity,
        "last_movement_id": last_movement_id,
        "store_sequence": level.last_sequence,
        "as_of": level.as_of,
        "reserved": level.reserved,
        "on_hold": level.on_hold,
        "revision": level.revision,
    }
    event = encoded_event(
        source=SOURCE,
        type=StockLevelChanged.event_type,
        subject=f"stores/{ln.store_id}",
        data=data,
        partitionkey=key,
        traceparent=traceparent,
    )
    return OutboxMessage(LEVELS, key, event)


def stock_reserved(
    shipment_id: UUID, store_id: UUID, got: list[Reserved], at: datetime
) -> OutboxMessage:
    """Inventory's answer to an allocation: per shipment line what it reserved."""
    payload = StockReserved(
        shipment_id=shipment_id,
        store_id=store_id,
        lines=[_reserved_line(r) for r in got],
        at=at,
    )
    return message_of(RESERVATIONS, SOURCE, f"shipments/{shipment_id}", payload)


def _reserved_line(r: Reserved) -> ReservedLine:
    ln, lv = r.wanted.line, r.level
    return ReservedLine(
        line_id=r.wanted.line_id,
        item_id=ln.item_id,
        batch_id=ln.batch_id,
        location_id=ln.location_id,
        requested=r.wanted.quantity,
        reserved=r.reserved,
        quantity_on_hand=lv.quantity if lv else 0,
        reserved_total=lv.reserved if lv else 0,
        on_hold=lv.on_hold if lv else False,
        revision=lv.revision if lv else 0,
        store_sequence=lv.last_sequence if lv else 0,
    )
