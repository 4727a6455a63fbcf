"""Edge ingestion's tables, set-based: one statement per step for a whole consumer batch."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from akiba_inventory.adapters.ledger import Level
from akiba_platform.db import Connection
from akiba_stock.edge import EdgeDocument
from akiba_stock.model import Batch

_BATCHES = """
with wanted as (
  select * from unnest($1::uuid[], $2::text[], $3::date[], $4::uuid[])
           as w(item_id, lot_code, expiry_date, batch_id)
), added as (
  insert into batches (batch_id, item_id, lot_code, expiry_date)
  select batch_id, item_id, lot_code, expiry_date from wanted
  on conflict (item_id, lot_code) do nothing
  returning batch_id, item_id, lot_code, expiry_date
)
select b.batch_id, b.item_id, b.lot_code, b.expiry_date
  from batches b join wanted w using (item_id, lot_code)
union all
select * from added
"""


@dataclass(frozen=True)
class EdgeStore:
    """A store as edge ingestion sees it, under its row lock."""

    store_id: UUID
    next_sequence: int
    managed_by: str
    active: bool


@dataclass(frozen=True)
class PendingRef:
    """A held document, without its body."""

    event_id: UUID
    store_id: UUID
    first_sequence: int
    line_count: int
    voided: bool


@dataclass(frozen=True)
class Rejection:
    """A refused site event, as the edge_rejections table keeps it."""

    event_id: str
    event_type: str
    site_id: str | None
    store_id: UUID | None
    store_sequence: int | None
    reason: str
    voided: bool = False


class AsyncpgEdgeRepository:
    """Edge ingestion's reads and writes on the consumer's connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock_stores(self, ids: Collection[UUID]) -> dict[UUID, EdgeStore]:
        """Lock the stores in id order (so two writers never deadlock); unknown ones are absent."""
        rows = await self._conn.fetch(
            "select store_id, next_sequence, managed_by, active from stores"
            " where store_id = any($1::uuid[]) order by store_id for update",
            list(ids),
        )
        return {r["store_id"]: EdgeStore(**dict(r)) for r in rows}

    async def known(self, docs: Sequence[EdgeDocument]) -> tuple[set[UUID], set[Any], set[UUID]]:
        """Which items, (store, location) pairs and reasons the documents name exist here."""
        lines = [(d.store_id, ln) for d in docs for ln in d.lines]
        row = await self._conn.fetchrow(
            "select (select coalesce(array_agg(item_id), '{}') from items"
            "         where item_id = any($1::uuid[])) as items,"
            " (select coalesce(array_agg(array[store_id, location_id]), '{}') from locations"
            "   where location_id = any($2::uuid[])) as locations,"
            " (select coalesce(array_agg(reason_id), '{}') from adjustment_reasons"
            "   where reason_id = any($3::uuid[])) as reasons",
            list({ln.item_id for _, ln in lines}),
            list({ln.location_id for _, ln in lines if ln.location_id}),
            list({ln.reason_id for _, ln in lines if ln.reason_id}),
        )
        assert row is not None
        pairs = {(p[0], p[1]) for p in row["locations"]}
        return set(row["items"]), pairs, set(row["reasons"])

    async def batches(self, wanted: dict[tuple[UUID, str], Batch]) -> dict[tuple[UUID, str], Batch]:
        """Each (item, lot) as central holds it, creating the lots it does not know yet."""
        keys = list(wanted)
        rows = await self._conn.fetch(
            _BATCHES,
            [k[0] for k in keys],
            [k[1] for k in keys],
            [wanted[k].expiry_date for k in keys],
            [wanted[k].batch_id for k in keys],
        )
        found = {(r["item_id"], r["lot_code"]): Batch(**dict(r)) for r in rows}
        missing = [k for k in keys if k not in found]
        if missing:
            # Another ingest instance inserted these lots while ours waited on them: its rows
            # committed after our statement's snapshot, so a new statement reads them.
            rows = await self._conn.fetch(
                "select b.batch_id, b.item_id, b.lot_code, b.expiry_date from batches b"
                " join unnest($1::uuid[], $2::text[]) as w(item_id, lot_code)"
                " using (item_id, lot_code)",
                [k[0] for k in missing],
                [k[1] for k in missing],
            )
            found.update({(r["item_id"], r["lot_code"]): Batch(**dict(r)) for r in rows})
        return found

    async def pending(self, store_ids: Collection[UUID]) -> list[PendingRef]:
        """The held documents of these stores, oldest sequence first."""
        rows = await self._conn.fetch(
            "select event_id, store_id, first_sequence, line_count, voided from edge_pending"
            " where store_id = any($1::uuid[]) order by store_id, first_sequence",
            list(store_ids),
        )
        return [PendingRef(**dict(r)) for r in rows]

    async def take_pending(self, event_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """Remove held documents; return their events (to apply, or drop as duplicates)."""
        if not event_ids:
            return {}
        rows = await self._conn.fetch(
            "delete from edge_pending where event_id = any($1::uuid[]) returning event_id, event",
            list(event_ids),
        )
        return {r["event_id"]: bytes(r["event"]) for r in rows}

    async def hold(self, held: Sequence[tuple[EdgeDocument, bytes, bool]]) -> None:
        """Keep documents (and voided runs) that arrived ahead of a gap until it is filled."""
        if not held:
            return
        await self._conn.execute(
            "insert into edge_pending (store_id, first_sequence, line_count, event_id, site_id,"
            " event, voided) select * from unnest($1::uuid[], $2::bigint[], $3::int[],"
            " $4::uuid[], $5::uuid[], $6::bytea[], $7::bool[]) on conflict do nothing",
            [d.store_id for d, _, _ in held],
            [d.first_sequence for d, _, _ in held],
            [d.line_count for d, _, _ in held],
            [d.event_id for d, _, _ in held],
            [d.site_id for d, _, _ in held],
            [raw for _, raw, _ in held],
            [voided for _, _, voided in held],
        )

    async def advance(self, next_sequences: dict[UUID, int]) -> None:
        """Move stores' next sequence past applied runs (a run may end in a voided document)."""
        if not next_sequences:
            return
        await self._conn.execute(
            "update stores s set next_sequence = greatest(s.next_sequence, t.next)"
            " from unnest($1::uuid[], $2::bigint[]) as t(store_id, next)"
            " where s.store_id = t.store_id",
            list(next_sequences),
            list(next_sequences.values()),
        )

    async def flag_negative(self, levels: Sequence[Level]) -> None:
        """List the lines now below zero; forget those back at zero or above."""
        if not levels:
            return
        await self._conn.execute(
            "with lv as (select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[],"
            " $5::bigint[], $6::bigint[]) as t(s, i, b, l, q, seq)),"
            " gone as (delete from edge_negative_stock n using lv where lv.q >= 0"
            "  and (n.store_id, n.item_id) = (lv.s, lv.i) and n.batch_id is not distinct from lv.b"
            "  and n.location_id is not distinct from lv.l)"
            " insert into edge_negative_stock as n (store_id, item_id, batch_id, location_id,"
            " quantity, last_sequence) select s, i, b, l, q, seq from lv where q < 0"
            " on conflict (store_id, item_id, batch_id, location_id) do update"
            " set quantity = excluded.quantity, last_sequence = excluded.last_sequence",
            [lv.line.store_id for lv in levels],
            [lv.line.item_id for lv in levels],
            [lv.line.batch_id for lv in levels],
            [lv.line.location_id for lv in levels],
            [lv.quantity for lv in levels],
            [lv.last_sequence for lv in levels],
        )

    async def reject(self, rejections: Sequence[Rejection]) -> set[str]:
        """Record refusals; return the event ids not recorded before (alert those once)."""
        if not rejections:
            return set()
        rows = await self._conn.fetch(
            "insert into edge_rejections (event_id, event_type, site_id, store_id, store_sequence,"
            " reason) select * from unnest($1::text[], $2::text[], $3::text[], $4::uuid[],"
            " $5::bigint[], $6::text[]) on conflict do nothing returning event_id",
            [r.event_id for r in rejections],
            [r.event_type for r in rejections],
            [r.site_id for r in rejections],
            [r.store_id for r in rejections],
            [r.store_sequence for r in rejections],
            [r.reason for r in rejections],
        )
        return {r["event_id"] for r in rows}
