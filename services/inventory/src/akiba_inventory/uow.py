"""Inventory's unit of work: the ledger repository on the platform's transaction."""

from __future__ import annotations

from typing import Any, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from akiba_inventory.adapters.ledger import AsyncpgLedger
from akiba_inventory.adapters.reference import AsyncpgReferenceRepository
from akiba_inventory.adapters.repository import AsyncpgLedgerRepository
from akiba_inventory.adapters.stocktakes import AsyncpgStocktakes
from akiba_platform.db import Connection
from akiba_platform.outbox import AsyncpgOutbox
from akiba_platform.uow import UnitOfWork


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


class ConsumerUnitOfWork(InventoryUnitOfWork):
    """The same repositories on a consumer's connection, whose transaction the loop commits."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(cast("asyncpg.Pool[Any]", None))
        self.conn = cast("PoolConnectionProxy[Any]", conn)
        self._open()

    async def commit(self) -> None:
        """Write the queued events to the outbox; the ConsumerLoop commits the transaction."""
        await AsyncpgOutbox(self.conn).put(self._messages)
        self._messages.clear()
