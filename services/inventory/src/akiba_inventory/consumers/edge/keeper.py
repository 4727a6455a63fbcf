"""The keeper of held site documents: moves what can move, and says what cannot.

Held documents move when something changes that no new document announces: central hears of
a site's right to write a store (or a site is active again), a hand-over refuses the old
site's documents, a store's backlog is larger than one batch drains. Every few seconds the
keeper plans the stores that hold documents. A store whose oldest held document has waited
longer than the threshold is announced stalled (EdgeStoreStalled on inventory.edge-stalls,
and the metrics) until it moves again (EdgeStoreResumed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from akiba_contracts.payloads.edge import EdgeStoreStalled, StallCause
from akiba_inventory.consumers.edge.events import resumed, stalled
from akiba_inventory.consumers.edge.ingest import EdgeBatch, EdgeRules
from akiba_inventory.consumers.edge.views import HeldStore, held_stores
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import Connection, OutboxMessage, is_transient, meter

log = logging.getLogger(__name__)

STALLED = meter.create_gauge("akiba.edge.stalled_stores", description="Stores announced stalled")
HELD = meter.create_gauge("akiba.edge.held_documents", description="Site documents held")
OLDEST = meter.create_gauge(
    "akiba.edge.oldest_held_seconds", unit="s", description="Age of the oldest held document"
)
# One keeper at a time across ingest instances: the others find the lock taken and skip.
_KEEPER_LOCK = 0x6B656570  # "keep"


class EdgeKeeper:
    """Drains held documents and announces stalls, every `every` seconds."""

    def __init__(self, pool: asyncpg.Pool[Any], rules: EdgeRules, stall_after: timedelta) -> None:
        self._pool, self._rules, self._stall_after = pool, rules, stall_after

    async def run(self, stop: asyncio.Event, every: float) -> None:
        """Keep until stopped; a failed round is logged and tried again next time."""
        while not stop.is_set():
            try:
                await self.once()
            except Exception as exc:
                log.log(logging.WARNING if is_transient(exc) else logging.ERROR,
                        "edge keeper round failed", exc_info=True)  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    async def once(self) -> None:
        """One round: drain the stores that hold documents, then announce stalls."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("select pg_try_advisory_xact_lock($1)", _KEEPER_LOCK):
                return
            stores = await InventoryUnitOfWork.joining(conn).edge.stores_holding()
            if stores:
                batch = EdgeBatch(conn, self._rules)
                await batch.drain(stores)
                await batch.finish()
        async with self._pool.acquire() as conn, conn.transaction():
            await self._announce(conn)

    async def _announce(self, conn: Connection) -> None:
        now = datetime.now(UTC)
        held = await held_stores(conn)
        late = {h.store_id: h for h in held if now - h.oldest_since >= self._stall_after}
        announced = {r["store_id"] for r in await conn.fetch("select store_id from edge_stalls")}
        messages: list[OutboxMessage] = []
        for h in late.values():
            if h.store_id not in announced:
                messages.append(stalled(_stall(h, now)))
        for store_id in announced - set(late):
            nxt = await conn.fetchval(
                "select next_sequence from stores where store_id = $1", store_id
            )
            messages.append(resumed(store_id, int(nxt), now))
        await conn.execute("delete from edge_stalls where store_id <> all($1::uuid[])", list(late))
        await conn.execute(
            "insert into edge_stalls (store_id, cause) select * from unnest($1::uuid[], $2::text[])"
            " on conflict do nothing",
            list(late),
            [_cause(h).value for h in late.values()],
        )
        uow = InventoryUnitOfWork.joining(conn)
        uow.publish(*messages)
        await uow.commit()
        STALLED.set(len(late))
        HELD.set(sum(h.held for h in held))
        OLDEST.set(max(((now - h.oldest_since).total_seconds() for h in held), default=0.0))


def _cause(h: HeldStore) -> StallCause:
    return StallCause.AUTHORIZATION if h.head_awaiting else StallCause.GAP


def _stall(h: HeldStore, now: datetime) -> EdgeStoreStalled:
    return EdgeStoreStalled(
        store_id=h.store_id,
        site_id=h.site_id,
        cause=_cause(h),
        next_sequence=h.next_sequence,
        held_documents=h.held,
        oldest_held_sequence=h.oldest_sequence,
        oldest_held_since=h.oldest_since,
        detected_at=now,
    )
