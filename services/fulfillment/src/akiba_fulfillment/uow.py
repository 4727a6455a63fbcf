"""Fulfillment's unit of work: its repositories on the platform's transaction."""

from __future__ import annotations

from akiba_fulfillment.adapters.supply_lines import (
    AsyncpgSupplyLineRepository,
    SupplyLineRepository,
)
from akiba_platform import UnitOfWork


class FulfillmentUnitOfWork(UnitOfWork):
    """One transaction over the supply lines, the outbox and the inbox."""

    supply_lines: SupplyLineRepository

    def _open(self) -> None:
        self.supply_lines = AsyncpgSupplyLineRepository(self.conn)
