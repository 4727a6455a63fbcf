"""What fulfillment knows of inventory: stores, items, lots, locations and stock lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from akiba_contracts.payloads import (
    BatchChanged,
    FacilityChanged,
    LocationChanged,
    OrderableChanged,
    ReservedLine,
    StockLevelChanged,
    StockMovementRecorded,
)
from akiba_fulfillment.domain.allocation import LotStock
from akiba_platform import Connection

# Of two records of a line the higher (revision, store_sequence) is the newer.
_LINES = """
insert into stock_lines as l (store_id, item_id, batch_id, location_id, on_hand, reserved,
                              on_hold, revision, store_sequence)
select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::bigint[],
                     $7::bool[], $8::bigint[], $9::bigint[])
on conflict (store_id, item_id, batch_id, location_id) do update
   set on_hand = excluded.on_hand, reserved = excluded.reserved, on_hold = excluded.on_hold,
       revision = excluded.revision, store_sequence = excluded.store_sequence
 where (l.revision, l.store_sequence) < (excluded.revision, excluded.store_sequence)
"""

# Allocatable units per lot: on hand, less what inventory reserved, less what this service
# allocated and inventory has not answered yet (it is in neither figure).
_LOTS = """
with pending as (
  select sl.orderable_id, sl.batch_id, sl.location_id, sum(sl.quantity) as q
    from shipment_lots sl join shipments s on s.shipment_id = sl.shipment_id
   where not sl.confirmed and s.supplying_facility_id = $1
     and s.status in ('ALLOCATED', 'PICKED') and sl.orderable_id = any($2::uuid[])
   group by 1, 2, 3
)
select l.item_id, l.batch_id, b.lot_code, b.expiry_date, l.location_id, l.on_hold,
       l.on_hand - l.reserved - coalesce(p.q, 0) as available
  from stock_lines l
  join batches b on b.batch_id = l.batch_id
  left join pending p on p.orderable_id = l.item_id and p.batch_id = l.batch_id
                     and p.location_id is not distinct from l.location_id
 where l.store_id = $1 and l.item_id = any($2::uuid[]) and l.on_hand > 0
