"""Fulfillment's unit of work: its repositories on the platform's transaction."""

from __future__ import annotations

from akiba_fulfillment.adapters.orders import AsyncpgOrders
from akiba_fulfillment.adapters.shipments import AsyncpgShipments
from akiba_fulfillment.adapters.stock import AsyncpgStock
from akiba_fulfillment.adapters.supply_lines import (
    AsyncpgSupplyLineRepository,
    SupplyLineRepository,
)
from akiba_platform import UnitOfWork


class FulfillmentUnitOfWork(UnitOfWork):
    """One transaction over supply lines, orders, shipments, the read models of inventory's
    stock, the outbox and the inbox."""

    supply_lines: SupplyLineRepository
    orders: AsyncpgOrders
    shipments: AsyncpgShipments
    stock: AsyncpgStock

    def _open(self) -> None:
        self.supply_lines = AsyncpgSupplyLineRepository(self.conn)
        self.orders = AsyncpgOrders(self.conn)
        self.shipments = AsyncpgShipments(self.conn)
        self.stock = AsyncpgStock(self.conn)
