"""A shipment received at the site, offline or not: its proof of delivery checked by the rules
central uses (akiba_replenish.receipts), the accepted lots posted to the site's ledger as one
receipt document, and the proof queued for central in the shipment's own lane, all in one
transaction on the writer thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.fulfillment_http import ProofOfDeliveryRequest, ShipmentResponse
from akiba_contracts.payloads import ShipmentStatus, SitePodLine, SiteShipmentReceived
from akiba_contracts.payloads.edge import SiteDocumentType
from akiba_contracts.rights import Right
from akiba_replenish import StaleVersion, WrongStatus
from akiba_replenish.access import Rights, at_facility
from akiba_replenish.receipts import Receipt, ReceiptError, check_receipts
from akiba_stock import model
from akiba_stock.commands import ReceiveStock
from akiba_stock.model import Batch, StockMovement
from akiba_sync_gateway.adapters.store import SiteStore, Tx
from akiba_sync_gateway.events import source
from akiba_sync_gateway.handlers import record_document
from akiba_sync_gateway.shipments import shapes, store
from akiba_sync_gateway.shipments.store import InboundNotFound


@dataclass(frozen=True)
class Receiver:
    """Who confirms: this site, the signed-in user, and when."""

    site_id: UUID
    gate: Rights
    now: datetime


def visible(c: sqlite3.Connection, gate: Rights, shipment_id: UUID) -> store.Inbound:
    """A shipment to a store where the caller holds PODS_VIEW; else as if it did not exist."""
    found = store.shipment(c, shipment_id)
    if found is None or not gate.allows(Right.PODS_VIEW, found.doc.receiving_facility_id, None):
        raise InboundNotFound(f"shipment {shipment_id} does not exist")
    return found


def confirm(
    c: sqlite3.Connection, who: Receiver, shipment_id: UUID, seen: int, pod: ProofOfDeliveryRequest
) -> ShipmentResponse:
    """Receive the shipment here: RECEIVED at once, the accepted stock on the shelves named."""
    s = visible(c, who.gate, shipment_id).doc
    at_facility(who.gate, Right.PODS_MANAGE, s.receiving_facility_id, None)
    if s.version != seen:
        raise StaleVersion(f"shipment {s.shipment_code} is at version {s.version}, not {seen}")
    if s.status is not ShipmentStatus.SHIPPED:
        raise WrongStatus(f"shipment {s.shipment_code} is {s.status}: it cannot become RECEIVED")
    tx = Tx(c)
    home = tx.managed_store(s.receiving_facility_id)
    receipts = _receipts(pod)
    check_receipts(s.lots, receipts)
    tx.check_locations(home.store_id, {r.location_id for r in receipts.values()})
    movements = _movements(tx, home, s, receipts, pod, who)
    if movements:  # everything refused: nothing enters the ledger
        record_document(tx, who.site_id, SiteDocumentType.RECEIPT, movements, who.now,
                        home.site_version)  # fmt: skip
    store.queue(c, _event(who, s, pod, home.site_version), s.shipment_id, s.version)
    done = _received(s, receipts, pod, who.now)
    store.save_shipment(c, done, central_version=s.version)
    return done


def _receipts(pod: ProofOfDeliveryRequest) -> dict[UUID, Receipt]:
    receipts = {
        ln.line_id: Receipt(
            ln.accepted_quantity, ln.rejected_quantity, ln.rejection_reason, ln.vvm_stage,
            ln.note, ln.location_id,
        )
        for ln in pod.lines
    }  # fmt: skip
    if len(receipts) != len(pod.lines):
        raise ReceiptError("a shipment line appears twice")
    return receipts


def _movements(
    tx: Tx,
    home: SiteStore,
    s: ShipmentResponse,
    receipts: Mapping[UUID, Receipt],
    pod: ProofOfDeliveryRequest,
    who: Receiver,
) -> list[StockMovement]:
    """One receipt per accepted lot, with central's batch, the shipment as its reference and
    the supplier as its source."""
    supplier = _name(tx.conn, s.supplying_facility_id)
    out: list[StockMovement] = []
    for lot in s.lots:
        r = receipts[lot.line_id]
        if not r.accepted:
            continue
        if lot.batch_id is None or lot.lot_code is None:
            raise ReceiptError(f"line {lot.line_id} has no lot: it cannot be received here yet")
        batch = tx.batch_by_lot(lot.orderable_id, lot.lot_code)
        if batch is None:  # the lot as central knows it, id and all
            batch = Batch(lot.batch_id, lot.orderable_id, lot.lot_code, lot.expiry_date)
            tx.add_batch(batch)
        cmd = ReceiveStock(
            store_id=home.store_id, item_id=lot.orderable_id, lot_code=lot.lot_code,
            expiry_date=lot.expiry_date, quantity=r.accepted, occurred_at=pod.received_at,
            actor=who.gate.actor, location_id=r.location_id, source=supplier,
            reference=f"shipment {s.shipment_code}",
        )  # fmt: skip
        out.append(model.receive(cmd, batch, home.next_sequence + len(out), who.now))
    return out


def _name(c: sqlite3.Connection, store_id: UUID) -> str:
    row = c.execute("SELECT name FROM stores WHERE store_id = ?", (str(store_id),)).fetchone()
    return str(row[0]) if row is not None and row[0] else str(store_id)


def _event(
    who: Receiver, s: ShipmentResponse, pod: ProofOfDeliveryRequest, site_version: int | None
) -> CloudEvent:
    payload = SiteShipmentReceived(
        shipment_id=s.shipment_id, receiving_facility_id=s.receiving_facility_id,
        expected_version=s.version,
        lines=[SitePodLine.model_validate(ln.model_dump()) for ln in pod.lines],
        delivered_by=pod.delivered_by, received_by=pod.received_by,
        received_at=pod.received_at, reference=pod.reference, actor=who.gate.actor, at=who.now,
    )  # fmt: skip
    return new_event(
        source=source(who.site_id), type=payload.event_type,
        subject=f"shipments/{s.shipment_id}", data=payload, partitionkey=str(s.shipment_id),
        siteid=str(who.site_id), siteversion=site_version, time=who.now,
    )  # fmt: skip


def _received(
    s: ShipmentResponse,
    receipts: Mapping[UUID, Receipt],
    pod: ProofOfDeliveryRequest,
    now: datetime,
) -> ShipmentResponse:
    sizes = {i.orderable_id: i.pack_size for i in s.items}
    lots = [
        x.model_copy(update={"receipt": shapes.receipt(receipts[x.line_id], sizes[x.orderable_id])})
        for x in s.lots
    ]
    return s.model_copy(
        update={
            "status": ShipmentStatus.RECEIVED, "version": s.version + 1, "updated_at": now,
            "delivered_by": pod.delivered_by, "received_by": pod.received_by,
            "received_at": pod.received_at, "lots": lots,
        }
    )  # fmt: skip
