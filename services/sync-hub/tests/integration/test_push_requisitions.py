"""Requisition steps pushed through the hub's door onto the real Kafka, keyed by requisition."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from akiba_devtools.testing.topics import read_topic

from .conftest import Hub, on_topic_now, requisition_step, site_changed, stock_document

STEPS, STOCK, REFUSALS = "sites.requisition-events", "sites.inventory-events", "sites.refusals"


async def test_an_accepted_step_lands_once_on_the_requisition_topic_keyed_by_requisition(
    hub: Hub,
) -> None:
    site, store, requisition = uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, store))
    step = requisition_step(site, store, requisition)

    r = await hub.push(site, [step])

    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": [step.id], "refused": []}
    records = await read_topic(hub.bootstrap, STEPS, expect=1, needle=step.id)
    assert [x.key for x in records] == [str(requisition).encode()]
    landed = json.loads(records[0].value)
    assert (landed["type"], landed["siteid"]) == (step.type, str(site))
    assert landed["data"]["facility_id"] == str(store)
    assert await on_topic_now(hub.bootstrap, STOCK, step.id) == []


async def test_a_step_for_a_store_the_site_does_not_manage_is_refused_and_alerted(
    hub: Hub,
) -> None:
    site, other, own, theirs = uuid4(), uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, own))
    hub.register(site_changed(other, theirs))
    intruding = requisition_step(site, theirs, uuid4())

    r = await hub.push(site, [intruding])

    assert r.json()["accepted"] == []
    assert f"does not manage store {theirs}" in r.json()["refused"][0]["reason"]
    alerts = await read_topic(hub.bootstrap, REFUSALS, expect=1, needle=intruding.id)
    alert = json.loads(alerts[0].value)["data"]
    assert (alert["site_id"], alert["store_id"]) == (str(site), str(theirs))
    assert await on_topic_now(hub.bootstrap, STEPS, intruding.id) == []


async def test_a_step_whose_payload_does_not_read_is_refused_with_the_reason(hub: Hub) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    late_initiate = _json(requisition_step(site, store, uuid4()))
    late_initiate["data"]["expected_version"] = 3
    no_store = _json(requisition_step(site, store, uuid4(), "SUBMIT", 1))
    del no_store["data"]["facility_id"]

    r = await hub.push(site, [late_initiate, no_store])

    assert r.json()["accepted"] == []
    reasons = [x["reason"] for x in r.json()["refused"]]
    assert "INITIATE step names its kind and expects version 0" in reasons[0]
    assert "data.facility_id: Field required" in reasons[1]
    alerts = await read_topic(hub.bootstrap, REFUSALS, expect=1, needle=late_initiate["id"])
    assert json.loads(alerts[0].value)["data"]["store_id"] == str(store)
    assert await on_topic_now(hub.bootstrap, STEPS, late_initiate["id"]) == []


async def test_a_step_recorded_under_a_newer_site_record_than_the_hubs_is_told_to_retry(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, version=2))
    step = requisition_step(site, store, uuid4(), siteversion=3)  # given the store at v3

    r = await hub.push(site, [step])

    assert r.status_code == 503
    hub.register(site_changed(site, store, version=3))
    assert (await hub.push(site, [step])).json()["accepted"] == [step.id]


async def test_a_push_mixing_documents_and_steps_keeps_each_stores_and_requisitions_order(
    hub: Hub,
) -> None:
    site, store, requisition = uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, store))
    pushed = [
        requisition_step(site, store, requisition),
        stock_document(site, store, seq=1),
        requisition_step(site, store, requisition, "EDIT", 1),
        stock_document(site, store, seq=2),
        requisition_step(site, store, requisition, "SUBMIT", 2),
    ]

    r = await hub.push(site, pushed)

    assert r.json()["accepted"] == [e.id for e in pushed]
    steps = await read_topic(hub.bootstrap, STEPS, expect=3, needle=str(requisition))
    documents = await read_topic(hub.bootstrap, STOCK, expect=2, needle=str(store))
    assert _ids_in_order(steps) == [pushed[0].id, pushed[2].id, pushed[4].id]
    assert _ids_in_order(documents) == [pushed[1].id, pushed[3].id]


def _json(event: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(event.model_dump_json())
    return loaded


def _ids_in_order(records: list[Any]) -> list[str]:
    assert len({(r.partition, r.key) for r in records}) == 1, "one key, one partition"
    return [json.loads(r.value)["id"] for r in sorted(records, key=lambda r: r.offset)]
