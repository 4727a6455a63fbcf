"""Two ingest instances meeting the same new lot both get it (scale-out of edge ingestion)."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from akiba_contracts.payloads.edge import edge_batch_id
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.adapters.edge import AsyncpgEdgeRepository
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_platform.db import create_pool
from akiba_stock.model import Batch


async def test_a_lot_another_instance_is_inserting_is_read_once_it_commits(
    databases: Databases,
) -> None:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=4)
    item = uuid4()
    await pool.execute("insert into items (item_id, code, name) values ($1, $2, 'i')", item, "I")
    wanted = {(item, "LOT-NEW"): Batch(edge_batch_id(item, "LOT-NEW"), item, "LOT-NEW", None)}
    try:
        async with pool.acquire() as first, pool.acquire() as second:
            tx = first.transaction()
            await tx.start()
            await AsyncpgEdgeRepository(first).batches(wanted)  # inserted, not yet committed
            async with second.transaction():
                waiting = asyncio.create_task(AsyncpgEdgeRepository(second).batches(wanted))
                await asyncio.sleep(0.2)  # the second waits on the first's uncommitted row
                assert not waiting.done()
                await tx.commit()
                got = await waiting
        assert got == wanted
    finally:
        await pool.close()
