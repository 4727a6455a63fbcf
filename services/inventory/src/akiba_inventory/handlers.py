"""One async function per command."""

from __future__ import annotations

from datetime import UTC, datetime

from akiba_inventory.domain import model
from akiba_inventory.domain.commands import ReceiveStock
from akiba_inventory.domain.errors import ItemNotFound, StoreNotFound
from akiba_inventory.domain.model import StockMovement
from akiba_inventory.outbound import movement_recorded
from akiba_inventory.uow import InventoryUnitOfWork


async def receive_stock(cmd: ReceiveStock, uow: InventoryUnitOfWork) -> StockMovement:
    """Record a receipt: ledger row and outbox row in one transaction."""
    async with uow:
        sequence = await uow.ledger.lock_store(cmd.store_id)
        if sequence is None:
            raise StoreNotFound(f"store {cmd.store_id} does not exist or is inactive")
        if not await uow.ledger.item_is_active(cmd.item_id):
            raise ItemNotFound(f"item {cmd.item_id} does not exist or is inactive")
        batch = await uow.ledger.batch(cmd.item_id, cmd.lot_code)
        if batch is None:
            batch = await uow.ledger.add_batch(model.new_batch(cmd))
        movement = model.receive(cmd, batch, sequence, datetime.now(UTC))
        await uow.ledger.add_movements([movement])
        uow.publish(movement_recorded(movement))
        await uow.commit()
    return movement
