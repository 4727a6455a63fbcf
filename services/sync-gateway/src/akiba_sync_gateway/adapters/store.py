"""The write side of one SQLite transaction: what handlers read and write, in SQL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads.reference import AdjustmentReasonChanged
from akiba_stock.errors import InvalidMovement, ItemNotFound, StoreNotFound
from akiba_stock.ledger import LedgerEntry, LedgerKind, StockLine
from akiba_stock.model import Batch, StockMovement, line_of
from akiba_stock.programs import ProgramScope, check_programs
from akiba_stock.reference import AdjustmentReason, ReasonCategory, ReasonDirection
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at, day, id_chunks, key, opt, uuid_or_none


class StoreNotReady(StoreNotFound):
    """The site was given the store but central has not yet said where its ledger stands."""


@dataclass(frozen=True)
class SiteStore:
    """A store this site writes, and where its ledger stands."""

    store_id: UUID
    next_sequence: int
    facility_type_id: UUID | None
    site_version: int | None = None


class Tx:
    """Queries and writes inside one transaction on the writer thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def managed_store(self, store_id: UUID) -> SiteStore:
        """The store if this site writes it, it is active and central handed it over."""
        row = self.conn.execute(
            "SELECT next_sequence, facility_type_id, ready, site_version FROM stores"
            " WHERE store_id = ? AND managed = 1 AND active = 1",
            (str(store_id),),
        ).fetchone()
        if row is None:
            raise StoreNotFound(f"store {store_id} is not a store this site manages")
        if not row[2]:
            raise StoreNotReady(
                f"store {store_id} was given to this site, but central has not yet said where"
                " its ledger stands; it can be written once the site has synced"
            )
        return SiteStore(store_id, row[0], uuid_or_none(row[1]), row[3])

    def check_items(self, ids: Iterable[UUID]) -> None:
        """Every item is known and active."""
        for item_id in sorted(set(ids)):
            row = self.conn.execute(
                "SELECT 1 FROM items WHERE item_id = ? AND active = 1", (str(item_id),)
            ).fetchone()
            if row is None:
                raise ItemNotFound(f"item {item_id} does not exist or is inactive")

    def active_items(self, ids: Iterable[UUID]) -> set[UUID]:
        """Which of these items are known and active."""
        return {
            UUID(r[0])
            for part in id_chunks(set(ids))
            for r in self.conn.execute(
                f"SELECT item_id FROM items WHERE active = 1 AND item_id IN ({_marks(part)})", part
            )
        }

    def active_locations(self, store_id: UUID, ids: Iterable[UUID | None]) -> set[UUID]:
        """Which of these locations are active locations of the store."""
        wanted = {i for i in ids if i is not None}
        return {
            UUID(r[0])
            for part in id_chunks(wanted)
            for r in self.conn.execute(
                "SELECT location_id FROM locations WHERE store_id = ? AND active = 1"
                f" AND location_id IN ({_marks(part)})",
                (str(store_id), *part),
            )
        }

    def lots(self, wanted: Iterable[tuple[UUID, str]]) -> dict[tuple[UUID, str], Batch]:
        """The batches known here for these (item, lot code) pairs; unknown lots are left out."""
        found = {lot: self.batch_by_lot(*lot) for lot in set(wanted)}
        return {lot: b for lot, b in found.items() if b is not None}

    def check_programs(self, ids: Iterable[UUID], programs: ProgramScope) -> None:
        """Every item belongs to one of the programs (or to none); OutOfProgramScope if not."""
        if programs is None:
            return
        found = {
            item_id: [UUID(p) for p in json.loads(row[0])]
            for item_id in set(ids)
            if (row := self.conn.execute(
                "SELECT program_ids FROM items WHERE item_id = ?", (str(item_id),)
            ).fetchone()) is not None
        }  # fmt: skip
        check_programs(programs, found)

    def check_locations(self, store_id: UUID, ids: Iterable[UUID | None]) -> None:
        """Every named location is an active location of the store."""
        for location_id in sorted({i for i in ids if i is not None}):
            row = self.conn.execute(
                "SELECT 1 FROM locations WHERE location_id = ? AND store_id = ? AND active = 1",
                (str(location_id), str(store_id)),
            ).fetchone()
            if row is None:
                raise InvalidMovement(f"location {location_id} is not an active location here")

    def batch_by_lot(self, item_id: UUID, lot_code: str) -> Batch | None:
        """The item's batch with this lot code, if known."""
        row = self.conn.execute(
            "SELECT batch_id, expiry_date FROM batches WHERE item_id = ? AND lot_code = ?",
            (str(item_id), lot_code),
        ).fetchone()
        return None if row is None else Batch(UUID(row[0]), item_id, lot_code, day(row[1]))

    def add_batch(self, batch: Batch) -> None:
        """Keep a lot first seen here."""
        self.conn.execute(
            "INSERT INTO batches (batch_id, item_id, lot_code, expiry_date) VALUES (?, ?, ?, ?)",
            (str(batch.batch_id), str(batch.item_id), batch.lot_code, _date(batch)),
        )

    def batches(self, wanted: dict[UUID, UUID]) -> dict[UUID, Batch]:
        """The batches (id → item) that exist for their items; InvalidMovement otherwise."""
        found = {}
        for batch_id, item_id in wanted.items():
            row = self.conn.execute(
                "SELECT lot_code, expiry_date FROM batches WHERE batch_id = ? AND item_id = ?",
                (str(batch_id), str(item_id)),
            ).fetchone()
            if row is None:
                raise InvalidMovement(f"batch {batch_id} is not a batch of that item")
            found[batch_id] = Batch(batch_id, item_id, row[0], day(row[1]))
        return found

    def reason(self, reason_id: UUID) -> AdjustmentReason | None:
        """An adjustment reason as the feed last sent it."""
        row = self.conn.execute(
            "SELECT data FROM reasons WHERE reason_id = ?", (str(reason_id),)
        ).fetchone()
        return None if row is None else reason_of(json.loads(row[0]))

    def balances(self, lines: Iterable[StockLine]) -> dict[StockLine, int]:
        """Current stock on hand of each line (0 if it never moved)."""
        return {ln: self._balance(ln) for ln in set(lines)}

    def _balance(self, line: StockLine) -> int:
        row = self.conn.execute(
            "SELECT quantity FROM stock_on_hand"
            " WHERE store_id = ? AND item_id = ? AND batch_id = ? AND location_id = ?",
            _line_key(line),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def post(self, movements: list[StockMovement], event_ids: list[UUID]) -> None:
        """Append the movements, move stock on hand and the store's next sequence."""
        balances = self.balances(line_of(m) for m in movements)
        for m, event_id in zip(movements, event_ids, strict=True):
            balances[line_of(m)] += m.quantity
            self._append(m, balances[line_of(m)], event_id)
        for line, quantity in balances.items():
            last = max(m.store_sequence for m in movements if line_of(m) == line)
            self.conn.execute(
                "INSERT INTO stock_on_hand (store_id, item_id, batch_id, location_id, quantity,"
                " store_sequence) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                " quantity = excluded.quantity, store_sequence = excluded.store_sequence",
                (*_line_key(line), quantity, last),
            )
        self.conn.execute(
            "UPDATE stores SET next_sequence = ? WHERE store_id = ?",
            (max(m.store_sequence for m in movements) + 1, str(movements[0].store_id)),
        )

    def _append(self, m: StockMovement, balance: int, event_id: UUID) -> None:
        self.conn.execute(
            "INSERT INTO ledger (store_id, store_sequence, movement_id, item_id, batch_id,"
            " location_id, movement_type, quantity, line_balance, occurred_at, recorded_at,"
            " actor, reason_id, reference, source, event_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(m.store_id), m.store_sequence, str(m.movement_id), str(m.item_id),
                str(m.batch.batch_id), key(m.location_id), m.movement_type.value, m.quantity,
                balance, at(m.occurred_at), at(m.recorded_at), m.actor, opt(m.reason_id),
                m.reference, m.source, str(event_id),
            ),
        )  # fmt: skip

    def add_to_outbox(self, event: CloudEvent, store_id: UUID, first: int, count: int) -> None:
        """Queue a recorded document's event for the forwarder."""
        outbox.queue(self.conn, event, str(store_id), first, count)

    def entries_after(self, store_id: UUID, sequence: int) -> list[LedgerEntry]:
        """The store's ledger entries recorded after a sequence, in recording order."""
        rows = self.conn.execute(
            "SELECT * FROM ledger WHERE store_id = ? AND store_sequence > ?"
            " ORDER BY store_sequence",
            (str(store_id), sequence),
        ).fetchall()
        return [entry_of_row(r) for r in rows]


