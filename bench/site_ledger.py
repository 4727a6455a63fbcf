"""A year of one site store's ledger for the site requisition bench: generated, written into the
gateway's `ledger` and `stock_on_hand` in the shape `adapters/store.py` `Tx.post` writes them,
and the figures a requisition must show, computed from the generated rows alone."""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from uuid import UUID

from akiba_contracts.payloads.inventory import MovementType as M
from akiba_sync_gateway.ids import at

ISSUE_DAYS = 0.85  # an item is issued on most days the store is open
LATE = 0.1  # a delivery is late now and then: the store runs out before it comes
DAYS_PER_MONTH = 30  # OpenLMIS's month in adjusted consumption


@dataclass(frozen=True)
class Stock:
    """What the ledger rows are about: the store, its items (one lot each) and the reasons."""

    store: UUID
    items: Sequence[UUID]
    batches: Sequence[UUID]
    loss: UUID  # a debit reason
    found: UUID  # a credit reason


@dataclass(frozen=True)
class Expected:
    """One item's figures over one period, from the generated rows."""

    opening: int
    received: int
    consumed: int
    adjusted: int
    closing: int
    stockout_days: int


Row = tuple[str, int, str, str, str, str, str, int, int, str, str, str, str | None, str, str, str]


def year(rng: random.Random, stock: Stock, today: date) -> list[Row]:
    """Every movement of the 365 days before today, in recording order (store sequence)."""
    ids = _ids(rng)
    first = today - timedelta(days=365)
    items = [_Item(rng, i, b, first) for i, b in zip(stock.items, stock.batches, strict=True)]
    rows: list[Row] = []
    for back in range(365, 0, -1):
        day = today - timedelta(days=back)
        # A day's receipts are one document, its issues another, and so on.
        doc = {kind: str(next(ids)) for kind in M}
        moves = sorted(m for item in items for m in item.moves(rng, day, stock))
        for m in moves:
            rows.append((
                str(stock.store), len(rows) + 1, str(next(ids)), m.item, m.batch, "",
                m.kind.value, m.quantity, m.balance, m.when, m.when, "bench-clerk", m.reason,
                f"{m.kind.value}-{day}", "bench", doc[m.kind],
            ))  # fmt: skip
    return rows


class _Move(NamedTuple):
    """One movement as generated; (when, item) is unique, so sorting never compares further."""

    when: str
    item: str
    batch: str
    kind: M
    quantity: int
    balance: int  # the item's (its only lot's) balance just after it
    reason: str | None


class _Item:
    """One item's demand, stock and next delivery."""

    def __init__(self, rng: random.Random, item: UUID, batch: UUID, first: date) -> None:
        self.item, self.batch = str(item), str(batch)
        self.demand = rng.randint(2, 60)
        self.balance = 0
        self.delivery = first + timedelta(days=rng.randint(0, 3))

    def moves(self, rng: random.Random, day: date, stock: Stock) -> Iterator[_Move]:
        """The day's movements: a delivery up to three weeks' demand when one is due, issues near
        the daily demand while there is stock, a loss or a find now and then."""
        if day >= self.delivery:
            wanted = self.demand * rng.randint(16, 22) - self.balance
            yield self._move(rng, day, 8, M.RECEIPT, max(self.demand, wanted), None)
            late = rng.randint(4, 12) if rng.random() < LATE else 0
            self.delivery = day + timedelta(days=rng.randint(12, 16) + late)
        if self.balance > 0 and rng.random() < ISSUE_DAYS:
            want = max(1, round(rng.gauss(self.demand, self.demand / 3)))
            yield self._move(rng, day, 10, M.ISSUE, -min(self.balance, want), None)
        if self.balance > 0 and rng.random() < 0.01:
            loss = -rng.randint(1, min(5, self.balance))
            yield self._move(rng, day, 17, M.ADJUSTMENT_NEGATIVE, loss, str(stock.loss))
        elif rng.random() < 0.003:
            found = rng.randint(1, 5)
            yield self._move(rng, day, 17, M.ADJUSTMENT_POSITIVE, found, str(stock.found))

    def _move(
        self, rng: random.Random, day: date, hour: int, kind: M, quantity: int, reason: str | None
    ) -> _Move:
        self.balance += quantity
        # An item's receipt comes before its issues and they before a loss (distinct hours), so
        # sorting the store's day by time keeps each item's running balance in order.
        spread = rng.randint(0, 5) if kind is M.ISSUE else 0
        moment = datetime.combine(day, time(hour + spread, rng.randint(0, 59)), UTC)
        return _Move(at(moment), self.item, self.batch, kind, quantity, self.balance, reason)


