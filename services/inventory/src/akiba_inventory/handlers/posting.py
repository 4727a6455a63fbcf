"""The posting path: numbered movements to the ledger, the stores advanced, events queued."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

from akiba_inventory.adapters.ledger import Level
from akiba_inventory.outbound import level_changed, movement_recorded
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import current_traceparent
from akiba_stock import model
from akiba_stock.model import StockMovement

T = TypeVar("T")
R = TypeVar("R")


async def post_and_publish(
    uow: InventoryUnitOfWork, movements: list[StockMovement], *, central: bool = True
) -> list[Level]:
    """Post numbered movements (of any stores; the ledger moves the stores' counters on), queue
    their events and the lines' levels."""
    trace = current_traceparent()  # once per posting: it is the same for every row
    # The movements' events need nothing from the database: serialise them while it writes.
    posting = asyncio.create_task(uow.ledger.post(movements, central=central))
    try:
        events = await _meanwhile(
            lambda part: [movement_recorded(m, trace) for m in part], movements
        )
    finally:
        await asyncio.wait([posting])
    levels = posting.result()
    newest = {model.line_of(m): m.movement_id for m in movements}
    uow.publish(*events)
    uow.publish(*(level_changed(lv, newest[lv.line], trace) for lv in levels))
    return levels


async def _meanwhile(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], chunk: int = 250
) -> list[R]:
    """CPU work in chunks, yielding between them so a database task can send its next statement."""
    out: list[R] = []
    for i in range(0, len(items), chunk):
        await asyncio.sleep(0)
        out += work(items[i : i + chunk])
    return out
