"""Domain facts → contract events, topics and keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from akiba_contracts.payloads import (
    OrderChanged,
    OrderLineState,
    ReceivedLot,
    ShipmentAllocated,
    ShipmentCancelled,
    ShipmentReceived,
    ShipmentShipped,
    SiteShipmentReceived,
    SiteShipmentRefused,
    SupplyLineChanged,
)
from akiba_contracts.payloads import ShipmentLot as ShipmentLotPayload
from akiba_fulfillment.adapters.orders import Step
from akiba_fulfillment.domain.orders import Order
from akiba_fulfillment.domain.shipments import Shipment
from akiba_fulfillment.domain.supply_lines import SupplyLine
from akiba_platform import OutboxMessage, message_of

SOURCE = "/akiba/fulfillment"
SUPPLY_LINES = "fulfillment.supply-lines"


def supply_line_changed(line: SupplyLine) -> OutboxMessage:
    """A supply line's full state, keyed by its id for compaction."""
    payload = SupplyLineChanged(
        supply_line_id=line.supply_line_id,
        supervisory_node_id=line.supervisory_node_id,
        program_id=line.program_id,
        supplying_facility_id=line.supplying_facility_id,
        description=line.description,
        active=line.active,
        local_fulfillment=line.local_fulfillment,
        version=line.version,
        changed_at=line.updated_at,
    )
    return message_of(SUPPLY_LINES, SOURCE, f"supply-lines/{payload.partition_key()}", payload)


ORDERS = "fulfillment.orders"
SHIPMENTS = "fulfillment.shipments"


def order_changed(order: Order, step: Step) -> OutboxMessage:
    """An order's full state after a step, keyed by order."""
    payload = OrderChanged(
        order_id=order.order_id,
        order_code=order.order_code,
        requisition_id=order.requisition_id,
        program_id=order.program_id,
        period_id=order.period_id,
        emergency=order.emergency,
        requesting_facility_id=order.requesting_facility_id,
        supplying_facility_id=order.supplying_facility_id,
        status=order.status,
        back_ordered=order.back_ordered,
        step=step.step,
        shipment_id=step.shipment_id,
        version=order.version,
        actor=step.actor,
        reason=step.reason,
        at=step.at,
        lines=[
            OrderLineState(
                orderable_id=ln.orderable_id,
                pack_size=ln.pack_size,
                ordered_quantity=ln.ordered,
                ordered_packs=ln.packs,
                shipped_quantity=ln.shipped,
                received_quantity=ln.received,
                rejected_quantity=ln.rejected,
                cancelled_quantity=ln.cancelled,
                remaining_quantity=ln.remaining,
                returned_quantity=ln.returned,
            )
            for ln in order.lines
        ],
        created_by=order.created_by,
        created_at=order.created_at,
        closed_reason=order.closed_reason,
    )
    return message_of(ORDERS, SOURCE, f"orders/{order.order_id}", payload)


def _lots(s: Shipment) -> list[ShipmentLotPayload]:
    return [
        ShipmentLotPayload(
            line_id=lot.line_id,
            orderable_id=lot.orderable_id,
            batch_id=lot.batch_id,
            lot_code=lot.lot_code,
            expiry_date=lot.expiry_date,
            location_id=lot.location_id,
            quantity=lot.quantity,
            packs=lot.packs,
            pack_size=lot.pack_size,
            return_reason=lot.return_reason,
        )
        for lot in s.lots
        if lot.quantity > 0
    ]


def _step(s: Shipment) -> dict[str, Any]:
    """What every shipment step's event names (`_ShipmentStep` of the contract)."""
    return {
        "shipment_id": s.shipment_id,
        "order_id": s.order_id,
        "supplying_facility_id": s.supplying_facility_id,
        "version": s.version,
        "kind": s.kind,
        "returned_shipment_id": s.returned_shipment_id,
    }


def shipment_allocated(s: Shipment, actor: str) -> OutboxMessage:
    """The lots to reserve at the supplier."""
    payload = ShipmentAllocated(
        **_step(s),
        lots=_lots(s),
        actor=actor,
        at=s.updated_at,
    )
    return message_of(SHIPMENTS, SOURCE, f"shipments/{s.shipment_id}", payload)


def shipment_cancelled(s: Shipment, actor: str) -> OutboxMessage:
    """Release what the shipment reserved."""
    payload = ShipmentCancelled(
        **_step(s),
        reason=s.cancel_reason,
        actor=actor,
        at=s.updated_at,
    )
    return message_of(SHIPMENTS, SOURCE, f"shipments/{s.shipment_id}", payload)


def shipment_shipped(s: Shipment, order: Order, actor: str) -> OutboxMessage:
    """The shipment left: issue it at the supplier, expect it at the receiver."""
    assert s.shipped_at is not None
    payload = ShipmentShipped(
        **_step(s),
        shipment_code=s.shipment_code,
        order_code=order.order_code,
        requisition_id=order.requisition_id,
        program_id=order.program_id,
        receiving_facility_id=s.receiving_facility_id,
        lots=_lots(s),
        carrier=s.carrier,
        note=s.note,
        actor=actor,
        shipped_at=s.shipped_at,
    )
    return message_of(SHIPMENTS, SOURCE, f"shipments/{s.shipment_id}", payload)


def shipment_received(s: Shipment, actor: str) -> OutboxMessage:
    """The proof of delivery: accepted units enter the receiver's ledger."""
    d = s.delivery
    assert d is not None
    lots = []
    for lot in s.lots:
        r = lot.receipt
        assert r is not None
        lots.append(
            ReceivedLot(
                line_id=lot.line_id,
                orderable_id=lot.orderable_id,
                batch_id=lot.batch_id,
                lot_code=lot.lot_code,
                expiry_date=lot.expiry_date,
                shipped_quantity=lot.quantity,
                accepted_quantity=r.accepted,
                rejected_quantity=r.rejected,
                rejection_reason=r.reason,
                vvm_stage=r.vvm_stage,
                note=r.note,
                location_id=r.location_id,
            )
        )
    payload = ShipmentReceived(
        **_step(s),
        shipment_code=s.shipment_code,
        receiving_facility_id=s.receiving_facility_id,
        lots=lots,
        delivered_by=d.delivered_by,
        received_by=d.received_by,
        received_at=d.received_at,
        reference=d.reference,
        posted_at_site=s.posted_at_site,
        actor=actor,
        at=s.updated_at,
    )
    return message_of(SHIPMENTS, SOURCE, f"shipments/{s.shipment_id}", payload)


SITE_REFUSALS = "fulfillment.site-refusals"


def site_refusal(
    pod: SiteShipmentReceived, event_id: str, site_id: str | None, reason: str, at: datetime
) -> OutboxMessage:
    """A site's proof of delivery central could not apply, for the site (through its feed) and
    operations."""
    payload = SiteShipmentRefused(
        event_id=event_id,
        site_id=site_id,
        shipment_id=pod.shipment_id,
        receiving_facility_id=pod.receiving_facility_id,
        expected_version=pod.expected_version,
        reason=reason,
        refused_at=at,
    )
    return message_of(SITE_REFUSALS, SOURCE, f"shipments/{pod.shipment_id}", payload)
