"""Posting the documents that apply: set-based for the whole batch, one by one if refused.

The database is the last judge of content (a text it cannot store, a number beyond a column,
a constraint): when it refuses the batch's posting, the documents post again one at a time,
each in its own savepoint, and the one it refuses is voided like any document central cannot
apply, so its store's later documents still apply and the site hears why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

import asyncpg

from akiba_contracts.payloads.edge import edge_batch_id
from akiba_inventory.handlers.posting import post_and_publish
from akiba_stock.edge import EdgeDocument
from akiba_stock.errors import InventoryError
from akiba_stock.model import Batch

if TYPE_CHECKING:
    from akiba_inventory.consumers.edge.ingest import Candidate, EdgeBatch

# What the database (or the ledger's rules) refuses because of what a document says.
CONTENT_ERRORS = (
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
    InventoryError,
)


async def post_runs(batch: EdgeBatch, runs: dict[UUID, list[Candidate]]) -> None:
    """Post every store's run, skip voided documents, move the stores on and acknowledge."""
    if not runs:
        return
    posting = [c for run in runs.values() for c in run if not batch.is_voided(c)]
    try:
        async with batch.uow.savepoint():
            await _post(batch, [c.doc for c in posting if c.doc is not None])
    except CONTENT_ERRORS:
        for c in posting:
            await _post_alone(batch, c)
    # Posting moved each store past its last posted document; a run ending in a void goes on.
    ends = {
        s: run[-1].first_sequence + run[-1].line_count
        for s, run in runs.items()
        if batch.is_voided(run[-1])
    }
    await batch.uow.edge.advance(ends)
    batch.acknowledge(runs)


async def _post_alone(batch: EdgeBatch, c: Candidate) -> None:
    try:
        async with batch.uow.savepoint():
            await _post(batch, [c.doc] if c.doc is not None else [])
    except CONTENT_ERRORS as exc:
        batch.void(c, f"central cannot store it: {type(exc).__name__}: {exc}")


async def _post(batch: EdgeBatch, docs: list[EdgeDocument]) -> None:
    if not docs:
        return
    lots = {(ln.item_id, ln.lot_code): ln.expiry_date for d in docs for ln in d.lines}
    # One Batch (and one uuid5) per distinct lot, not per line: a batch has few lots.
    batches = await batch.uow.edge.batches(
        {(i, lot): Batch(edge_batch_id(i, lot), i, lot, exp) for (i, lot), exp in lots.items()}
    )
    # Every store's run in one posting: the statements are set-based over stores, and a
    # posting per store made a consumer batch fifty round trips of each statement.
    movements = [m for d in docs for m in d.movements(batches, batch.now)]
    levels = await post_and_publish(batch.uow, movements, central=False)
    await batch.uow.edge.flag_negative(levels)
