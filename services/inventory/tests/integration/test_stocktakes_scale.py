"""A 5,000-line stocktake: snapshot, one counting call and finalise stay fast and exact."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.handlers.checks import central_store
from akiba_inventory.handlers.posting import post_and_publish
from akiba_inventory.settings import Settings
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import Batch, StockMovement

ITEMS, LOTS = 50, 100  # 5,000 stock lines


async def _stock(pool: asyncpg.Pool[Any], store: UUID) -> list[Batch]:
    """A store holding 5,000 batches, received through the real ledger writer."""
    items = [uuid4() for _ in range(ITEMS)]
    await pool.execute("insert into stores (store_id, code, name) values ($1, 's', 's')", store)
    await pool.execute(
        "insert into items (item_id, code, name) select i, i::text, 'i' from unnest($1::uuid[]) i",
        items,
    )
    batches = [Batch(uuid4(), item, f"L{n}", None) for item in items for n in range(LOTS)]
    await pool.executemany(
        "insert into batches (batch_id, item_id, lot_code) values ($1, $2, $3)",
        [(b.batch_id, b.item_id, b.lot_code) for b in batches],
    )
    now = datetime.now(UTC)
    kind = LedgerKind.RECEIPT
    receipts = [
        StockMovement(uuid4(), store, i + 1, b.item_id, b, None, kind, 100, now, now, "t")
        for i, b in enumerate(batches)
    ]
    async with InventoryUnitOfWork(pool) as uow:
        await central_store(uow, store)
        await post_and_publish(uow, receipts)
        await uow.commit()
    return batches


def _counted(i: int) -> tuple[int, str | None]:
    """A third found one more, a third missing one, a third as expected."""
    return [(101, "found"), (99, "lost"), (100, None)][i % 3]


async def test_a_5000_line_stocktake_is_counted_in_one_call_and_finalised_quickly(
    databases: Databases,
) -> None:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    store, issuer = uuid4(), TestIssuer()
    batches = await _stock(pool, store)
    reasons = {"found": uuid4(), "lost": uuid4()}
    for name, direction in (("found", "credit"), ("lost", "debit")):
        await pool.execute(
            "insert into adjustment_reasons (reason_id, name, direction, category)"
            " values ($1, $2, $3, 'physical_inventory')",
            reasons[name],
            name,
            direction,
        )
    _, token = issuer.user(f"STOCK_INVENTORIES_EDIT|{store}|{uuid4()}")
    app = create_app(Settings(), pool, issuer.authorizer)
    timings: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://inv", headers={"authorization": f"Bearer {token}"}
        ) as client:

            async def timed(step: str, path: str, body: Any = None) -> dict[str, Any]:
                start = time.perf_counter()
                r = await client.post(f"/stores/{store}/stocktakes{path}", json=body)
                timings[step] = time.perf_counter() - start
                assert r.status_code in (200, 201), r.text
                return dict(r.json())

            st = await timed("create", "", {})
            lines = []
            for i, b in enumerate(batches):
                counted, reason = _counted(i)
                line = {"item_id": str(b.item_id), "batch_id": str(b.batch_id), "counted": counted}
                lines.append({**line, "reason_id": str(reasons[reason])} if reason else line)
            counted_st = await timed("count", f"/{st['stocktake_id']}/counts", {"lines": lines})
            done = await timed("finalise", f"/{st['stocktake_id']}/finalise")
    on_hand = await pool.fetch(
        "select batch_id, quantity from stock_on_hand where store_id = $1", store
    )
    await pool.close()
    print(", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items()))
    assert (st["lines"], counted_st["counted"], done["adjustments"]) == (5000, 5000, 3334)
    expected = {b.batch_id: _counted(i)[0] for i, b in enumerate(batches)}
    assert {r["batch_id"]: r["quantity"] for r in on_hand} == expected
    # Speed is reported (printed above) and belongs to `make bench`; tests do not time things.
