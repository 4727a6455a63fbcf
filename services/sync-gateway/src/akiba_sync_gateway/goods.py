"""Goods received at a site's store: one delivery recorded as one receipt document, kept here.

The lines are checked by the rules central uses (`akiba_stock.goods`), posted to the local
ledger and queued as one `SiteStockRecorded` receipt document (split only past the event's
line limit), so central applies them in the store's order like any site document.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from akiba_contracts.payloads.edge import SiteDocumentType, edge_batch_id
from akiba_contracts.stock_http.goods import GoodsReceivedResponse, GoodsReceivedSummary
from akiba_stock import goods
from akiba_stock.commands import ReceiveGoods
from akiba_stock.model import StockMovement
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.handlers import record_document
from akiba_sync_gateway.ids import at
from akiba_sync_gateway.views import require_store

CENTS = Decimal("0.0001")  # a price as central's numeric(18, 4) gives it back


def receive_goods(tx: Tx, site_id: UUID, cmd: ReceiveGoods, now: datetime) -> None:
    """Check every line, add the lots first seen (with the id central computes for them),
    post the receipts as one site document and keep the goods-received document."""
    store = tx.managed_store(cmd.store_id)
    items = {ln.item_id for ln in cmd.lines}
    tx.check_programs(items, cmd.programs)
    known = goods.Known(
        items=tx.active_items(items),
        locations=tx.active_locations(store.store_id, {ln.location_id for ln in cmd.lines}),
        lots=tx.lots({goods.lot_of(ln) for ln in cmd.lines}),
    )
    goods.check(cmd, known, now)
    added = goods.new_lots(cmd, known.lots, edge_batch_id)
    for batch in added:
        tx.add_batch(batch)
    lots = {**known.lots, **{(b.item_id, b.lot_code): b for b in added}}
    movements = goods.receive(cmd, lots, store.next_sequence, now)
    record_document(tx, site_id, SiteDocumentType.RECEIPT, movements, now, store.site_version)
    _keep(tx.conn, _document(cmd, movements))


def _document(cmd: ReceiveGoods, movements: list[StockMovement]) -> GoodsReceivedResponse:
    first = movements[0]
    lines = [
        {
            "line_index": i, "item_id": m.item_id, "batch_id": m.batch.batch_id,
            "lot_code": m.batch.lot_code, "expiry_date": m.batch.expiry_date,
            "quantity": m.quantity, "location_id": m.location_id,
            "unit_price": None if ln.unit_price is None else ln.unit_price.quantize(CENTS),
            "movement_id": m.movement_id,
        }
        for i, (ln, m) in enumerate(zip(cmd.lines, movements, strict=True))
    ]  # fmt: skip
    return GoodsReceivedResponse.model_validate(
        {
            "document_id": cmd.document_id, "store_id": cmd.store_id, "supplier": cmd.supplier,
            "reference_kind": cmd.reference_kind, "reference_number": cmd.reference_number,
            "received_at": first.occurred_at, "note": cmd.note, "recorded_by": cmd.actor,
            "recorded_at": first.recorded_at, "line_count": len(lines),
            "total_quantity": sum(m.quantity for m in movements), "lines": lines,
        }
    )  # fmt: skip


def _keep(conn: sqlite3.Connection, doc: GoodsReceivedResponse) -> None:
    conn.execute(
        "INSERT INTO goods_received (document_id, store_id, reference_number, recorded_at,"
        " document) VALUES (?, ?, ?, ?, ?)",
        (str(doc.document_id), str(doc.store_id), doc.reference_number, at(doc.recorded_at),
         doc.model_dump_json()),
    )  # fmt: skip


def document(
    conn: sqlite3.Connection, store_id: UUID, document_id: UUID
) -> GoodsReceivedResponse | None:
    """One document of a store the site manages, with its lines; None if there is none."""
    require_store(conn, store_id)
    row = conn.execute(
        "SELECT document FROM goods_received WHERE document_id = ? AND store_id = ?",
        (str(document_id), str(store_id)),
    ).fetchone()
    return None if row is None else GoodsReceivedResponse.model_validate_json(row[0])


def page(
    conn: sqlite3.Connection, store_id: UUID, reference: str | None, page: int, size: int
) -> tuple[list[GoodsReceivedSummary], int]:
    """A page of the store's documents (of one reference number), newest first, no lines."""
    require_store(conn, store_id)
    where = " WHERE store_id = ? AND (? IS NULL OR reference_number = ?)"
    args = (str(store_id), reference, reference)
    total = conn.execute("SELECT count(*) FROM goods_received" + where, args).fetchone()[0]
    rows = conn.execute(
        "SELECT json_remove(document, '$.lines') FROM goods_received" + where
        + " ORDER BY recorded_at DESC, document_id LIMIT ? OFFSET ?",
        (*args, size, page * size),
    ).fetchall()  # fmt: skip
    return [GoodsReceivedSummary.model_validate_json(r[0]) for r in rows], int(total)
