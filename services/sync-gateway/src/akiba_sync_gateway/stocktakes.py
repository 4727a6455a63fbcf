"""Stocktakes at the site: the shared Stocktake rules over rows kept in SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from uuid import UUID, uuid4

from akiba_contracts.payloads.edge import SiteDocumentType
from akiba_stock import reasons
from akiba_stock.commands import CreateStocktake, EnterCounts, FinaliseStocktake
from akiba_stock.ledger import StockLine
from akiba_stock.model import StockMovement
from akiba_stock.reference import AdjustmentReason
from akiba_stock.stocktake import Stocktake, StocktakeLine, StocktakeStatus, check_open
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.handlers import record_document
from akiba_sync_gateway.ids import at, key, opt, uuid_or_none

# The reason a count names, checked as one that may explain a variance (None: no reason).
Why = Callable[[UUID | None], AdjustmentReason | None]


def create(tx: Tx, cmd: CreateStocktake, now: datetime) -> UUID:
    """Snapshot stock on hand in scope as of the store's last sequence."""
    store_id, actor = cmd.store_id, cmd.actor
    store = tx.managed_store(store_id)
    tx.check_programs(cmd.item_ids, cmd.programs)
    stocktake_id = uuid4()
    tx.conn.execute(
        "INSERT INTO stocktakes (stocktake_id, store_id, status, snapshot_sequence, item_ids,"
        " location_ids, program_id, reference, created_by, created_at, updated_at)"
        " VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(stocktake_id), str(store_id), store.next_sequence - 1,
            json.dumps([str(i) for i in cmd.item_ids]),
            json.dumps([str(i) for i in cmd.location_ids]),
            opt(cmd.program_id), cmd.reference, actor, at(now), at(now),
        ),
    )  # fmt: skip
    tx.conn.execute(
        "INSERT INTO stocktake_lines (stocktake_id, item_id, batch_id, location_id, snapshot)"
        " SELECT ?, item_id, batch_id, location_id, quantity FROM stock_on_hand"
        " WHERE store_id = ? AND quantity != 0" + _in("item_id", cmd.item_ids)
        + _in("location_id", cmd.location_ids),
        (str(stocktake_id), str(store_id), *map(str, cmd.item_ids),
         *map(str, cmd.location_ids)),
    )  # fmt: skip
    return stocktake_id


def enter_counts(tx: Tx, cmd: EnterCounts, now: datetime) -> None:
    """Enter counts (also of batches not in the snapshot); refused once finalised."""
    store_id, stocktake_id, actor, counts = cmd.store_id, cmd.stocktake_id, cmd.actor, cmd.counts
    stocktake, why = load(tx, store_id, stocktake_id)
    tx.check_programs({c.item_id for c in counts}, cmd.programs)
    tx.batches({c.batch_id: c.item_id for c in counts})
    tx.check_locations(store_id, {c.location_id for c in counts})
    for c in counts:
        line = StockLine(store_id, c.item_id, c.batch_id, c.location_id)
        stocktake.count(line, c.counted, why(c.reason_id))
        tx.conn.execute(
            "INSERT INTO stocktake_lines (stocktake_id, item_id, batch_id, location_id, snapshot,"
            " counted, reason_id, counted_by, counted_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)"
            " ON CONFLICT DO UPDATE SET counted = excluded.counted, reason_id ="
            " excluded.reason_id, counted_by = excluded.counted_by,"
            " counted_at = excluded.counted_at",
            (
                str(stocktake_id), str(c.item_id), str(c.batch_id), key(c.location_id),
                c.counted, opt(c.reason_id), actor, at(now),
            ),
        )  # fmt: skip
    _set(tx, stocktake_id, "status = 'counting', updated_at = ?", at(now))


