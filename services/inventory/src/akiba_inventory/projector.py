"""The stock-level projector: stock on hand from inventory.stock-movements, exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
from pydantic import ValidationError

from akiba_contracts.envelope import new_event
from akiba_contracts.payloads.inventory import StockLevelChanged, StockMovementRecorded
from akiba_platform.consumer import Delivery
from akiba_platform.db import Connection
from akiba_platform.errors import PermanentError
from akiba_platform.outbox import AsyncpgOutbox, OutboxMessage

NAME = "inventory.stock-level-projector"
LEVELS = "inventory.stock-levels"

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
    """Add each batch's net change per stock line and publish the new levels."""
    changes = _sum(_movements(deliveries))
    if not changes:
        return
    keys = list(changes)
    rows = await conn.fetch(
        """insert into stock_levels as l (store_id, item_id, batch_id, location_id,
                                          quantity_on_hand, last_movement_id, store_sequence)
           select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[],
                                $5::bigint[], $6::uuid[], $7::bigint[])
           on conflict (store_id, item_id, batch_id, location_id) do update
              set quantity_on_hand = l.quantity_on_hand + excluded.quantity_on_hand,
                  last_movement_id = excluded.last_movement_id,
                  store_sequence = greatest(l.store_sequence, excluded.store_sequence),
                  updated_at = clock_timestamp()
           returning store_id, item_id, batch_id, location_id, quantity_on_hand,
                     last_movement_id, store_sequence, updated_at""",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [k[3] for k in keys],
        [changes[k][0] for k in keys],
        [changes[k][1].movement_id for k in keys],
        [changes[k][1].store_sequence for k in keys],
    )
    await AsyncpgOutbox(conn).put([_level_changed(r) for r in rows])


def _level_changed(r: asyncpg.Record) -> OutboxMessage:
    payload = StockLevelChanged(
        store_id=r["store_id"],
        item_id=r["item_id"],
        batch_id=r["batch_id"],
        location_id=r["location_id"],
        quantity_on_hand=r["quantity_on_hand"],
        last_movement_id=r["last_movement_id"],
        store_sequence=r["store_sequence"],
        as_of=r["updated_at"],
    )
    key = payload.partition_key()
    event = new_event(
        source="/akiba/inventory",
        type=StockLevelChanged.event_type,
        subject=f"stores/{r['store_id']}",
        data=payload,
        partitionkey=key,
    )
    return OutboxMessage(LEVELS, key, event)
