"""What the databases hold for the test's item once the load has stopped: inventory's ledger
and stock, and what requisition and fulfillment made of inventory's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tests.scale.deployment import Replicas

Key = tuple[UUID, UUID]  # (store, batch)


async def _sums(r: Replicas, sql: str, item: UUID) -> dict[Any, int]:
    return {tuple(row)[:-1]: row[-1] for row in await r.fetch(sql, item)}


@dataclass(frozen=True)
class Books:
    """Inventory's ledger by lot code, and every projection of it by (store, batch)."""

    lots: dict[str, int]  # lot code → ledger rows
    site_movements: set[UUID]
    ledger: dict[Key, int]  # sum of the ledger
    on_hand: dict[Key, int]  # written with the ledger
    projected: dict[Key, int]  # inventory's projector: stock levels
    fulfillment: dict[Key, int]  # fulfillment's stock lines, from inventory's stock levels
    ledger_by_store: dict[tuple[UUID], int]
    requisition: dict[tuple[UUID], int]  # requisition's movement days (sums), by store

    @classmethod
    async def read(
        cls,
        inventory: Replicas,
        requisition: Replicas,
        fulfillment: Replicas,
        item: UUID,
        site_stores: list[UUID],
    ) -> Books:
        by_lot = await inventory.fetch(
            "select b.lot_code, count(*) from stock_movements m join batches b"
            " using (batch_id) where m.item_id = $1 group by 1",
            item,
        )
        site = await inventory.fetch(
            "select movement_id from stock_movements where store_id = any($1)", site_stores
        )
        by_batch = "select store_id, batch_id, sum({}) from {} where item_id = $1 group by 1, 2"
        by_store = "select store_id, sum({}) from {} where item_id = $1 group by 1"
        return cls(
            {r[0]: r[1] for r in by_lot},
            {r[0] for r in site},
            await _sums(inventory, by_batch.format("quantity", "stock_movements"), item),
            await _sums(inventory, by_batch.format("quantity", "stock_on_hand"), item),
            await _sums(inventory, by_batch.format("quantity_on_hand", "stock_levels"), item),
            await _sums(fulfillment, by_batch.format("on_hand", "stock_lines"), item),
            await _sums(inventory, by_store.format("quantity", "stock_movements"), item),
            await _sums(requisition, by_store.format("net", "movement_days"), item),
        )

    def settled(self, expected: set[str]) -> bool:
        """Every expected write is in the ledger and every projection has caught up."""
        return (
            self.lots.keys() >= expected
            and self.projected == self.ledger
            and self.fulfillment == self.ledger
            and self.requisition == self.ledger_by_store
        )

    def missing(self, expected: set[str]) -> set[str]:
        return expected - set(self.lots)

    def doubled(self) -> set[str]:
        return {lot for lot, n in self.lots.items() if n > 1}

    def unasked(self, expected: set[str]) -> set[str]:
        return set(self.lots) - expected


def short_and_over(ledger: dict[Any, int], projection: dict[Any, int]) -> tuple[int, int]:
    """How many keys a projection holds less than the ledger for, and how many more."""
    short = sum(1 for k, q in ledger.items() if projection.get(k, 0) < q)
    over = sum(1 for k, q in projection.items() if q > ledger.get(k, 0))
    return short, over
