"""Fulfillment's shipments in the ledger, exactly once: reserve, release, issue, receive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from akiba_contracts.payloads import (
    ShipmentAllocated,
    ShipmentCancelled,
    ShipmentReceived,
    ShipmentShipped,
)
from akiba_inventory.handlers import shipments
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import Connection, Delivery, PermanentError

NAME = "inventory.shipments"
TOPIC = "fulfillment.shipments"

Step = Callable[[InventoryUnitOfWork, Any], Awaitable[None]]
_STEPS: dict[str, tuple[type[BaseModel], Step]] = {
    ShipmentAllocated.event_type: (ShipmentAllocated, shipments.reserve),
    ShipmentCancelled.event_type: (ShipmentCancelled, shipments.release),
    ShipmentShipped.event_type: (ShipmentShipped, shipments.issue),
    ShipmentReceived.event_type: (ShipmentReceived, shipments.receive),
}


async def apply(conn: Connection, deliveries: Sequence[Delivery]) -> None:
    """Apply each shipment step in order, in the consumer's transaction."""
    uow = InventoryUnitOfWork.joining(conn)
    for d in deliveries:
        known = _STEPS.get(d.event.type)
        if known is None:
            continue  # a newer step type is not ours (yet)
        model, step = known
        try:
            payload = model.model_validate(d.event.data)
        except ValidationError as exc:
            raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc
        await step(uow, payload)
    await uow.commit()
