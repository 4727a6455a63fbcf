"""The stock-level projector: stock on hand rebuilt from inventory.stock-movements, exactly once.

The ledger's own `stock_on_hand` is written with each movement; this replica is built from the
topic alone, so comparing the two proves the topic carries the whole ledger (see replay).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_platform import Connection, Delivery, PermanentError

NAME = "inventory.stock-level-projector"

Key = tuple[UUID, UUID, UUID | None, UUID | None]


def _movements(deliveries: Sequence[Delivery]) -> list[StockMovementRecorded]:
    out = []
    for d in deliveries:
        if d.event.type != StockMovementRecorded.event_type:
            continue  # other event types on the topic are not ours to project
        try:
            out.append(StockMovementRecorded.model_validate(d.event.data))
        except ValidationError as exc:
            raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc
    return out


def _sum(movements: list[StockMovementRecorded]) -> dict[Key, tuple[int, StockMovementRecorded]]:
    """Net change per stock line and the last movement that touched it."""
    acc: dict[Key, tuple[int, StockMovementRecorded]] = {}
    for m in movements:
        key = (m.store_id, m.item_id, m.batch_id, m.location_id)
        total, last = acc.get(key, (0, m))
        acc[key] = (total + m.quantity, m if m.store_sequence >= last.store_sequence else last)
    return acc


async def project(conn: Connection, deliveries: Sequence[Delivery]) -> None:
    """Add each batch's net change per stock line to the replica."""
    changes = _sum(_movements(deliveries))
    if not changes:
        return
    keys = list(changes)
    await conn.execute(
        """insert into stock_levels as l (store_id, item_id, batch_id, location_id,
                                          quantity_on_hand, last_movement_id, store_sequence)
           select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[],
                                $5::bigint[], $6::uuid[], $7::bigint[])
           on conflict (store_id, item_id, batch_id, location_id) do update
              set quantity_on_hand = l.quantity_on_hand + excluded.quantity_on_hand,
                  last_movement_id = excluded.last_movement_id,
                  store_sequence = greatest(l.store_sequence, excluded.store_sequence),
                  updated_at = clock_timestamp()
""",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [k[3] for k in keys],
        [changes[k][0] for k in keys],
        [changes[k][1].movement_id for k in keys],
        [changes[k][1].store_sequence for k in keys],
    )
