"""Running balances of movements that extend a stock card at its end, without the database.

Most postings add entries after everything an item's card already holds; their balances
follow from the balances at the end of the card (the stock on hand) by adding up. Only a
back-dated entry, which lands inside the card, needs the rows after it recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from akiba_stock.model import StockMovement

ItemKey = tuple[UUID, UUID]  # (store, item): one stock card


@dataclass(frozen=True)
class CardEnd:
    """Where an item's card in a store ends: its last entry's place and the balances there."""

    last: tuple[datetime, int] | None  # (occurred_at, store_sequence); None: an empty card
    batch_balances: Mapping[UUID | None, int] = field(default_factory=dict)

    @property
    def item_balance(self) -> int:
        """The item's balance over all its batches."""
        return sum(self.batch_balances.values())


@dataclass(frozen=True)
class Appended:
    """Balances (item, batch) per movement id, and the cards the caller must recompute."""

    balances: dict[UUID, tuple[int, int]]
    backdated: set[ItemKey]


def append(movements: Iterable[StockMovement], ends: Mapping[ItemKey, CardEnd]) -> Appended:
    """Running balances for every card the movements extend at its end; the others are listed."""
    by_card: dict[ItemKey, list[StockMovement]] = {}
    for m in movements:
        by_card.setdefault((m.store_id, m.item_id), []).append(m)
    balances: dict[UUID, tuple[int, int]] = {}
    backdated: set[ItemKey] = set()
    for key, rows in by_card.items():
        rows.sort(key=lambda m: (m.occurred_at, m.store_sequence))
        end = ends.get(key, CardEnd(None))
        if end.last is not None and (rows[0].occurred_at, rows[0].store_sequence) < end.last:
            backdated.add(key)
            continue
        item, batches = end.item_balance, dict(end.batch_balances)
        for m in rows:
            item += m.quantity
            batch = batches[m.batch.batch_id] = batches.get(m.batch.batch_id, 0) + m.quantity
            balances[m.movement_id] = (item, batch)
    return Appended(balances, backdated)
