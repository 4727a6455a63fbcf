"""Inventory's unit of work: its repositories on the platform's transaction."""

from __future__ import annotations

from akiba_inventory.adapters.alerts import AlertRepository, AsyncpgAlerts
from akiba_inventory.adapters.edge import AsyncpgEdgeRepository, EdgeRepository
from akiba_inventory.adapters.goods import AsyncpgGoodsReceived, GoodsReceivedRepository
from akiba_inventory.adapters.ledger import AsyncpgLedger, Ledger
from akiba_inventory.adapters.reference import AsyncpgReferenceRepository, ReferenceRepository
from akiba_inventory.adapters.reservations import AsyncpgReservations, Reservations
from akiba_inventory.adapters.stocktakes import AsyncpgStocktakes, StocktakeRepository
from akiba_inventory.adapters.stores import AsyncpgStoreRepository, StoreRepository
from akiba_inventory.adapters.writers import AsyncpgWriters, Writers
from akiba_platform import UnitOfWork


class InventoryUnitOfWork(UnitOfWork):
    """One transaction over the stores, the ledger, reference data, stocktakes, alerts, who
    writes each store, edge ingestion's tables, goods received, shipments' reservations, the
    outbox and the inbox."""

    stores: StoreRepository
    ledger: Ledger
    reference: ReferenceRepository
    stocktakes: StocktakeRepository
    alerts: AlertRepository
    writers: Writers
    edge: EdgeRepository
    reservations: Reservations
    goods: GoodsReceivedRepository

    def _open(self) -> None:
        self.stores = AsyncpgStoreRepository(self.conn)
        self.ledger = AsyncpgLedger(self.conn)
        self.reference = AsyncpgReferenceRepository(self.conn)
        self.stocktakes = AsyncpgStocktakes(self.conn)
        self.alerts = AsyncpgAlerts(self.conn)
        self.writers = AsyncpgWriters(self.conn)
        self.edge = AsyncpgEdgeRepository(self.conn)
        self.reservations = AsyncpgReservations(self.conn)
        self.goods = AsyncpgGoodsReceived(self.conn)
