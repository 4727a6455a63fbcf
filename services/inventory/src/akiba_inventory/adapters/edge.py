"""Edge ingestion's tables, set-based: one statement per step for a whole consumer batch."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from akiba_inventory.adapters.ledger import Level
from akiba_platform import Connection
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
    """A store as edge ingestion sees it, under its row lock: its next sequence, its writer."""

    store_id: UUID
    next_sequence: int
    site_id: UUID | None


@dataclass(frozen=True)
class PendingRef:
    """A held document, without its body."""

    event_id: UUID
    store_id: UUID
    first_sequence: int
    line_count: int
    voided: bool
    site_id: UUID
    site_version: int | None
    awaiting: bool


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
    kind: str | None = None
    line_count: int | None = None


@dataclass(frozen=True)
class Held:
    """A document to keep in edge_pending until it can apply."""

    event_id: UUID
    store_id: UUID
    first_sequence: int
    line_count: int
    site_id: UUID
    raw: bytes
    voided: bool
    awaiting: bool
    site_version: int | None


@dataclass(frozen=True)
class Occupant:
    """What central holds at a store sequence: a ledger entry's movement, or a voided run."""

    movement_id: UUID | None
    event_id: str | None


class EdgeRepository(Protocol):
    """Edge ingestion's reads and writes, set-based, inside the caller's transaction."""

    async def lock_stores(self, ids: Collection[UUID]) -> dict[UUID, EdgeStore]:
        """Lock the stores in id order (so two writers never deadlock); unknown ones are absent."""
        ...

    async def occupants(
        self, wanted: Collection[tuple[UUID, int]]
    ) -> dict[tuple[UUID, int], Occupant]:
        """What holds each (store, sequence) already: a ledger entry, or a voided document's run."""
        ...

    async def known(self, docs: Sequence[EdgeDocument]) -> tuple[set[UUID], set[Any], set[UUID]]:
        """Which items, (store, location) pairs and reasons the documents name exist here."""
        ...

    async def batches(self, wanted: dict[tuple[UUID, str], Batch]) -> dict[tuple[UUID, str], Batch]:
        """Each (item, lot) as central holds it, creating the lots it does not know yet."""
        ...

    async def pending(self, store_ids: Collection[UUID], per_store: int) -> list[PendingRef]:
        """The first held documents of these stores (at most per_store each), by sequence."""
        ...

    async def stores_holding(self, among: Collection[UUID] | None = None) -> list[UUID]:
        """The stores (of `among`, or all) that hold documents: few, a gap or a missing right"""
        ...

    async def drop_pending(self, event_ids: Collection[UUID]) -> None:
        """Forget held documents refused since they arrived."""
        ...

    async def set_awaiting(self, awaiting: dict[UUID, bool]) -> None:
        """Record, per held document, whether it waits for its site's right or only a gap."""
        ...

    async def take_pending(self, event_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """Remove held documents; return their events (to apply, or drop as duplicates)."""
        ...

    async def hold(self, held: Sequence[Held]) -> set[UUID]:
        """Keep documents (and voided runs) until they can apply; return the ids NOT kept because"""
        ...

    async def held_at(self, wanted: Collection[tuple[UUID, int]]) -> dict[tuple[UUID, int], UUID]:
        """The event id of the held document at each (store, first sequence)."""
        ...

    async def advance(self, next_sequences: dict[UUID, int]) -> None:
        """Move stores' next sequence past applied runs (a run may end in a voided document)."""
        ...

    async def flag_negative(self, levels: Sequence[Level]) -> None:
        """List the lines now below zero; forget those back at zero or above."""
        ...

    async def reject(self, rejections: Sequence[Rejection]) -> set[str]:
        """Record refusals; return the event ids not recorded before (alert those once)."""
        ...


class AsyncpgEdgeRepository:
    """Edge ingestion's reads and writes on the consumer's connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock_stores(self, ids: Collection[UUID]) -> dict[UUID, EdgeStore]:
        """Lock the stores in id order (so two writers never deadlock); unknown ones are absent."""
        rows = await self._conn.fetch(
            "select store_id, next_sequence, site_id from stores"
            " where store_id = any($1::uuid[]) order by store_id for update",
            list(ids),
        )
        return {r["store_id"]: EdgeStore(**dict(r)) for r in rows}

    async def occupants(
        self, wanted: Collection[tuple[UUID, int]]
    ) -> dict[tuple[UUID, int], Occupant]:
        """What holds each (store, sequence) already: a ledger entry, or a voided document's run."""
        if not wanted:
            return {}
        stores, seqs = [w[0] for w in wanted], [w[1] for w in wanted]
        rows = await self._conn.fetch(
            "select w.store_id, w.seq, m.movement_id, r.event_id"
            " from unnest($1::uuid[], $2::bigint[]) as w(store_id, seq)"
            " left join stock_movements m on (m.store_id, m.store_sequence) = (w.store_id, w.seq)"
            " left join lateral (select event_id from edge_rejections r where r.voided"
            "   and r.store_id = w.store_id and r.store_sequence <= w.seq"
            "   and w.seq < r.store_sequence + coalesce(r.line_count, 1)"
            "   order by r.store_sequence desc limit 1) r on m.movement_id is null",
            stores,
            seqs,
        )
        return {(r["store_id"], r["seq"]): Occupant(r["movement_id"], r["event_id"]) for r in rows}

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

    async def pending(self, store_ids: Collection[UUID], per_store: int) -> list[PendingRef]:
        """The first held documents of these stores (at most per_store each), by sequence."""
        rows = await self._conn.fetch(
            "select p.event_id, p.store_id, p.first_sequence, p.line_count, p.voided, p.site_id,"
            " p.site_version, p.awaiting from unnest($1::uuid[]) as s(store_id)"
            " cross join lateral (select * from edge_pending e where e.store_id = s.store_id"
            "   order by e.first_sequence limit $2) p"
            " order by p.store_id, p.first_sequence",
            list(store_ids),
            per_store,
        )
        return [PendingRef(**dict(r)) for r in rows]

    async def stores_holding(self, among: Collection[UUID] | None = None) -> list[UUID]:
        """The stores (of `among`, or all) that hold documents: few, a gap or a missing right
        is rare."""
        rows = await self._conn.fetch(
            "select distinct store_id from edge_pending"
            " where $1::uuid[] is null or store_id = any($1::uuid[])",
            None if among is None else list(among),
        )
        return [r["store_id"] for r in rows]

    async def drop_pending(self, event_ids: Collection[UUID]) -> None:
        """Forget held documents refused since they arrived."""
        if event_ids:
            await self._conn.execute(
                "delete from edge_pending where event_id = any($1::uuid[])", list(event_ids)
            )

    async def set_awaiting(self, awaiting: dict[UUID, bool]) -> None:
        """Record, per held document, whether it waits for its site's right or only a gap."""
        if awaiting:
            await self._conn.execute(
                "update edge_pending p set awaiting = t.awaiting"
                " from unnest($1::uuid[], $2::bool[]) as t(event_id, awaiting)"
                " where p.event_id = t.event_id and p.awaiting <> t.awaiting",
                list(awaiting),
                list(awaiting.values()),
            )

    async def take_pending(self, event_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """Remove held documents; return their events (to apply, or drop as duplicates)."""
        if not event_ids:
            return {}
        rows = await self._conn.fetch(
            "delete from edge_pending where event_id = any($1::uuid[]) returning event_id, event",
            list(event_ids),
        )
        return {r["event_id"]: bytes(r["event"]) for r in rows}

    async def hold(self, held: Sequence[Held]) -> set[UUID]:
        """Keep documents (and voided runs) until they can apply; return the ids NOT kept because
        another held document already claims their first sequence (a conflict, or a resend)."""
        if not held:
            return set()
        rows = await self._conn.fetch(
            "insert into edge_pending (store_id, first_sequence, line_count, event_id, site_id,"
            " event, voided, awaiting, site_version) select * from unnest($1::uuid[],"
            " $2::bigint[], $3::int[], $4::uuid[], $5::uuid[], $6::bytea[], $7::bool[],"
            " $8::bool[], $9::bigint[]) on conflict do nothing returning event_id",
            [h.store_id for h in held],
            [h.first_sequence for h in held],
            [h.line_count for h in held],
            [h.event_id for h in held],
            [h.site_id for h in held],
            [h.raw for h in held],
            [h.voided for h in held],
            [h.awaiting for h in held],
            [h.site_version for h in held],
        )
        return {h.event_id for h in held} - {r["event_id"] for r in rows}

    async def held_at(self, wanted: Collection[tuple[UUID, int]]) -> dict[tuple[UUID, int], UUID]:
        """The event id of the held document at each (store, first sequence)."""
        rows = await self._conn.fetch(
            "select p.store_id, p.first_sequence, p.event_id from edge_pending p"
            " join unnest($1::uuid[], $2::bigint[]) as w(store_id, seq)"
            " on (p.store_id, p.first_sequence) = (w.store_id, w.seq)",
            [w[0] for w in wanted],
            [w[1] for w in wanted],
        )
        return {(r["store_id"], r["first_sequence"]): r["event_id"] for r in rows}

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
            " reason, voided, kind, line_count) select * from unnest($1::text[], $2::text[],"
            " $3::text[], $4::uuid[], $5::bigint[], $6::text[], $7::bool[], $8::text[],"
            " $9::int[]) on conflict do nothing returning event_id",
            [r.event_id for r in rejections],
            [r.event_type for r in rejections],
            [r.site_id for r in rejections],
            [r.store_id for r in rejections],
            [r.store_sequence for r in rejections],
            [r.reason for r in rejections],
            [r.voided for r in rejections],
            [r.kind for r in rejections],
            [r.line_count for r in rejections],
        )
        return {r["event_id"] for r in rows}
