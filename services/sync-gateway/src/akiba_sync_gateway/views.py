"""Read queries for the local API, each in one snapshot on the reader thread."""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from uuid import UUID

from akiba_stock.errors import StoreNotFound
from akiba_stock.ledger import running_balances
from akiba_stock.onhand import StockOnHandFilter
from akiba_sync_gateway.adapters.store import entry_of_row
from akiba_sync_gateway.ids import day, key, moment, uuid_or_none

Rows = tuple[list[dict[str, Any]], int]


def require_store(conn: sqlite3.Connection, store_id: UUID) -> None:
    """404 unless the site manages the store."""
    row = conn.execute(
        "SELECT 1 FROM stores WHERE store_id = ? AND managed = 1", (str(store_id),)
    ).fetchone()
    if row is None:
        raise StoreNotFound(f"store {store_id} is not a store this site manages")


def stock_on_hand(
    conn: sqlite3.Connection, store_id: UUID, filters: StockOnHandFilter, page: int, size: int
) -> Rows:
    """Stock on hand per batch and location, by item code then first expiry."""
    require_store(conn, store_id)
    where, args = _soh_where(store_id, filters)
    rows = conn.execute(
        f"SELECT s.*, i.code, i.name, b.lot_code, b.expiry_date{_SOH_FROM}{where}"
        " ORDER BY i.code, b.expiry_date IS NULL, b.expiry_date, b.lot_code, s.location_id"
        " LIMIT ? OFFSET ?",
        [*args, size, page * size],
    ).fetchall()
    if page == 0 and len(rows) < size:
        return [_soh(r) for r in rows], len(rows)  # the whole result fits this page
    (total,) = conn.execute(f"SELECT count(*){_SOH_FROM}{where}", args).fetchone()
    return [_soh(r) for r in rows], int(total)


# The filters narrow one store's lines, which the primary key's leading store_id finds; a few
# thousand rows need no index of their own for the rest (text included).
_SOH_FROM = (
    " FROM stock_on_hand s LEFT JOIN items i ON i.item_id = s.item_id"
    " LEFT JOIN batches b ON b.batch_id = s.batch_id"
)


def _soh_where(store_id: UUID, f: StockOnHandFilter) -> tuple[str, list[Any]]:
    """The filter as SQL, meaning what central's query makes of it."""
    clauses, args = ["s.store_id = ?"], [str(store_id)]

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        args.extend(values)

    if f.item_id is not None:
        add("s.item_id = ?", str(f.item_id))
    if f.location_id is not None:
        add("s.location_id = ?", str(f.location_id))
    if f.lot_code is not None:
        add("b.lot_code = ? COLLATE NOCASE", f.lot_code)
    if f.q is not None:
        add(r"(i.code LIKE ? ESCAPE '\' OR i.name LIKE ? ESCAPE '\')", *[_contains(f.q)] * 2)
    if f.expiring_before is not None:
        add("b.expiry_date < ?", f.expiring_before.isoformat())
    if f.on_hold:
        add("0")  # a site holds no stock (holds are central's): no line here is on hold
    if not f.include_empty:
        add("s.quantity != 0")
    if f.program_id is not None:
        add("EXISTS (SELECT 1 FROM json_each(i.program_ids) WHERE value = ?)", str(f.program_id))
    return " WHERE " + " AND ".join(clauses), args


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _soh(r: sqlite3.Row) -> dict[str, Any]:
    quantity = int(r["quantity"])
    return {
        "item_id": r["item_id"], "item_code": r["code"] or "", "item_name": r["name"] or "",
        "batch_id": uuid_or_none(r["batch_id"]), "lot_code": r["lot_code"],
        "expiry_date": day(r["expiry_date"]), "location_id": uuid_or_none(r["location_id"]),
        "quantity": quantity, "reserved": 0, "on_hold": False, "available": max(quantity, 0),
    }  # fmt: skip


def stock_card(
    conn: sqlite3.Connection,
    store_id: UUID,
    item_id: UUID,
    batch_id: UUID | None,
    page: int,
    size: int,
) -> Rows:
    """The item's (or batch's) ledger in card order with running balances."""
    require_store(conn, store_id)
    sql = "SELECT l.*, b.lot_code FROM ledger l JOIN batches b ON b.batch_id = l.batch_id"
    sql += " WHERE l.store_id = ? AND l.item_id = ?"
    args = [str(store_id), str(item_id)]
    if batch_id is not None:
        sql += " AND l.batch_id = ?"
        args.append(str(batch_id))
    rows = {r["movement_id"]: r for r in conn.execute(sql, args)}
    card = running_balances(entry_of_row(r) for r in rows.values())
    return [
        _card_row(rows[str(c.entry.entry_id)], c.balance)
        for c in card[page * size : (page + 1) * size]
    ], len(card)


def _card_row(r: sqlite3.Row, balance: int) -> dict[str, Any]:
    return {
        "movement_id": r["movement_id"], "store_sequence": r["store_sequence"],
        "occurred_at": moment(r["occurred_at"]), "recorded_at": moment(r["recorded_at"]),
        "movement_type": r["movement_type"], "batch_id": r["batch_id"], "lot_code": r["lot_code"],
        "location_id": uuid_or_none(r["location_id"]), "quantity": r["quantity"],
        "balance": balance, "actor": r["actor"], "reason_id": uuid_or_none(r["reason_id"]),
        "reference": r["reference"], "source": r["source"],
    }  # fmt: skip


