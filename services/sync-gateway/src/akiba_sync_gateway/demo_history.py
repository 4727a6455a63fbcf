"""The demo site's past (AKIBA_DEMO=1 only): four months of deliveries and daily issues of a
dozen essential medicines at each of its stores, recorded once through the gateway's own
recording code, so the demo's requisitions have real figures, at the site and centrally."""

from __future__ import annotations

import logging
import random
import sqlite3
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from akiba_platform import demo_id
from akiba_stock.commands import MovementLine, ReceiveStock, RecordMovements
from akiba_stock.ledger import LedgerKind
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.requisitions.catalogue import SiteCatalogue

log = logging.getLogger(__name__)
PROGRAM = demo_id("program", "EM")
ITEMS = 12
DAYS = 120
DONE = "demo_history"
ACTOR = "demo"


def seed(c: sqlite3.Connection, site_id: UUID, now: datetime) -> int:
    """Record the history once, when every managed store is ready and the program's items are
    known; returns the documents recorded (0: not yet, or done already)."""
    if c.execute("SELECT 1 FROM sync_state WHERE name = ?", (DONE,)).fetchone():
        return 0
    stores = c.execute(
        "SELECT store_id, facility_type_id, ready FROM stores WHERE managed = 1 AND active = 1"
    ).fetchall()
    if not stores or not all(ready and kind for _, kind, ready in stores):
        return 0
    cat, recorded = SiteCatalogue(c), 0
    for store, kind, _ in stores:
        products = cat.products(UUID(kind), PROGRAM, None)[:ITEMS]
        written = c.execute("SELECT 1 FROM ledger WHERE store_id = ? LIMIT 1", (store,))
        if not products or written.fetchone():
            continue
        rng = random.Random(store)
        for p in products:
            recorded += _item(Tx(c), site_id, UUID(store), p.orderable_id, rng, now)
    outbox.set_state(c, DONE, now.isoformat())
    log.info("demo history recorded", extra={"documents": recorded})
    return recorded


def _item(tx: Tx, site_id: UUID, store: UUID, item: UUID, rng: random.Random, now: datetime) -> int:
    """Monthly deliveries and issues most days; now and then the shelf runs empty."""
    daily = rng.randint(5, 40)
    start = datetime.combine(now.date() - timedelta(days=DAYS), time(9), UTC)
    batch_id, balance, documents = None, 0, 0
    for day in range(DAYS):
        when = start + timedelta(days=day)
        if day % 30 == 0:
            lot = f"DEMO-{when:%y%m}"
            receipt = ReceiveStock(
                store, item, lot, when.date() + timedelta(days=700), daily * rng.randint(22, 34),
                when, ACTOR, source="Kenya Medical Supplies Authority",
            )  # fmt: skip
            batch_id = handlers.receive_stock(tx, site_id, receipt, now).batch.batch_id
            balance, documents = receipt.quantity, documents + 1  # issues draw on the new lot
        issued = min(balance, max(0, int(rng.gauss(daily, daily / 3))))
        if batch_id is None or issued == 0 or rng.random() < 0.15:
            continue
        line = MovementLine(item, batch_id, issued)
        issue = RecordMovements(store, LedgerKind.ISSUE, (line,), when + timedelta(hours=4), ACTOR)
        handlers.record_movements(tx, site_id, issue, now)
        balance, documents = balance - issued, documents + 1
    return documents
