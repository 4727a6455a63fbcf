"""One async function per command."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from akiba_inventory.adapters.ledger import Level
from akiba_inventory.adapters.repository import WritableStore
from akiba_inventory.outbound import level_changed, movement_recorded
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.telemetry import current_traceparent
from akiba_stock import model, reasons
from akiba_stock.commands import HoldStock, MoveStock, ReceiveStock, RecordMovements
from akiba_stock.errors import (
    InvalidMovement,
    ItemNotFound,
    StoreManagedBySite,
    StoreNotFound,
)
from akiba_stock.ledger import StockLine
from akiba_stock.model import Batch, StockMovement
from akiba_stock.programs import ProgramScope, check_programs
from akiba_stock.reference import AdjustmentReason

T = TypeVar("T")
R = TypeVar("R")


async def receive_stock(cmd: ReceiveStock, uow: InventoryUnitOfWork) -> StockMovement:
    """Record a receipt: ledger row, stock on hand and their events in one transaction."""
    async with uow:
        store = await central_store(uow, cmd.store_id)
        await check_items(uow, {cmd.item_id}, cmd.programs)
        await check_locations(uow, store, {cmd.location_id})
        batch = await uow.ledger.batch(cmd.item_id, cmd.lot_code)
        if batch is None:
            batch = await uow.ledger.add_batch(model.new_batch(cmd))
        movement = model.receive(cmd, batch, store.next_sequence, datetime.now(UTC))
        await post_and_publish(uow, [movement])
        await uow.commit()
    return movement


async def record_movements(cmd: RecordMovements, uow: InventoryUnitOfWork) -> list[StockMovement]:
    """Record an issue or adjustment document; refused whole if any line overdraws."""
    async with uow:
        store = await central_store(uow, cmd.store_id)
        await check_items(uow, {ln.item_id for ln in cmd.lines}, cmd.programs)
        await check_locations(uow, store, {ln.location_id for ln in cmd.lines})
        batches = await load_batches(uow, {ln.batch_id: ln.item_id for ln in cmd.lines})
        await check_reasons(uow, cmd, store)
        movements = model.record(cmd, batches, store.next_sequence, datetime.now(UTC))
        await post_and_publish(uow, movements)
        await uow.commit()
    return movements


async def move_stock(cmd: MoveStock, uow: InventoryUnitOfWork) -> list[StockMovement]:
    """Move units of a batch between two locations of the store."""
    async with uow:
        store = await central_store(uow, cmd.store_id)
        await check_items(uow, {cmd.item_id}, cmd.programs)
        await check_locations(uow, store, {cmd.from_location_id, cmd.to_location_id})
        batch = (await load_batches(uow, {cmd.batch_id: cmd.item_id}))[cmd.batch_id]
        movements = model.move(cmd, batch, store.next_sequence, datetime.now(UTC))
        await post_and_publish(uow, movements)
        await uow.commit()
    return movements


async def hold_stock(cmd: HoldStock, uow: InventoryUnitOfWork) -> Level:
    """Put a stock line on hold or release it; nothing is issued from a held line."""
    async with uow:
        await central_store(uow, cmd.store_id)
        check_programs(cmd.programs, await uow.ledger.item_programs({cmd.item_id}))
        line = StockLine(cmd.store_id, cmd.item_id, cmd.batch_id, cmd.location_id)
        level = await uow.writer.hold(line, cmd.on_hold)
        if level is None:
            raise InvalidMovement("no stock has ever been recorded on that line")
        await uow.commit()
    return level


async def post_and_publish(
    uow: InventoryUnitOfWork, movements: list[StockMovement], *, central: bool = True
) -> list[Level]:
    """Post numbered movements (of any stores), advance the stores, queue events and levels."""
    trace = current_traceparent()  # once per posting: it is the same for every row
    # The movements' events need nothing from the database: serialise them while it writes.
    posting = asyncio.create_task(uow.writer.post(movements, central=central))
    try:
        events = await _meanwhile(
            lambda part: [movement_recorded(m, trace) for m in part], movements
        )
    finally:
        await asyncio.wait([posting])
    levels = posting.result()
    last: dict[UUID, int] = {}
    for m in movements:
        last[m.store_id] = max(last.get(m.store_id, 0), m.store_sequence)
    await uow.ledger.advance(last)
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


async def central_store(uow: InventoryUnitOfWork, store_id: UUID) -> WritableStore:
    """Lock a store central commands may write; 404 or 409 otherwise."""
    store = await uow.ledger.lock_store(store_id)
    if store is None or not store.active:
        raise StoreNotFound(f"store {store_id} does not exist or is inactive")
    if not store.accepts_central_writes:
        raise StoreManagedBySite(
            f"store {store_id} is managed by a site: its stock is recorded at the site"
        )
    return store


async def check_items(
    uow: InventoryUnitOfWork, ids: set[UUID], programs: ProgramScope = None
) -> None:
    """Every item exists and is active, and belongs to the author's programs (403 otherwise)."""
    missing = await uow.ledger.inactive_items(ids)
    if missing:
        raise ItemNotFound(f"item {sorted(missing)[0]} does not exist or is inactive")
    if programs is not None:
        check_programs(programs, await uow.ledger.item_programs(ids))


async def check_locations(
    uow: InventoryUnitOfWork, store: WritableStore, ids: set[UUID | None]
) -> None:
    """Every named location is an active location of the store."""
    wanted = {i for i in ids if i is not None}
    unknown = wanted - await uow.ledger.active_locations(store.store_id, wanted)
    if unknown:
        raise InvalidMovement(f"location {sorted(unknown)[0]} is not an active location here")


async def load_batches(uow: InventoryUnitOfWork, wanted: dict[UUID, UUID]) -> dict[UUID, Batch]:
    """The batches (id → item) that exist for their items; 422 otherwise."""
    found = await uow.ledger.batches(wanted)
    unknown = set(wanted) - set(found)
    if unknown:
        raise InvalidMovement(f"batch {sorted(unknown)[0]} is not a batch of that item")
    return found


async def check_reasons(
    uow: InventoryUnitOfWork, cmd: RecordMovements, store: WritableStore
) -> None:
    """Each reason exists, fits the movement and is valid for the program here."""
    ids = reasons.named(ln.reason_id for ln in cmd.lines)
    found = {i: await uow.reference.get(AdjustmentReason, i) for i in ids}
    reasons.check_document(cmd, found, store.facility_type_id)