def entry_of_row(r: sqlite3.Row) -> LedgerEntry:
    """A ledger row as the ledger's rules see it."""
    line = StockLine(
        UUID(r["store_id"]), UUID(r["item_id"]), UUID(r["batch_id"]), uuid_or_none(r["location_id"])
    )
    return LedgerEntry(
        line,
        LedgerKind(r["movement_type"]),
        int(r["quantity"]),
        _moment(r["occurred_at"]),
        int(r["store_sequence"]),
        reason_id=uuid_or_none(r["reason_id"]),
        reference=r["reference"],
        entry_id=UUID(r["movement_id"]),
    )


def reason_of(data: dict[str, Any]) -> AdjustmentReason:
    """A stored AdjustmentReasonChanged payload as the domain's reason."""
    p = AdjustmentReasonChanged.model_validate(data)
    return AdjustmentReason(
        reason_id=p.reason_id,
        name=p.name,
        direction=ReasonDirection(p.direction.value),
        category=ReasonCategory(p.category.value),
        program_ids=tuple(p.program_ids),
        facility_type_ids=tuple(p.facility_type_ids),
        active=p.active,
        version=p.version,
    )


def _marks(values: list[str]) -> str:
    return ", ".join("?" * len(values))


def _line_key(line: StockLine) -> tuple[str, str, str, str]:
    return (str(line.store_id), str(line.item_id), key(line.batch_id), key(line.location_id))


def _date(batch: Batch) -> str | None:
    return batch.expiry_date.isoformat() if batch.expiry_date else None


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
