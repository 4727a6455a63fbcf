"""The site's ledger by day, as requisitions read it: the same columns and day rules central's
projection uses (akiba_replenish.ledger), summed from the site's own ledger rows.

A store's history may have begun centrally before the site took it over (the site then holds
its stock on hand, not those old rows), so a balance before a day is the stock on hand now
less every entry since, not the sum of the entries before it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID

from akiba_contracts.payloads.inventory import MovementType
from akiba_replenish.ledger import ADJUSTED, CONSUMED, RECEIVED, Day, figures_over
from akiba_replenish.lines import LedgerFigures
from akiba_sync_gateway.ids import id_chunks


def _in(column: str, values: frozenset[MovementType]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in sorted(values))})"


# occurred_at is ISO 8601 in UTC, so its first ten characters are the day it counts on.
_DAYS = f"""
SELECT item_id, substr(occurred_at, 1, 10),
       sum(CASE WHEN {_in("movement_type", RECEIVED)} THEN quantity ELSE 0 END),
       sum(CASE WHEN {_in("movement_type", CONSUMED)} THEN -quantity ELSE 0 END),
       sum(CASE WHEN {_in("movement_type", ADJUSTED)} THEN quantity ELSE 0 END),
       sum(quantity)
  FROM ledger
 WHERE store_id = ? AND occurred_at >= ? AND occurred_at < ? AND item_id IN ({{items}})
 GROUP BY item_id, substr(occurred_at, 1, 10)
"""
_SINCE = """
SELECT item_id, sum(quantity) FROM ledger
 WHERE store_id = ? AND occurred_at >= ? AND item_id IN ({items})
 GROUP BY item_id
"""


class SiteLedgerFigures:
    """Reads the site's ledger and stock on hand inside one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def on_hand(self, store_id: UUID, item_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each item's balance now."""
        out: dict[UUID, int] = {}
        for chunk in id_chunks(item_ids):
            rows = self.conn.execute(
                "SELECT item_id, sum(quantity) FROM stock_on_hand WHERE store_id = ?"
                f" AND item_id IN ({','.join('?' * len(chunk))}) GROUP BY item_id",
                (str(store_id), *chunk),
            ).fetchall()
            out.update({UUID(r[0]): int(r[1]) for r in rows})
        return out

    def days(
        self, store_id: UUID, item_ids: Sequence[UUID], since: date, until: date
    ) -> dict[UUID, list[Day]]:
        """Each item's movements per day over [since, until)."""
        out: dict[UUID, list[Day]] = {i: [] for i in item_ids}
        ids = {str(i): i for i in item_ids}  # parsed once, not once per row
        days: dict[str, date] = {}
        for chunk in id_chunks(item_ids):
            sql = _DAYS.format(items=",".join("?" * len(chunk)))
            args = (str(store_id), since.isoformat(), until.isoformat(), *chunk)
            for item, day, received, consumed, adjusted, net in self.conn.execute(sql, args):
                when = days.get(day) or days.setdefault(day, date.fromisoformat(day))
                out[ids[item]].append(Day(when, received, consumed, adjusted, net))
        return out

    def net_since(self, store_id: UUID, item_ids: Sequence[UUID], since: date) -> dict[UUID, int]:
        """Each item's net movement from `since` on."""
        out: dict[UUID, int] = {}
        for chunk in id_chunks(item_ids):
            sql = _SINCE.format(items=",".join("?" * len(chunk)))
            rows = self.conn.execute(sql, (str(store_id), since.isoformat(), *chunk)).fetchall()
            out.update({UUID(r[0]): int(r[1]) for r in rows})
        return out

    def over(
        self, store_id: UUID, item_ids: Sequence[UUID], periods: Sequence[tuple[date, date]]
    ) -> dict[UUID, list[LedgerFigures]]:
        """Each item's figures for each period (oldest first)."""
        first, after = periods[0][0], periods[-1][1] + timedelta(days=1)
        days = self.days(store_id, item_ids, first, after)
        # Balance before the first day = now, less what moved after the periods and in them.
        now, later = self.on_hand(store_id, item_ids), self.net_since(store_id, item_ids, after)
        return {
            i: figures_over(
                now.get(i, 0) - later.get(i, 0) - sum(d.net for d in days[i]), days[i], periods
            )
            for i in item_ids
        }

    def consumed(
        self, store_id: UUID, item_ids: Sequence[UUID], start: date, end: date
    ) -> dict[UUID, int]:
        """Each item's consumption over [start, end]."""
        days = self.days(store_id, item_ids, start, end + timedelta(days=1))
        return {i: sum(d.consumed for d in found) for i, found in days.items()}