"""


@dataclass(frozen=True)
class Item:
    """An orderable as fulfillment needs it."""

    item_id: UUID
    code: str
    name: str
    dispensing_unit: str
    net_content: int
    active: bool


@dataclass(frozen=True)
class Facility:
    """A store as fulfillment needs it."""

    facility_id: UUID
    code: str
    name: str
    site_id: UUID | None
    active: bool


class AsyncpgStock:
    """The read models in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lots(self, store_id: UUID, items: Sequence[UUID]) -> dict[UUID, list[LotStock]]:
        """The store's lots of these items with what each can still give, per item."""
        out: dict[UUID, list[LotStock]] = defaultdict(list)
        for r in await self._conn.fetch(_LOTS, store_id, list(items)):
            out[r["item_id"]].append(
                LotStock(
                    r["batch_id"],
                    r["lot_code"],
                    r["expiry_date"],
                    max(int(r["available"]), 0),
                    r["on_hold"],
                    r["location_id"],
                )
            )
        return out

    async def lock_store(self, store_id: UUID) -> None:
        """Serialise allocations from one store until the transaction ends."""
        await self._conn.execute(
            "select pg_advisory_xact_lock(hashtextextended($1::text, 14))", str(store_id)
        )

    async def items(self, ids: Sequence[UUID]) -> dict[UUID, Item]:
        """The items known among these ids."""
        rows = await self._conn.fetch(
            "select item_id, code, name, dispensing_unit, net_content, active from orderables"
            " where item_id = any($1::uuid[])",
            list(ids),
        )
        return {r["item_id"]: Item(**dict(r)) for r in rows}

    async def facility(self, facility_id: UUID) -> Facility | None:
        """A store, if known."""
        r = await self._conn.fetchrow(
            "select facility_id, code, name, site_id, active from facilities"
            " where facility_id = $1",
            facility_id,
        )
        return None if r is None else Facility(**dict(r))

    async def locations_of(self, ids: set[UUID]) -> dict[UUID, UUID]:
        """Each known active location's store."""
        rows = await self._conn.fetch(
            "select location_id, store_id from locations where location_id = any($1::uuid[])"
            " and active",
            list(ids),
        )
        return {r["location_id"]: r["store_id"] for r in rows}

    async def apply_levels(self, levels: Sequence[StockLevelChanged]) -> None:
        """Keep the newest record of each stock line."""
        newest: dict[tuple[Any, ...], StockLevelChanged] = {}
        for lv in levels:
            key = (lv.store_id, lv.item_id, lv.batch_id, lv.location_id)
            held = newest.get(key)
            if held is None or (held.revision, held.store_sequence) < (
                lv.revision,
                lv.store_sequence,
            ):
                newest[key] = lv
        rows = list(newest.values())
        await self._upsert(
            [
                (
                    r.store_id,
                    r.item_id,
                    r.batch_id,
                    r.location_id,
                    r.quantity_on_hand,
                    r.reserved,
                    r.on_hold,
                    r.revision,
                    r.store_sequence,
                )
                for r in rows
            ]
        )

    async def apply_reserved(self, store_id: UUID, lines: Sequence[ReservedLine]) -> None:
        """The lines as inventory left them after reserving (if newer than what is held)."""
        known = [ln for ln in lines if ln.revision or ln.store_sequence]
        await self._upsert(
            [
                (
                    store_id,
                    ln.item_id,
                    ln.batch_id,
                    ln.location_id,
                    ln.quantity_on_hand,
                    ln.reserved_total,
                    ln.on_hold,
                    ln.revision,
                    ln.store_sequence,
                )
                for ln in known
            ]
        )

    async def apply_reference(self, payload: Any) -> None:
        """One reference record (an older version than the one held changes nothing)."""
        if isinstance(payload, FacilityChanged):
            await self._conn.execute(
                "insert into facilities as f values ($1, $2, $3, $4, $5, $6)"
                " on conflict (facility_id) do update set code = excluded.code,"
                " name = excluded.name, site_id = excluded.site_id, active = excluded.active,"
                " version = excluded.version where f.version < excluded.version",
                payload.store_id,
                payload.code,
                payload.name,
                payload.site_id,
                payload.active,
                payload.version,
            )
        elif isinstance(payload, OrderableChanged):
            await self._conn.execute(
                "insert into orderables as o values ($1, $2, $3, $4, $5, $6, $7)"
                " on conflict (item_id) do update set code = excluded.code,"
                " name = excluded.name, dispensing_unit = excluded.dispensing_unit,"
                " net_content = excluded.net_content, active = excluded.active,"
                " version = excluded.version where o.version < excluded.version",
                payload.item_id,
                payload.code,
                payload.name,
                payload.dispensing_unit,
                payload.net_content,
                payload.active,
                payload.version,
            )
        elif isinstance(payload, BatchChanged):
            await self._conn.execute(
                "insert into batches as b values ($1, $2, $3, $4, $5)"
                " on conflict (batch_id) do update set lot_code = excluded.lot_code,"
                " expiry_date = excluded.expiry_date, version = excluded.version"
                " where b.version < excluded.version",
                payload.batch_id,
                payload.item_id,
                payload.lot_code,
                payload.expiry_date,
                payload.version,
            )
        elif isinstance(payload, LocationChanged):
            await self._conn.execute(
                "insert into locations as l values ($1, $2, $3, $4, $5)"
                " on conflict (location_id) do update set store_id = excluded.store_id,"
                " code = excluded.code, active = excluded.active, version = excluded.version"
                " where l.version < excluded.version",
                payload.location_id,
                payload.store_id,
                payload.code,
                payload.active,
                payload.version,
            )

    async def learn_lots(self, movements: Sequence[StockMovementRecorded]) -> None:
        """Lots first seen on movements (version 0: a batches record overrides them)."""
        seen = {m.batch_id: m for m in movements if m.batch_id is not None and m.lot_code}
        if seen:
            ms = list(seen.values())
            await self._conn.execute(
                "insert into batches (batch_id, item_id, lot_code, expiry_date, version)"
                " select *, 0 from unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[])"
                " on conflict (batch_id) do nothing",
                [m.batch_id for m in ms],
                [m.item_id for m in ms],
                [m.lot_code for m in ms],
                [m.expiry_date for m in ms],
            )

    async def _upsert(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            await self._conn.execute(_LINES, *[list(col) for col in zip(*rows, strict=True)])