def finalise(tx: Tx, site_id: UUID, cmd: FinaliseStocktake, now: datetime) -> int:
    """Post each non-zero variance as a stocktake balance; return how many were posted."""
    store_id, stocktake_id, actor = cmd.store_id, cmd.stocktake_id, cmd.actor
    stocktake, _ = load(tx, store_id, stocktake_id)
    # Every counted line's variance is posted: its author must cover those items.
    counted = {s.line.item_id for s in stocktake.lines.values() if s.counted is not None}
    tx.check_programs(counted, cmd.programs)
    store = tx.managed_store(store_id)
    since = tx.entries_after(store_id, stocktake.snapshot_sequence)
    done = stocktake.finalise(since, now, store.next_sequence)
    batches = tx.batches({_batch(a.line): a.line.item_id for a in done.adjustments})
    movements = [
        StockMovement(
            movement_id=a.entry_id, store_id=store_id, store_sequence=a.store_sequence,
            item_id=a.line.item_id, batch=batches[_batch(a.line)],
            location_id=a.line.location_id, movement_type=a.kind, quantity=a.quantity,
            occurred_at=now, recorded_at=now, actor=actor, reference=a.reference,
            reason_id=a.reason_id,
        )
        for a in done.adjustments
    ]  # fmt: skip
    if movements:
        kind = SiteDocumentType.STOCKTAKE
        record_document(tx, site_id, kind, movements, now, store.site_version)
    posted: dict[tuple[UUID, UUID | None, UUID | None], UUID] = {
        (m.item_id, m.batch.batch_id, m.location_id): m.movement_id for m in movements
    }
    for v in done.variances:
        ident = (v.line.item_id, v.line.batch_id, v.line.location_id)
        tx.conn.execute(
            "UPDATE stocktake_lines SET expected = ?, movement_id = ? WHERE stocktake_id = ?"
            " AND item_id = ? AND batch_id = ? AND location_id = ?",
            (v.expected, opt(posted.get(ident)), str(stocktake_id), str(v.line.item_id),
             key(v.line.batch_id), key(v.line.location_id)),
        )  # fmt: skip
    _set(
        tx, stocktake_id,
        "status = 'finalised', finalised_by = ?, finalised_at = ?, updated_at = ?, adjustments = ?",
        actor, at(now), at(now), len(movements),
    )  # fmt: skip
    return len(movements)


def load(tx: Tx, store_id: UUID, stocktake_id: UUID) -> tuple[Stocktake, Why]:
    """The stocktake with its lines, as the domain object, and the reasons that may explain
    its variances; 404 or 409 if it cannot change."""
    head = tx.conn.execute(
        "SELECT status, snapshot_sequence, program_id FROM stocktakes"
        " WHERE stocktake_id = ? AND store_id = ?",
        (str(stocktake_id), str(store_id)),
    ).fetchone()
    check_open(store_id, stocktake_id, None if head is None else StocktakeStatus(head[0]))
    why = _explaining(tx, store_id, uuid_or_none(head[2]))
    stocktake = Stocktake(stocktake_id, store_id, {}, int(head[1]))
    for r in tx.conn.execute(
        "SELECT * FROM stocktake_lines WHERE stocktake_id = ?", (str(stocktake_id),)
    ):
        _restore(stocktake, r, why)
    stocktake.status = StocktakeStatus(head[0])
    return stocktake, why


def _explaining(tx: Tx, store_id: UUID, program_id: UUID | None) -> Why:
    """Central's rule for a variance's reason (an adjustment's, valid for the program at the
    store's facility type), so central never refuses what the site accepted."""
    facility_type_id = tx.managed_store(store_id).facility_type_id
    checked: dict[UUID, AdjustmentReason] = {}  # a stocktake names a few reasons, many times

    def why(reason_id: UUID | None) -> AdjustmentReason | None:
        if reason_id is None:
            return None
        if reason_id not in checked:
            found = tx.reason(reason_id)
            checked[reason_id] = reasons.for_variance(
                reason_id, found, program_id, facility_type_id
            )
        return checked[reason_id]

    return why


def _restore(stocktake: Stocktake, r: sqlite3.Row, why: Why) -> None:
    line = StockLine(
        stocktake.store_id, UUID(r["item_id"]), UUID(r["batch_id"]), uuid_or_none(r["location_id"])
    )
    stocktake.lines[line] = StocktakeLine(line, int(r["snapshot"]))
    if r["counted"] is not None:
        stocktake.count(line, int(r["counted"]), why(uuid_or_none(r["reason_id"])))


def _batch(line: StockLine) -> UUID:
    # Every line a stocktake counts names a batch (counts require one).
    assert line.batch_id is not None
    return line.batch_id


def _in(column: str, ids: tuple[UUID, ...]) -> str:
    return f" AND {column} IN ({','.join('?' * len(ids))})" if ids else ""


def _set(tx: Tx, stocktake_id: UUID, assignments: str, *values: object) -> None:
    tx.conn.execute(
        f"UPDATE stocktakes SET {assignments} WHERE stocktake_id = ?", (*values, str(stocktake_id))
    )
