"""Proofs of delivery pushed through the hub's door onto the real Kafka, keyed by shipment."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads import SiteShipmentReceived
from akiba_devtools.testing.topics import read_topic

from .. import shipment_records
from .conftest import Hub, on_topic_now, site_changed

PODS, REFUSALS = "sites.shipment-events", "sites.refusals"


def _proof(site: UUID, store: UUID, shipment: UUID) -> CloudEvent:
    payload = SiteShipmentReceived.model_validate(shipment_records.proof(shipment, store))
    return new_event(
        source=f"/akiba/sites/{site}", type=payload.event_type, subject=f"shipments/{shipment}",
        data=payload, partitionkey=str(shipment), siteid=str(site),
    )  # fmt: skip


async def test_a_proof_for_a_store_the_site_manages_lands_keyed_by_shipment(hub: Hub) -> None:
    site, store, shipment = uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, store))
    pod = _proof(site, store, shipment)

    r = await hub.push(site, [pod])

    assert r.json() == {"accepted": [pod.id], "refused": []}
    records = await read_topic(hub.bootstrap, PODS, expect=1, needle=pod.id)
    assert [x.key for x in records] == [str(shipment).encode()]
    assert json.loads(records[0].value)["siteid"] == str(site)


async def test_a_proof_for_another_sites_store_is_refused_and_alerted(hub: Hub) -> None:
    site, other, own, theirs = uuid4(), uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, own))
    hub.register(site_changed(other, theirs))
    intruding = _proof(site, theirs, uuid4())

    r = await hub.push(site, [intruding])

    assert f"does not manage store {theirs}" in r.json()["refused"][0]["reason"]
    alerts = await read_topic(hub.bootstrap, REFUSALS, expect=1, needle=intruding.id)
    assert json.loads(alerts[0].value)["data"]["store_id"] == str(theirs)
    assert await on_topic_now(hub.bootstrap, PODS, intruding.id) == []
