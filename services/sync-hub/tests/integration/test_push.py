"""Push through the hub's API onto the real Kafka: what passes the door, and what never does."""

from __future__ import annotations

import json
from uuid import uuid4

from akiba_devtools.testing.topics import read_topic

from .conftest import Hub, on_topic_now, site_changed, stock_document

EVENTS, REFUSALS = "sites.inventory-events", "sites.refusals"


async def test_an_accepted_event_lands_on_the_topic_once_keyed_by_store_with_its_extensions(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    event = stock_document(site, store, seq=7)

    r = await hub.push(site, [event])

    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": [event.id], "refused": []}
    records = await read_topic(hub.bootstrap, EVENTS, expect=1, needle=event.id)
    assert len(records) == 1
    landed = json.loads(records[0].value)
    assert records[0].key == str(store).encode()
    assert (landed["id"], landed["siteid"], landed["storeseq"]) == (event.id, str(site), 7)
    assert landed["data"]["store_id"] == str(store)


async def test_an_event_for_a_store_of_another_site_is_refused_alerted_and_kept_off_the_topic(
    hub: Hub,
) -> None:
    site, other, own, theirs = uuid4(), uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, own))
    hub.register(site_changed(other, theirs))
    fine, intruding = stock_document(site, own), stock_document(site, theirs)

    r = await hub.push(site, [intruding, fine])

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == [fine.id]
    assert [x["event_id"] for x in body["refused"]] == [intruding.id]
    assert f"does not manage store {theirs}" in body["refused"][0]["reason"]
    alerts = await read_topic(hub.bootstrap, REFUSALS, expect=1, needle=intruding.id)
    alert = json.loads(alerts[0].value)["data"]
    assert (alert["site_id"], alert["store_id"]) == (str(site), str(theirs))
    assert await on_topic_now(hub.bootstrap, EVENTS, str(theirs)) == []


async def test_an_event_naming_another_site_than_the_token_is_refused(hub: Hub) -> None:
    site, other, store = uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, store))
    hub.register(site_changed(other, store))
    forged = stock_document(other, store)

    r = await hub.push(site, [forged])

    assert r.json()["accepted"] == []
    assert "is not the authenticated site" in r.json()["refused"][0]["reason"]


async def test_an_inactive_site_has_every_event_refused(hub: Hub) -> None:
    inactive, store = uuid4(), uuid4()
    hub.register(site_changed(inactive, store, active=False))

    r = await hub.push(inactive, [stock_document(inactive, store)])

    assert "is inactive" in r.json()["refused"][0]["reason"]


async def test_a_site_the_hub_has_not_heard_of_yet_is_told_to_retry_not_refused(
    hub: Hub,
) -> None:
    newcomer, store = uuid4(), uuid4()
    event = stock_document(newcomer, store)

    r = await hub.push(newcomer, [event])

    assert r.status_code == 503 and r.headers["retry-after"]
    assert r.headers["content-type"] == "application/problem+json"
    assert await on_topic_now(hub.bootstrap, EVENTS, event.id) == []
    hub.register(site_changed(newcomer, store, version=1))
    assert (await hub.push(newcomer, [event])).json()["accepted"] == [event.id]


async def test_a_site_recording_under_a_newer_record_than_the_hubs_is_told_to_retry(
    hub: Hub,
) -> None:
    site, old_store, new_store = uuid4(), uuid4(), uuid4()
    hub.register(site_changed(site, old_store, version=3))
    event = stock_document(site, new_store, siteversion=4)  # auth gave it the store at v4

    r = await hub.push(site, [event])

    assert r.status_code == 503
    hub.register(site_changed(site, old_store, new_store, version=4))
    assert (await hub.push(site, [event])).json()["accepted"] == [event.id]


async def test_a_site_that_lost_a_store_since_it_recorded_is_refused_for_good(hub: Hub) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, version=5))  # it gave the store up at v5
    event = stock_document(site, store, siteversion=4)

    r = await hub.push(site, [event])

    assert f"does not manage store {store}" in r.json()["refused"][0]["reason"]


async def test_unplaceable_items_are_refused_one_by_one_while_the_rest_is_accepted(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    good = stock_document(site, store)
    no_seq = stock_document(site, store).model_copy(update={"storeseq": None})
    bad_payload = {**json.loads(good.model_dump_json()), "id": str(uuid4()), "data": {"x": 1}}
    no_lines = json.loads(stock_document(site, store).model_dump_json())
    no_lines["data"]["lines"] = []

    r = await hub.push(site, [{"not": "an event"}, no_seq, bad_payload, no_lines, good])

    assert r.json()["accepted"] == [good.id]
    reasons = [x["reason"] for x in r.json()["refused"]]
    assert reasons[0].startswith("not a CloudEvent")
    assert reasons[1].endswith("the event has no storeseq")
    assert "store_id must be a UUID" in reasons[2]
    assert "lines" in reasons[3]


async def test_content_the_door_can_place_goes_on_for_inventory_to_judge_in_order(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    odd = json.loads(stock_document(site, store).model_dump_json())
    odd["data"]["lines"][0]["quantity"] = 2**40  # inventory voids it; the door keeps the order

    r = await hub.push(site, [odd])

    assert r.json()["accepted"] == [odd["id"]]


async def test_the_token_of_another_site_or_a_user_is_forbidden_and_no_token_unauthenticated(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    event = stock_document(site, store)
    _, user = hub.issuer.user()

    other_site = await hub.push(site, [event], token=hub.site_token(uuid4()))
    a_user = await hub.push(site, [event], token=user)
    nobody = await hub.client.post(f"/sites/{site}/events", json=[])

    assert (other_site.status_code, a_user.status_code, nobody.status_code) == (403, 403, 401)
    assert other_site.headers["content-type"] == "application/problem+json"
    assert await on_topic_now(hub.bootstrap, EVENTS, event.id) == []


async def test_a_push_over_the_batch_limit_or_not_an_array_is_refused_whole(hub: Hub) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    events = [stock_document(site, store, seq=n) for n in range(1, 7)]  # the limit here is 5

    too_many = await hub.push(site, events)
    not_a_list = await hub.client.post(
        f"/sites/{site}/events",
        json={"events": [json.loads(events[0].model_dump_json())]},
        headers={"authorization": f"Bearer {hub.site_token(site)}"},
    )

    assert too_many.status_code == 413
    assert too_many.headers["content-type"] == "application/problem+json"
    assert not_a_list.status_code == 422
    assert await on_topic_now(hub.bootstrap, EVENTS, events[0].id) == []