def alerts(
    conn: sqlite3.Connection,
    store_id: UUID,
    kind: str | None,
    item_id: UUID | None,
    page: int,
    size: int,
) -> Rows:
    """The store's active alerts, newest first."""
    require_store(conn, store_id)
    where, args = " WHERE a.store_id = ?", [str(store_id)]
    for column, value in (("kind", kind), ("item_id", key(item_id) if item_id else None)):
        if value is not None:
            where += f" AND a.{column} = ?"
            args.append(value)
    (total,) = conn.execute(f"SELECT count(*) FROM alerts a{where}", args).fetchone()
    rows = conn.execute(
        "SELECT a.*, s.code AS store_code, i.code AS item_code, i.name AS item_name, b.lot_code,"
        " b.expiry_date FROM alerts a JOIN stores s ON s.store_id = a.store_id"
        " LEFT JOIN items i ON i.item_id = a.item_id LEFT JOIN batches b ON b.batch_id = a.batch_id"
        f"{where} ORDER BY a.started_at DESC, a.alert_id LIMIT ? OFFSET ?",
        [*args, size, page * size],
    ).fetchall()
    return [_alert(r) for r in rows], int(total)


def _alert(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "alert_id": r["alert_id"], "kind": r["kind"], "store_id": r["store_id"],
        "store_code": r["store_code"] or "", "item_id": r["item_id"],
        "item_code": r["item_code"] or "", "item_name": r["item_name"] or "",
        "batch_id": uuid_or_none(r["batch_id"]), "lot_code": r["lot_code"],
        "expiry_date": day(r["expiry_date"]), "started_at": moment(r["started_at"]),
        "stock_on_hand": r["stock_on_hand"], "amc": r["amc"],
        "months_of_stock": r["months_of_stock"],
    }  # fmt: skip


def stocktake(
    conn: sqlite3.Connection, store_id: UUID, stocktake_id: UUID
) -> dict[str, Any] | None:
    """A stocktake's header with its line and count totals."""
    rows = _stocktakes(
        conn, " WHERE t.store_id = ? AND t.stocktake_id = ?", [str(store_id), str(stocktake_id)]
    )
    return rows[0] if rows else None


def stocktakes(
    conn: sqlite3.Connection, store_id: UUID, status: str | None, page: int, size: int
) -> Rows:
    """The store's stocktakes, newest first."""
    require_store(conn, store_id)
    where, args = " WHERE t.store_id = ?", [str(store_id)]
    if status is not None:
        where += " AND t.status = ?"
        args.append(status)
    (total,) = conn.execute(f"SELECT count(*) FROM stocktakes t{where}", args).fetchone()
    rows = _stocktakes(
        conn, where + " ORDER BY t.created_at DESC LIMIT ? OFFSET ?", [*args, size, page * size]
    )
    return rows, int(total)


def _stocktakes(conn: sqlite3.Connection, where: str, args: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT t.*, (SELECT count(*) FROM stocktake_lines l WHERE l.stocktake_id ="
        " t.stocktake_id) AS lines, (SELECT count(*) FROM stocktake_lines l WHERE"
        " l.stocktake_id = t.stocktake_id AND l.counted IS NOT NULL) AS counted"
        f" FROM stocktakes t{where}",
        args,
    ).fetchall()
    return [_stocktake(r) for r in rows]


def _stocktake(r: sqlite3.Row) -> dict[str, Any]:
    out = {k: r[k] for k in r.keys()}  # noqa: SIM118  (sqlite3.Row is not a mapping)
    out["item_ids"] = json.loads(r["item_ids"])
    out["location_ids"] = json.loads(r["location_ids"])
    return out


def stocktake_lines(conn: sqlite3.Connection, stocktake_id: UUID, page: int, size: int) -> Rows:
    """A page of a stocktake's lines with snapshot, expected, counted and variance."""
    (total,) = conn.execute(
        "SELECT count(*) FROM stocktake_lines WHERE stocktake_id = ?", (str(stocktake_id),)
    ).fetchone()
    rows = conn.execute(
        "SELECT l.*, i.code, i.name, b.lot_code, b.expiry_date FROM stocktake_lines l"
        " LEFT JOIN items i ON i.item_id = l.item_id LEFT JOIN batches b ON b.batch_id = l.batch_id"
        " WHERE l.stocktake_id = ? ORDER BY i.code, b.lot_code, l.location_id LIMIT ? OFFSET ?",
        (str(stocktake_id), size, page * size),
    ).fetchall()
    return [_stocktake_line(r) for r in rows], int(total)


def _stocktake_line(r: sqlite3.Row) -> dict[str, Any]:
    expected, counted = r["expected"], r["counted"]
    return {
        "item_id": r["item_id"], "item_code": r["code"] or "", "item_name": r["name"] or "",
        "batch_id": r["batch_id"], "lot_code": r["lot_code"] or "",
        "expiry_date": day(r["expiry_date"]), "location_id": uuid_or_none(r["location_id"]),
        "snapshot": r["snapshot"], "expected": expected, "counted": counted,
        "variance": None if expected is None or counted is None else counted - expected,
        "reason_id": uuid_or_none(r["reason_id"]), "counted_by": r["counted_by"],
        "counted_at": moment(r["counted_at"]), "movement_id": uuid_or_none(r["movement_id"]),
    }  # fmt: skip
