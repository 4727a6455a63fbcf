"""Which feed row each order, shipment and refused proof of delivery becomes."""

from __future__ import annotations

from uuid import uuid4

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads import Payload, ShipmentAllocated
from akiba_sync_hub.consumers import TOPICS, change_of

from .. import shipment_records as rec

STORE, SITE, ORDER, SHIPMENT = uuid4(), uuid4(), uuid4(), uuid4()


def _event(p: Payload) -> CloudEvent:
    key = p.partition_key()
    return new_event(source="/t", type=p.event_type, subject=key, data=p, partitionkey=key)


def test_an_order_is_the_requesting_stores_latest_by_version() -> None:
    change = change_of(_event(rec.order(ORDER, STORE, version=3)))

    assert change is not None
    assert (change.identity, change.version) == ((f"store:{STORE}", "order", str(ORDER)), 3)


def test_a_shipped_shipment_and_its_receipt_reach_the_receiving_stores_scope() -> None:
    shipped = change_of(_event(rec.shipped(SHIPMENT, STORE)))
    received = change_of(_event(rec.received(SHIPMENT, STORE)))

    assert shipped is not None and received is not None
    assert shipped.identity == (f"store:{STORE}", "inbound-shipment", str(SHIPMENT))
    assert received.identity == (f"store:{STORE}", "shipment-receipt", str(SHIPMENT))


def test_a_refused_proof_goes_to_the_site_that_sent_it_else_the_stores_site() -> None:
    sent = change_of(_event(rec.refused(STORE, SITE)))
    unsigned = change_of(_event(rec.refused(STORE, None)))

    assert sent is not None and unsigned is not None
    assert sent.identity[:2] == (f"site:{SITE}", "shipment-refusal")
    assert unsigned.identity[:2] == (f"store:{STORE}", "shipment-refusal")


def test_an_allocation_is_not_the_feeds_business_but_its_topics_are_read() -> None:
    allocated = ShipmentAllocated(
        shipment_id=SHIPMENT, order_id=ORDER, supplying_facility_id=STORE, version=2, lots=[],
        actor="clerk", at=rec.NOW,
    )  # fmt: skip

    assert change_of(_event(allocated)) is None
    assert {"fulfillment.orders", "fulfillment.shipments", "fulfillment.site-refusals"} <= set(
        TOPICS
    )
