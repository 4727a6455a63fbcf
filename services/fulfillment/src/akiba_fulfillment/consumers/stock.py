"""Inventory's stores, items, lots, locations and stock lines, and its answers to reservations,
kept as read models: allocation reads them instead of calling inventory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from akiba_contracts.payloads import (
    BatchChanged,
    FacilityChanged,
    LocationChanged,
    OrderableChanged,
    StockLevelChanged,
    StockMovementRecorded,
    StockReserved,
)
from akiba_fulfillment.handlers import shipments
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform import Connection, Delivery, PermanentError

NAME = "fulfillment.stock"
TOPICS = (
    "inventory.facilities",
    "inventory.orderables",
    "inventory.batches",
    "inventory.locations",
    "inventory.stock-levels",
    "inventory.stock-movements",
    "inventory.reservations",
)
_REFERENCE = {
    m.event_type: m for m in (FacilityChanged, OrderableChanged, BatchChanged, LocationChanged)
}


def _parse(d: Delivery, model: type[Any]) -> Any:
    try:
        return model.model_validate(d.event.data)
    except ValidationError as exc:
        raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc


async def apply(conn: Connection, deliveries: Sequence[Delivery]) -> None:
    """Apply a batch: reference records and answers in order, stock levels together."""
    uow = FulfillmentUnitOfWork.joining(conn)
    levels: list[StockLevelChanged] = []
    lots: list[StockMovementRecorded] = []
    for d in deliveries:
        kind = d.event.type
        if kind == StockLevelChanged.event_type:
            levels.append(_parse(d, StockLevelChanged))
        elif kind == StockMovementRecorded.event_type:
            lots.append(_parse(d, StockMovementRecorded))
        elif kind == StockReserved.event_type:
            await shipments.answered(uow, _parse(d, StockReserved))
        elif kind in _REFERENCE:
            await uow.stock.apply_reference(_parse(d, _REFERENCE[kind]))
    # Levels keep the newest per line whatever the order, so they can wait for the batch's end.
    await uow.stock.apply_levels(levels)
    # Lots a receipt created are named on their movements (lot code, expiry), not on the
    # batches topic, which carries those managed through the reference API.
    await uow.stock.learn_lots(lots)
    await uow.commit()
