"""Receipts, issues, adjustments, location moves and holds on a central store's ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from akiba_inventory.adapters.ledger import Level
from akiba_inventory.handlers.checks import (
    central_store,
    central_write,
    check_locations,
    check_reasons,
    known_batches,
)
from akiba_inventory.handlers.posting import post_and_publish
from akiba_inventory.outbound import level_changed
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import current_traceparent
from akiba_stock import model
from akiba_stock.commands import HoldStock, MoveStock, ReceiveStock, RecordMovements
from akiba_stock.errors import InvalidMovement
from akiba_stock.ledger import StockLine
from akiba_stock.model import StockMovement
from akiba_stock.programs import check_programs


async def receive_stock(cmd: ReceiveStock, uow: InventoryUnitOfWork) -> StockMovement:
    """Record a receipt: ledger row, stock on hand and their events in one transaction."""
    async with uow:
        lot = (cmd.item_id, cmd.lot_code)
        locked = await central_write(uow, cmd.store_id, {cmd.item_id}, cmd.programs, lots=[lot])
        store = locked.store
        await check_locations(uow, store, {cmd.location_id})
        batch = locked.lots.get(lot)
        if batch is None:
            batch = await uow.stores.add_batch(model.new_batch(cmd))
        movement = model.receive(cmd, batch, store.next_sequence, datetime.now(UTC))
        await post_and_publish(uow, [movement])
        await uow.commit()
    return movement


async def record_movements(cmd: RecordMovements, uow: InventoryUnitOfWork) -> list[StockMovement]:
    """Record an issue or adjustment document; refused whole if any line overdraws."""
    async with uow:
        wanted = {ln.batch_id: ln.item_id for ln in cmd.lines}
        items = {ln.item_id for ln in cmd.lines}
        locked = await central_write(uow, cmd.store_id, items, cmd.programs, batches=wanted)
        store = locked.store
        await check_locations(uow, store, {ln.location_id for ln in cmd.lines})
        batches = known_batches(wanted, locked.batches)
        await check_reasons(uow, cmd, store)
        movements = model.record(cmd, batches, store.next_sequence, datetime.now(UTC))
        await post_and_publish(uow, movements)
        await uow.commit()
    return movements


async def move_stock(cmd: MoveStock, uow: InventoryUnitOfWork) -> list[StockMovement]:
    """Move units of a batch between two locations of the store."""
    async with uow:
        wanted = {cmd.batch_id: cmd.item_id}
        locked = await central_write(uow, cmd.store_id, {cmd.item_id}, cmd.programs, batches=wanted)
        store = locked.store
        await check_locations(uow, store, {cmd.from_location_id, cmd.to_location_id})
        batch = known_batches(wanted, locked.batches)[cmd.batch_id]
        movements = model.move(cmd, batch, store.next_sequence, datetime.now(UTC))
        await post_and_publish(uow, movements)
        await uow.commit()
    return movements


async def hold_stock(cmd: HoldStock, uow: InventoryUnitOfWork) -> Level:
    """Put a stock line on hold or release it; nothing is issued from a held line."""
    async with uow:
        await central_store(uow, cmd.store_id)
        check_programs(cmd.programs, await uow.stores.item_programs({cmd.item_id}))
        line = StockLine(cmd.store_id, cmd.item_id, cmd.batch_id, cmd.location_id)
        level = await uow.ledger.hold(line, cmd.on_hold)
        if level is None:
            raise InvalidMovement("no stock has ever been recorded on that line")
        # Allocation reads holds from the levels topic: a held lot is never allocated.
        last = await uow.ledger.last_movements([level])
        uow.publish(level_changed(level, last[level.line], current_traceparent()))
        await uow.commit()
    return level
