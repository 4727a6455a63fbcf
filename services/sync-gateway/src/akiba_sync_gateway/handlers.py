"""Commands recorded at the site: checked by the shared stock domain, written in one transaction.

Each function runs on the writer thread inside one SQLite transaction: the ledger rows, stock
on hand, the store's next sequence, alerts and the outbox event commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from akiba_contracts.payloads.edge import SiteDocumentType, edge_batch_id
from akiba_stock import model, reasons
from akiba_stock.commands import MoveStock, ReceiveStock, RecordMovements
from akiba_stock.ledger import LedgerKind, StockOnHand, require_available
from akiba_stock.model import Batch, StockMovement
from akiba_sync_gateway import alerting
from akiba_sync_gateway.adapters.store import SiteStore, Tx
from akiba_sync_gateway.events import chunks, document_event

_DOCUMENT = {
    LedgerKind.ISSUE: SiteDocumentType.ISSUE,
    LedgerKind.ADJUSTMENT_POSITIVE: SiteDocumentType.ADJUSTMENT,
    LedgerKind.ADJUSTMENT_NEGATIVE: SiteDocumentType.ADJUSTMENT,
}


def receive_stock(tx: Tx, site_id: UUID, cmd: ReceiveStock, now: datetime) -> StockMovement:
    """A receipt; a lot first seen here gets the id every site and central compute for it."""
    store = tx.managed_store(cmd.store_id)
    tx.check_items({cmd.item_id})
    tx.check_programs({cmd.item_id}, cmd.programs)
    tx.check_locations(store.store_id, {cmd.location_id})
    batch = tx.batch_by_lot(cmd.item_id, cmd.lot_code)
    if batch is None:
        batch_id = edge_batch_id(cmd.item_id, cmd.lot_code)
        batch = Batch(batch_id, cmd.item_id, cmd.lot_code, cmd.expiry_date)
        tx.add_batch(batch)
    movement = model.receive(cmd, batch, store.next_sequence, now)
    record_document(tx, site_id, SiteDocumentType.RECEIPT, [movement], now, store.site_version)
    return movement


def record_movements(
    tx: Tx, site_id: UUID, cmd: RecordMovements, now: datetime
) -> list[StockMovement]:
    """An issue or adjustment document; refused whole if a reason misfits or a line overdraws."""
    store = tx.managed_store(cmd.store_id)
    tx.check_items({ln.item_id for ln in cmd.lines})
    tx.check_programs({ln.item_id for ln in cmd.lines}, cmd.programs)
    tx.check_locations(store.store_id, {ln.location_id for ln in cmd.lines})
    batches = tx.batches({ln.batch_id: ln.item_id for ln in cmd.lines})
    check_reasons(tx, cmd, store)
    movements = model.record(cmd, batches, store.next_sequence, now)
    record_document(tx, site_id, _DOCUMENT[cmd.kind], movements, now, store.site_version)
    return movements


def move_stock(tx: Tx, site_id: UUID, cmd: MoveStock, now: datetime) -> list[StockMovement]:
    """Units of a batch from one location of the store to another."""
    store = tx.managed_store(cmd.store_id)
    tx.check_items({cmd.item_id})
    tx.check_programs({cmd.item_id}, cmd.programs)
    tx.check_locations(store.store_id, {cmd.from_location_id, cmd.to_location_id})
    batch = tx.batches({cmd.batch_id: cmd.item_id})[cmd.batch_id]
    movements = model.move(cmd, batch, store.next_sequence, now)
    record_document(tx, site_id, SiteDocumentType.LOCATION_MOVE, movements, now, store.site_version)
    return movements


def check_reasons(tx: Tx, cmd: RecordMovements, store: SiteStore) -> None:
    """Each reason is known, active, fits the movement and is valid for the program here."""
    found = {i: tx.reason(i) for i in reasons.named(ln.reason_id for ln in cmd.lines)}
    reasons.check_document(cmd, found, store.facility_type_id)


def record_document(
    tx: Tx,
    site_id: UUID,
    kind: SiteDocumentType,
    movements: list[StockMovement],
    now: datetime,
    site_version: int | None = None,
) -> None:
    """Refuse overdraws as central does, then write the ledger, SOH, alerts and outbox events."""
    check_available(tx, movements)
    event_ids = []
    for part in chunks(movements):
        event = document_event(site_id, kind, part, now, site_version)
        tx.add_to_outbox(event, part[0].store_id, part[0].store_sequence, len(part))
        event_ids += [UUID(event.id)] * len(part)
    tx.post(movements, event_ids)
    alerting.refresh_before_commit(
        tx.conn, movements[0].store_id, {m.item_id for m in movements}, now
    )


def check_available(tx: Tx, movements: list[StockMovement]) -> None:
    """The site is its stores' only writer, so it keeps central's rule: no line below zero."""
    taken = model.removals(movements)
    if not taken:  # receipts and positive adjustments: nothing to overdraw, nothing to read
        return
    balances = tx.balances(taken)
    require_available(taken, {line: StockOnHand(line, balances[line]) for line in taken})