def _ids(rng: random.Random) -> Iterator[UUID]:
    while True:
        yield uuid.UUID(int=rng.getrandbits(128), version=4)


def write(conn: sqlite3.Connection, rows: Sequence[Row]) -> None:
    """The rows, stock on hand after them and the store's next sequence, in one transaction."""
    on_hand: dict[tuple[str, str, str], tuple[int, int]] = {}
    for r in rows:
        on_hand[(r[0], r[3], r[4])] = (r[8], r[1])  # the line's balance after its last row
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO ledger (store_id, store_sequence, movement_id, item_id, batch_id,"
        " location_id, movement_type, quantity, line_balance, occurred_at, recorded_at,"
        " actor, reason_id, reference, source, event_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO stock_on_hand (store_id, item_id, batch_id, location_id, quantity,"
        " store_sequence) VALUES (?, ?, ?, '', ?, ?)",
        [(*line, *last) for line, last in on_hand.items()],
    )
    conn.execute(
        "UPDATE stores SET next_sequence = ? WHERE store_id = ?", (len(rows) + 1, rows[0][0])
    )
    # No ANALYZE: the gateway never runs it, so a site's planner has no statistics either.
    conn.execute("COMMIT")


def expected(
    rows: Sequence[Row], periods: Sequence[tuple[date, date]]
) -> dict[UUID, list[Expected]]:
    """Each item's figures over each period, summed from the rows by their UTC day: the balance
    before it, received, issued, adjusted, the balance after it, and the days that closed on
    no stock (a day without movements closes on the balance of the day before)."""
    net: dict[str, dict[date, list[int]]] = {}
    for r in rows:
        kind, quantity = r[6], r[7]
        sums = net.setdefault(r[3], {}).setdefault(date.fromisoformat(r[9][:10]), [0, 0, 0, 0])
        column = 0 if kind == M.RECEIPT else 1 if kind == M.ISSUE else 2
        sums[column] += -quantity if column == 1 else quantity
        sums[3] += quantity
    return {UUID(item): [_period(days, s, e) for s, e in periods] for item, days in net.items()}


_STILL = [0, 0, 0, 0]  # a day the item did not move


def _period(days: dict[date, list[int]], start: date, end: date) -> Expected:
    balance = sum(v[3] for d, v in days.items() if d < start)
    opening, received, consumed, adjusted, out = balance, 0, 0, 0, 0
    for n in range((end - start).days + 1):
        r, c, a, net = days.get(start + timedelta(days=n), _STILL)
        received, consumed, adjusted = received + r, consumed + c, adjusted + a
        balance += net
        out += balance <= 0
    return Expected(opening, received, consumed, adjusted, balance, out)


def average_consumption(figures: Sequence[Expected], spans: Sequence[tuple[date, date]]) -> int:
    """P as OpenLMIS states it: the mean (rounded up) of the adjusted consumption of this period
    and of the earlier ones the item was not out of stock all through."""
    *before, now = zip(figures, spans, strict=True)
    used = [now, *((f, s) for f, s in before if f.stockout_days < (s[1] - s[0]).days + 1)]
    adjusted = [_adjusted(f) for f, _ in used]
    return -(-sum(adjusted) // len(adjusted))


def _adjusted(f: Expected) -> int:
    # N = C x 30 / (30 - X) rounded up (in integers: exact); C when no day, or every day, was
    # out of stock.
    stocked = DAYS_PER_MONTH - f.stockout_days
    if f.stockout_days == 0 or stocked <= 0:
        return f.consumed
    return -(-f.consumed * DAYS_PER_MONTH // stocked)
