"""The site's alerts, re-evaluated for the items a document moved, with the shared rules.

Evaluation runs in the document's transaction, once per item per commit group, just before
COMMIT (`writer.defer`): alerts commit with the stock they describe, never lag it, and a
burst of documents on one item costs one evaluation. Alerts are derived state: if their
evaluation fails it is logged and undone, and the document is still recorded.

AMC here is consumption over the look-back window without the stock-out-day adjustment
central makes from the full card; thresholds are the domain defaults (central's per-program
settings do not reach sites yet).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from uuid import UUID, uuid4

from akiba_stock.alerts import (
    ActiveAlert,
    AlertKind,
    BatchState,
    ItemState,
    Thresholds,
    evaluate,
    transitions,
)
from akiba_stock.consumption import CONSUMPTION_KINDS, LookBack, amc, months_of_stock
from akiba_sync_gateway.adapters import writer
from akiba_sync_gateway.ids import at, day, key, uuid_or_none

THRESHOLDS = Thresholds()


def refresh_before_commit(
    conn: sqlite3.Connection, store_id: UUID, items: Iterable[UUID], now: datetime
) -> None:
    """Refresh these items' alerts once, in this transaction, just before it commits.

    Under group commit many documents share a transaction; each item they moved is then
    evaluated once, against the group's final stock, rather than once per document.
    """
    for item_id in items:
        work = partial(refresh, store_id=store_id, items=(item_id,), now=now)
        writer.defer(conn, ("alerts", store_id, item_id), work)


def refresh(
    conn: sqlite3.Connection, *, store_id: UUID, items: Iterable[UUID], now: datetime
) -> None:
    """Start and end the alerts of these items of the store as of now."""
    for item_id in items:
        state = item_state(conn, store_id, item_id, now)
        before = _active(conn, store_id, item_id)
        started, ended = transitions(before, evaluate(state, THRESHOLDS, now.date()))
        for alert in ended:
            conn.execute(
                "DELETE FROM alerts WHERE store_id = ? AND item_id = ? AND batch_id = ?"
                " AND kind = ?",
                (str(store_id), str(item_id), key(alert.batch_id), alert.kind.value),
            )
        for alert in started:
            _start(conn, alert, state, now)


def item_state(conn: sqlite3.Connection, store_id: UUID, item_id: UUID, now: datetime) -> ItemState:
    """SOH per batch and consumption in the look-back window of one item in one store."""
    rows = conn.execute(
        "SELECT s.batch_id, b.expiry_date, sum(s.quantity) FROM stock_on_hand s"
        " LEFT JOIN batches b ON b.batch_id = s.batch_id"
        " WHERE s.store_id = ? AND s.item_id = ? GROUP BY s.batch_id",
        (str(store_id), str(item_id)),
    ).fetchall()
    window = LookBack(now)
    kinds = [k.value for k in CONSUMPTION_KINDS]
    (used,) = conn.execute(
        "SELECT coalesce(-sum(quantity), 0) FROM ledger WHERE store_id = ? AND item_id = ?"
        f" AND movement_type IN ({','.join('?' * len(kinds))}) AND occurred_at >= ?",
        (str(store_id), str(item_id), *kinds, at(window.start)),
    ).fetchone()
    batches = tuple(BatchState(UUID(r[0]), day(r[1]), int(r[2])) for r in rows)
    return ItemState(
        store_id, item_id, sum(b.soh for b in batches), amc(int(used), window), int(used), batches
    )


def store_item_known(conn: sqlite3.Connection, store_id: UUID, item_id: UUID) -> bool:
    """Whether the site knows both the store and the item."""
    found = conn.execute(
        "SELECT (SELECT 1 FROM stores WHERE store_id = ?), (SELECT 1 FROM items WHERE item_id = ?)",
        (str(store_id), str(item_id)),
    ).fetchone()
    return bool(found[0] and found[1])


def _active(conn: sqlite3.Connection, store_id: UUID, item_id: UUID) -> set[ActiveAlert]:
    rows = conn.execute(
        "SELECT kind, batch_id FROM alerts WHERE store_id = ? AND item_id = ?",
        (str(store_id), str(item_id)),
    ).fetchall()
    return {ActiveAlert(AlertKind(r[0]), store_id, item_id, uuid_or_none(r[1])) for r in rows}


def _start(conn: sqlite3.Connection, alert: ActiveAlert, state: ItemState, now: datetime) -> None:
    mos = months_of_stock(state.soh, state.amc)
    conn.execute(
        "INSERT INTO alerts (store_id, item_id, batch_id, kind, alert_id, started_at,"
        " stock_on_hand, amc, months_of_stock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(alert.store_id), str(alert.item_id), key(alert.batch_id), alert.kind.value,
            str(uuid4()), at(now), state.soh, _text(state.amc), _text(mos),
        ),
    )  # fmt: skip


def _text(value: object) -> str | None:
    return None if value is None else str(value)
