"""Central's records as the shared HTTP models (akiba_contracts.fulfillment_http): the site
serves the receiver's side of an order or a shipment in the same shape as fulfillment."""

from __future__ import annotations

from akiba_contracts.fulfillment_http import (
    OrderLineResponse,
    OrderResponse,
    ReceiptResponse,
    ShipmentItemResponse,
    ShipmentLotResponse,
    ShipmentResponse,
)
from akiba_contracts.payloads import (
    OrderChanged,
    ReceivedLot,
    ShipmentReceived,
    ShipmentShipped,
    ShipmentStatus,
)
from akiba_replenish.receipts import Receipt


def order(p: OrderChanged) -> OrderResponse:
    """An order's latest state; who created it and when, as far as the record says."""
    return OrderResponse(
        order_id=p.order_id, order_code=p.order_code, requisition_id=p.requisition_id,
        program_id=p.program_id, period_id=p.period_id, emergency=p.emergency,
        requesting_facility_id=p.requesting_facility_id,
        supplying_facility_id=p.supplying_facility_id, status=p.status,
        back_ordered=p.back_ordered, version=p.version, created_by=p.created_by or p.actor,
        created_at=p.created_at or p.at, updated_at=p.at, closed_reason=p.closed_reason,
        lines=[
            OrderLineResponse(
                orderable_id=ln.orderable_id, pack_size=ln.pack_size,
                ordered_quantity=ln.ordered_quantity, ordered_packs=ln.ordered_packs,
                shipped_quantity=ln.shipped_quantity,
                shipped_packs=ln.shipped_quantity // ln.pack_size,
                received_quantity=ln.received_quantity,
                received_packs=ln.received_quantity // ln.pack_size,
                rejected_quantity=ln.rejected_quantity, cancelled_quantity=ln.cancelled_quantity,
                remaining_quantity=ln.remaining_quantity,
            )
            for ln in p.lines
        ],
    )  # fmt: skip


def shipped(p: ShipmentShipped) -> ShipmentResponse:
    """A shipment on its way: its lots as they left (a receiver never sees what was skipped)."""
    items: dict[object, ShipmentItemResponse] = {}
    for lot in p.lots:
        had = items.get(lot.orderable_id)
        items[lot.orderable_id] = ShipmentItemResponse(
            orderable_id=lot.orderable_id, pack_size=lot.pack_size,
            quantity=lot.quantity + (had.quantity if had else 0), unallocated=0,
        )  # fmt: skip
    return ShipmentResponse(
        shipment_id=p.shipment_id, shipment_code=p.shipment_code, order_id=p.order_id,
        supplying_facility_id=p.supplying_facility_id,
        receiving_facility_id=p.receiving_facility_id, status=ShipmentStatus.SHIPPED,
        version=p.version, created_by=p.actor, created_at=p.shipped_at, updated_at=p.shipped_at,
        carrier=p.carrier, note=p.note, shipped_at=p.shipped_at, cancel_reason=None,
        delivered_by=None, received_by=None, received_at=None, items=list(items.values()),
        lots=[
            ShipmentLotResponse(
                line_id=lot.line_id, orderable_id=lot.orderable_id, batch_id=lot.batch_id,
                lot_code=lot.lot_code, expiry_date=lot.expiry_date, location_id=lot.location_id,
                quantity=lot.quantity, packs=lot.packs, expiring_soon=False, reserved=True,
                receipt=None,
            )
            for lot in p.lots
        ],
    )  # fmt: skip


def receipt(r: Receipt, pack_size: int) -> ReceiptResponse:
    """How a lot was found, received packs next to shipped ones."""
    return ReceiptResponse(
        accepted_quantity=r.accepted, accepted_packs=r.accepted // pack_size,
        rejected_quantity=r.rejected, rejection_reason=r.reason, vvm_stage=r.vvm_stage,
        note=r.note, location_id=r.location_id,
    )  # fmt: skip


def received_lot(lot: ReceivedLot) -> Receipt:
    """Central's record of a lot's receipt as the rules' receipt."""
    return Receipt(
        lot.accepted_quantity, lot.rejected_quantity, lot.rejection_reason, lot.vvm_stage,
        lot.note, lot.location_id,
    )  # fmt: skip


def confirmed(doc: ShipmentResponse, p: ShipmentReceived) -> ShipmentResponse:
    """The shipment as central received it (its proof of delivery, at central's version)."""
    found = {lot.line_id: lot for lot in p.lots}
    lots = [
        x.model_copy(update={"receipt": receipt(received_lot(found[x.line_id]), _size(doc, x))})
        if x.line_id in found
        else x
        for x in doc.lots
    ]
    return doc.model_copy(
        update={
            "status": ShipmentStatus.RECEIVED, "version": p.version, "updated_at": p.at,
            "delivered_by": p.delivered_by, "received_by": p.received_by,
            "received_at": p.received_at, "lots": lots,
        }
    )  # fmt: skip


def _size(doc: ShipmentResponse, lot: ShipmentLotResponse) -> int:
    return next(i.pack_size for i in doc.items if i.orderable_id == lot.orderable_id)
