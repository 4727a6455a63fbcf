"""Inventory's unit of work: the ledger repository on the platform's transaction."""

from __future__ import annotations

from akiba_inventory.adapters.ledger import AsyncpgLedger
from akiba_inventory.adapters.reference import AsyncpgReferenceRepository
from akiba_inventory.adapters.repository import AsyncpgLedgerRepository
from akiba_inventory.adapters.stocktakes import AsyncpgStocktakes
from akiba_platform import UnitOfWork


class InventoryUnitOfWork(UnitOfWork):
    """One transaction over the ledger, the outbox and the inbox."""

    ledger: AsyncpgLedgerRepository
    reference: AsyncpgReferenceRepository
    writer: AsyncpgLedger
    stocktakes: AsyncpgStocktakes

    def _open(self) -> None:
        self.ledger = AsyncpgLedgerRepository(self.conn)
        self.reference = AsyncpgReferenceRepository(self.conn)
        self.writer = AsyncpgLedger(self.conn)
        self.stocktakes = AsyncpgStocktakes(self.conn)
