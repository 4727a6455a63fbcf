"""The edge-ingestion bench's workload, shared by the one-process run (`bench.ingest`) and the
scaled one (`bench.ingest_scaled`): site documents, the reference data they need, the topic
filled with them, and the checks of the ledger they amount to."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from akiba_contracts.catalogue import topic
from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import (
    SiteDocumentType,
    SiteMovementLine,
    SiteStockRecorded,
    edge_batch_id,
)
from akiba_contracts.payloads.inventory import MovementType
from akiba_inventory.consumers import edge
from akiba_inventory.consumers.edge.writers import apply_sites
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import kafka
from akiba_stock.ids import new_id
from bench.measure import Measurement, Stopwatch

SITES_TOPIC = topic(edge.TOPIC)
STORES = 50
STORES_PER_SITE = 10
ITEMS = 200
LOTS = 3  # per item: 600 stock lines per store at most
ISSUE_SHARE = 0.2  # the rest are receipts


@dataclass(frozen=True)
class SiteWorkload:
    """Encoded site documents, keyed by store, and the ledger rows they amount to."""

    values: list[bytes]
    keys: list[bytes]
    rows: list[tuple[Any, ...]]  # LEDGER_COLUMNS, in each store's sequence
    stores: list[UUID]
    items: list[UUID]
    sites: list[SiteChanged]
    lines_per_doc: int
    net: int

    @property
    def lines(self) -> int:
        """Movement lines in all the documents."""
        return len(self.rows)

    @property
    def payload_bytes(self) -> int:
        """Bytes of values plus keys."""
        return sum(map(len, self.values)) + sum(map(len, self.keys))


def build(lines: int, per_doc: int = 10, seed: int = 7) -> SiteWorkload:
    """`lines // per_doc` documents over STORES stores: receipts, and issues that may go negative.

    Each store's documents are numbered from 1 without gaps and occur in sequence order (a site
    records in time order), so the ledger's stock-card order is its sequence order.
    """
    rng = random.Random(seed)
    stores = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(STORES)]
    items = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(ITEMS)]
    lots = [(x, f"LOT-{j}") for x in items for j in range(LOTS)]
    now = datetime.now(UTC)
    sites = [
        SiteChanged(
            site_id=uuid.UUID(int=rng.getrandbits(128)),
            name=f"bench site {i // STORES_PER_SITE}",
            active=True,
            store_ids=stores[i : i + STORES_PER_SITE],
            changed_at=now,
            version=1,
        )
        for i in range(0, STORES, STORES_PER_SITE)
    ]
    site_of = {s: site.site_id for site in sites for s in site.store_ids}
    n_docs = max(1, lines // per_doc)
    # A document a second, all in the past (a document from the future would be refused).
    start = now - max(timedelta(days=1), timedelta(seconds=n_docs + 3_600))
    sequence = dict.fromkeys(stores, 1)
    item_bal: dict[tuple[UUID, UUID], int] = {}
    batch_bal: dict[tuple[UUID, UUID], int] = {}
    values, keys, rows, net = [], [], [], 0
    for d in range(n_docs):
        store = stores[d % STORES]
        issue = rng.random() < ISSUE_SHARE
        kind = MovementType.ISSUE if issue else MovementType.RECEIPT
        occurred = start + timedelta(seconds=d)
        picked = [rng.choice(lots) for _ in range(per_doc)]
        lines_ = [
            SiteMovementLine(
                # As a gateway makes it, recorded when it occurred; seeded, so runs match.
                movement_id=new_id(int(occurred.timestamp() * 1000), rng.randbytes),
                item_id=item,
                lot_code=lot,
                expiry_date=now.date() + timedelta(days=365 + 30 * int(lot[-1])),
                movement_type=kind,
                quantity=-rng.randint(1, 200) if issue else rng.randint(1, 1_000),
            )
            for item, lot in picked
        ]
        payload = SiteStockRecorded(
            document_id=uuid.UUID(int=rng.getrandbits(128)),
            store_id=store,
            document_type=SiteDocumentType.ISSUE if issue else SiteDocumentType.RECEIPT,
            occurred_at=occurred,
            recorded_at=occurred,
            actor="bench-nurse",
            reference=f"DOC-{d:08d}",
            source="bench",
            lines=lines_,
        )
        event = new_event(
            source=f"/akiba/sites/{site_of[store]}",
            type=payload.event_type,
            subject=f"stores/{store}",
            data=payload,
            partitionkey=str(store),
            siteid=str(site_of[store]),
            storeseq=sequence[store],
        )
        values.append(encode(event))
        keys.append(str(store).encode())
        for ln in lines_:
            batch = edge_batch_id(ln.item_id, ln.lot_code)
            ib = item_bal[(store, ln.item_id)] = item_bal.get((store, ln.item_id), 0) + ln.quantity
            bb = batch_bal[(store, batch)] = batch_bal.get((store, batch), 0) + ln.quantity
            rows.append(
                (ln.movement_id, store, sequence[store], ln.item_id, batch, None, kind.value,
                 ln.quantity, occurred, now, "bench-nurse", payload.reference, "bench", None,
                 ib, bb)
            )  # fmt: skip
            sequence[store] += 1
            net += ln.quantity
    return SiteWorkload(values, keys, rows, stores, items, sites, per_doc, net)


async def reference_data(pool: asyncpg.Pool[Any], work: SiteWorkload, codes: str = "B") -> None:
    """The stores (given to their sites, as auth.sites says) and items, their codes starting
    with `codes` (two workloads in one database differ); batches are created by the ingest as
    sites send them."""
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "stores",
            records=[(s, f"{codes}S{i:04d}", f"Store {i}") for i, s in enumerate(work.stores)],
            columns=("store_id", "code", "name"),
        )
        async with conn.transaction():
            uow = InventoryUnitOfWork.joining(conn)
            await apply_sites(uow, work.sites)
            await uow.commit()
        await conn.copy_records_to_table(
            "items",
            records=[(x, f"{codes}I{i:05d}", f"Item {i}") for i, x in enumerate(work.items)],
            columns=("item_id", "code", "name"),
        )


async def produce(bootstrap: str, name: str, work: SiteWorkload) -> Measurement:
    """Fill the topic before anything is timed (its figure is for information)."""
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        watch = Stopwatch()
        futures = [
            await producer.send(name, v, key=k) for v, k in zip(work.values, work.keys, strict=True)
        ]
        await asyncio.gather(*futures)
        wall, cpu = watch.elapsed()
    finally:
        await producer.stop()
    return Measurement("produce site documents", work.lines, wall, cpu, work.payload_bytes)


async def checks(pool: asyncpg.Pool[Any], work: SiteWorkload) -> dict[str, Any]:
    """The ledger the ingest wrote, against the rows the documents amount to."""
    ledger = await pool.fetch(
        "select movement_id, store_sequence, item_balance, batch_balance from stock_movements"
    )
    expected = {r[0]: (r[2], r[14], r[15]) for r in work.rows}
    got = {r["movement_id"]: (r[1], r[2], r[3]) for r in ledger}
    one = "select count(*) from "
    return {
        "edge_ledger_rows": len(ledger),
        "edge_ledger_matches": got == expected,
        "edge_on_hand_matches": int(
            await pool.fetchval("select coalesce(sum(quantity), 0) from stock_on_hand")
        )
        == work.net,
        "edge_pending": int(await pool.fetchval(one + "edge_pending")),
        "edge_rejections": int(await pool.fetchval(one + "edge_rejections")),
        "edge_dead_letters": int(await pool.fetchval(one + "inbox where dead_letter")),
        "edge_outbox_rows": int(await pool.fetchval(one + "outbox")),
        "edge_negative_lines": int(await pool.fetchval(one + "edge_negative_stock")),
    }
