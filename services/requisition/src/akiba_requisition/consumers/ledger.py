"""The ledger by day: inventory's movements summed per store, item, day and kind, exactly once.

A requisition's figures (beginning balance, received, consumed, adjustments, stock-out days,
stock on hand) are sums over these rows, so initiating one reads a few thousand small rows
instead of calling inventory.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_platform import Connection, Delivery, PermanentError
from akiba_replenish.ledger import columns_of

NAME = "requisition.ledger-days"
TOPIC = "inventory.stock-movements"

Key = tuple[UUID, UUID, date]


def day_of(m: StockMovementRecorded) -> date:
    """The day a movement counts on: when it happened, in UTC."""
    return m.occurred_at.astimezone(UTC).date()


def sums(movements: Sequence[StockMovementRecorded]) -> dict[Key, list[int]]:
    """Received, consumed, adjusted and net per store, item and day."""
    acc: dict[Key, list[int]] = {}
    for m in movements:
        row = acc.setdefault((m.store_id, m.item_id, day_of(m)), [0, 0, 0, 0])
        received, consumed, adjusted = columns_of(m.movement_type, m.quantity)
        row[0] += received
        row[1] += consumed
        row[2] += adjusted
        row[3] += m.quantity
    return acc


def _movements(deliveries: Sequence[Delivery]) -> list[StockMovementRecorded]:
    out = []
    for d in deliveries:
        if d.event.type != StockMovementRecorded.event_type:
            continue
        try:
            out.append(StockMovementRecorded.model_validate(d.event.data))
        except ValidationError as exc:
            raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc
    return out


async def project(conn: Connection, deliveries: Sequence[Delivery]) -> None:
    """Add each batch's sums to the days they fall on."""
    acc = sums(_movements(deliveries))
    if not acc:
        return
    keys = list(acc)
    await conn.execute(
        """insert into movement_days as d
                  (store_id, item_id, day, received, consumed, adjusted, net)
           select * from unnest($1::uuid[], $2::uuid[], $3::date[], $4::bigint[], $5::bigint[],
                                $6::bigint[], $7::bigint[])
           on conflict (store_id, item_id, day) do update
              set received = d.received + excluded.received,
                  consumed = d.consumed + excluded.consumed,
                  adjusted = d.adjusted + excluded.adjusted,
                  net = d.net + excluded.net""",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        *([acc[k][i] for k in keys] for i in range(4)),
    )
