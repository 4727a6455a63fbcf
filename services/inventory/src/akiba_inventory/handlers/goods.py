"""Goods received at a central store: a supplier's whole delivery posted as one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from akiba_inventory.adapters.stores import WritableStore
from akiba_inventory.handlers.checks import central_store
from akiba_inventory.handlers.posting import post_and_publish
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_stock import goods
from akiba_stock.commands import ReceiveGoods
from akiba_stock.model import StockMovement
from akiba_stock.programs import check_programs


async def receive_goods(cmd: ReceiveGoods, uow: InventoryUnitOfWork) -> list[StockMovement]:
    """Check every line, create the lots first seen, post the receipts and keep the document."""
    async with uow:
        store = await central_store(uow, cmd.store_id)
        now = datetime.now(UTC)
        known = await _known(uow, store, cmd)
        goods.check(cmd, known, now)
        # New lots get a fresh id, as a single receipt's do. Should another store's writer add
        # one of them meanwhile with another expiry, posting refuses it (BatchConflict, 409).
        added = await uow.stores.add_lots(goods.new_lots(cmd, known.lots, lambda _i, _l: uuid4()))
        movements = goods.receive(cmd, {**known.lots, **added}, store.next_sequence, now)
        await post_and_publish(uow, movements)
        await uow.goods.add(cmd, movements)
        await uow.commit()
    return movements


async def _known(uow: InventoryUnitOfWork, store: WritableStore, cmd: ReceiveGoods) -> goods.Known:
    """What the records say of the lines; 403 first if an item is outside the author's programs."""
    items = {ln.item_id for ln in cmd.lines}
    if cmd.programs is not None:
        check_programs(cmd.programs, await uow.stores.item_programs(items))
    wanted = {ln.location_id for ln in cmd.lines if ln.location_id is not None}
    return goods.Known(
        items=items - await uow.stores.inactive_items(items),
        locations=await uow.stores.active_locations(store.store_id, wanted),
        lots=await uow.stores.lots({goods.lot_of(ln) for ln in cmd.lines}),
    )
