"""Fulfillment's domain as the shared HTTP models (akiba_contracts.fulfillment_http)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from akiba_contracts.fulfillment_http import (
    OrderLineResponse,
    OrderResponse,
    ReceiptLineRequest,
    ReceiptResponse,
    ShipmentItemResponse,
    ShipmentLotResponse,
    ShipmentResponse,
    TimelineEntry,
)
from akiba_fulfillment.adapters.orders import Step
from akiba_fulfillment.domain.orders import Order
from akiba_fulfillment.domain.shipments import Receipt, Shipment


def order_response(o: Order) -> OrderResponse:
    """The response for an order."""
    return OrderResponse(
        **{k: getattr(o, k) for k in OrderResponse.model_fields if k != "lines"},
        lines=[
            OrderLineResponse(
                orderable_id=ln.orderable_id,
                pack_size=ln.pack_size,
                ordered_quantity=ln.ordered,
                ordered_packs=ln.packs,
                shipped_quantity=ln.shipped,
                shipped_packs=ln.shipped // ln.pack_size,
                received_quantity=ln.received,
                received_packs=ln.received // ln.pack_size,
                rejected_quantity=ln.rejected,
                cancelled_quantity=ln.cancelled,
                remaining_quantity=ln.remaining,
                returned_quantity=ln.returned,
            )
            for ln in o.lines
        ],
    )


def timeline_entry(s: Step) -> TimelineEntry:
    """The timeline entry for a step."""
    return TimelineEntry(**vars(s))


def receipt_of(line: ReceiptLineRequest) -> Receipt:
    """The domain's receipt of a proof-of-delivery line."""
    return Receipt(
        line.accepted_quantity,
        line.rejected_quantity,
        line.rejection_reason,
        line.vvm_stage,
        line.note,
        line.location_id,
    )


def shipment_response(
    s: Shipment, skipped: dict[UUID, list[dict[str, Any]]] | None = None
) -> ShipmentResponse:
    """The response for a shipment."""
    d, sk = s.delivery, skipped or {}
    return ShipmentResponse(
        shipment_id=s.shipment_id,
        shipment_code=s.shipment_code,
        order_id=s.order_id,
        supplying_facility_id=s.supplying_facility_id,
        receiving_facility_id=s.receiving_facility_id,
        status=s.status,
        kind=s.kind,
        returned_shipment_id=s.returned_shipment_id,
        version=s.version,
        created_by=s.created_by,
        created_at=s.created_at,
        updated_at=s.updated_at,
        carrier=s.carrier,
        note=s.note,
        shipped_at=s.shipped_at,
        cancel_reason=s.cancel_reason,
        delivered_by=d.delivered_by if d else None,
        received_by=d.received_by if d else None,
        received_at=d.received_at if d else None,
        items=[
            ShipmentItemResponse(
                orderable_id=i.orderable_id,
                pack_size=i.pack_size,
                quantity=i.quantity,
                unallocated=i.unallocated,
                skipped=sk.get(i.orderable_id, []),
            )
            for i in s.items
        ],
        lots=[
            ShipmentLotResponse(
                line_id=x.line_id,
                orderable_id=x.orderable_id,
                batch_id=x.batch_id,
                lot_code=x.lot_code,
                expiry_date=x.expiry_date,
                location_id=x.location_id,
                quantity=x.quantity,
                packs=x.packs,
                expiring_soon=x.expiring_soon,
                reserved=x.confirmed,
                return_reason=x.return_reason,
                receipt=None
                if x.receipt is None
                else ReceiptResponse(
                    accepted_quantity=x.receipt.accepted,
                    accepted_packs=x.receipt.accepted // x.pack_size,
                    rejected_quantity=x.receipt.rejected,
                    rejection_reason=x.receipt.reason,
                    vvm_stage=x.receipt.vvm_stage,
                    note=x.receipt.note,
                    location_id=x.receipt.location_id,
                ),
            )
            for x in s.lots
        ],
    )
