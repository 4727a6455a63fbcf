"""Where the door sends each kind of site event, and why it cannot place some."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads.edge import SiteStockRecorded, SiteStockRecordedV1
from akiba_contracts.payloads.requisition_edge import SiteRequisitionRecorded
from akiba_contracts.payloads.shipment_edge import SiteShipmentReceived
from akiba_sync_hub.routing import ROUTES, Place, Unplaceable

from .. import shipment_records


def _event(event_type: str, data: dict[str, Any], **extensions: Any) -> CloudEvent:
    return CloudEvent.model_validate(
        {"specversion": "1.0", "id": str(uuid4()), "source": "/s", "type": event_type}
        | {"data": data}
        | extensions
    )


def _step(store: UUID, requisition: UUID) -> dict[str, Any]:
    return {
        "requisition_id": str(requisition),
        "facility_id": str(store),
        "step": "SUBMIT",
        "expected_version": 2,
        "actor": "nurse",
        "at": datetime.now(UTC).isoformat(),
    }


@pytest.mark.parametrize(
    "event_type", [SiteStockRecorded.event_type, SiteStockRecordedV1.event_type]
)
def test_a_stock_document_goes_to_the_inventory_topic_keyed_by_its_store(event_type: str) -> None:
    store = uuid4()
    route = ROUTES[event_type]

    place = route.place(_event(event_type, {"store_id": str(store), "lines": [{}]}, storeseq=4))

    assert (route.topic, place) == ("sites.inventory-events", Place(store, str(store)))


def test_a_requisition_step_goes_to_the_requisition_topic_keyed_by_requisition() -> None:
    store, requisition = uuid4(), uuid4()
    route = ROUTES[SiteRequisitionRecorded.event_type]

    place = route.place(_event(SiteRequisitionRecorded.event_type, _step(store, requisition)))

    assert route.topic == "sites.requisition-events"
    assert place == Place(store, str(requisition))


def test_a_requisition_step_needs_no_store_sequence_but_a_readable_payload() -> None:
    store = uuid4()
    data = _step(store, uuid4()) | {"expected_version": 0}
    event = _event(SiteRequisitionRecorded.event_type, data)

    with pytest.raises(Unplaceable, match="expects version 1 or more") as refused:
        ROUTES[event.type].place(event)

    assert refused.value.store_id == store


def test_a_stock_document_without_a_store_sequence_cannot_be_placed() -> None:
    store = uuid4()
    event = _event(SiteStockRecorded.event_type, {"store_id": str(store), "lines": [{}]})

    with pytest.raises(Unplaceable, match="no storeseq") as refused:
        ROUTES[event.type].place(event)

    assert refused.value.store_id == store


def test_a_proof_of_delivery_goes_to_the_shipment_topic_placed_at_its_receiver() -> None:
    store, shipment = uuid4(), uuid4()
    route = ROUTES[SiteShipmentReceived.event_type]

    place = route.place(
        _event(SiteShipmentReceived.event_type, shipment_records.proof(shipment, store))
    )

    assert (route.topic, place) == ("sites.shipment-events", Place(store, str(shipment)))


def test_an_unreadable_proof_of_delivery_is_refused_at_the_door_naming_its_store() -> None:
    store = uuid4()
    data = shipment_records.proof(uuid4(), store) | {"lines": []}

    with pytest.raises(Unplaceable) as refused:
        ROUTES[SiteShipmentReceived.event_type].place(_event(SiteShipmentReceived.event_type, data))

    assert refused.value.store_id == store and "data.lines" in str(refused.value)
