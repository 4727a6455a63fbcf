"""Orders from released requisitions, exactly once (one order per requisition)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from akiba_contracts.payloads import RequisitionReleased
from akiba_fulfillment.handlers import orders
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform import Connection, Delivery, PermanentError

NAME = "fulfillment.orders-from-releases"
TOPIC = "requisition.events"


async def apply(conn: Connection, deliveries: Sequence[Delivery]) -> None:
    """Open an order for each release; the requisition's other steps are not ours."""
    uow = FulfillmentUnitOfWork.joining(conn)
    for d in deliveries:
        if d.event.type != RequisitionReleased.event_type:
            continue
        try:
            released = RequisitionReleased.model_validate(d.event.data)
        except ValidationError as exc:
            raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc
        await orders.from_release(uow, released)
    await uow.commit()
