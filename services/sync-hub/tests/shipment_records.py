"""Fulfillment's records and a site's proof of delivery, for the feed's and the door's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_contracts.payloads import (
    OrderChanged,
    OrderStatus,
    ShipmentLot,
    ShipmentReceived,
    ShipmentShipped,
    SiteShipmentRefused,
)

NOW = datetime.now(UTC)


def order(order_id: UUID, requester: UUID, version: int = 1) -> OrderChanged:
    """An order of one item, at a version."""
    return OrderChanged(
        order_id=order_id, order_code="O-1", requisition_id=None, program_id=None,
        period_id=None, emergency=False, requesting_facility_id=requester,
        supplying_facility_id=uuid4(), status=OrderStatus.ORDERED, back_ordered=False,
        step="created", version=version, actor="clerk", at=NOW, lines=[],
    )  # fmt: skip


def lot(quantity: int = 10) -> ShipmentLot:
    """A lot of packs of 5."""
    return ShipmentLot(
        line_id=uuid4(), orderable_id=uuid4(), batch_id=uuid4(), lot_code="L1",
        expiry_date=None, location_id=None, quantity=quantity, packs=quantity // 5, pack_size=5,
    )  # fmt: skip


def shipped(shipment_id: UUID, receiver: UUID) -> ShipmentShipped:
    """A shipment of one lot leaving for a store."""
    return ShipmentShipped(
        shipment_id=shipment_id, shipment_code="S-1", order_id=uuid4(), order_code="O-1",
        requisition_id=None, program_id=None, supplying_facility_id=uuid4(),
        receiving_facility_id=receiver, version=4, lots=[lot()], actor="clerk", shipped_at=NOW,
    )  # fmt: skip


def received(shipment_id: UUID, receiver: UUID) -> ShipmentReceived:
    """Central's record of the shipment's proof of delivery."""
    return ShipmentReceived(
        shipment_id=shipment_id, shipment_code="S-1", order_id=uuid4(),
        supplying_facility_id=uuid4(), receiving_facility_id=receiver, version=5, lots=[],
        delivered_by="driver", received_by="nurse", received_at=NOW, posted_at_site=True,
        actor="nurse", at=NOW,
    )  # fmt: skip


def refused(receiver: UUID, site: UUID | None) -> SiteShipmentRefused:
    """Central's refusal of a site's proof."""
    return SiteShipmentRefused(
        event_id=str(uuid4()), site_id=None if site is None else str(site), shipment_id=uuid4(),
        receiving_facility_id=receiver, expected_version=4, reason="stale", refused_at=NOW,
    )  # fmt: skip


def proof(shipment_id: UUID, receiver: UUID) -> dict[str, Any]:
    """A site's proof of delivery as JSON data."""
    return {
        "shipment_id": str(shipment_id), "receiving_facility_id": str(receiver),
        "expected_version": 4, "delivered_by": "driver", "received_by": "nurse",
        "received_at": NOW.isoformat(), "actor": "nurse", "at": NOW.isoformat(),
        "lines": [{"line_id": str(uuid4()), "accepted_quantity": 10, "rejected_quantity": 0,
                   "location_id": None}],
    }  # fmt: skip
