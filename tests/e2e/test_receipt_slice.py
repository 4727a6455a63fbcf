"""The proving slice through real processes: HTTP → ledger + outbox → relay → Kafka → projector."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import orjson

from akiba_contracts.envelope import CloudEvent, encode
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.topics import read_topic
from akiba_platform import kafka

from .conftest import Inventory


async def test_receipts_reach_stock_on_hand_exactly_once(inventory: Inventory) -> None:
    for roles in ("api", "relay", "project"):
        inventory.process(roles)
    await inventory.api_ready()
    for q in (100, 250, 40):
        assert (await inventory.receive(q)).status_code == 201
    await wait_until(lambda: _on_hand_is(inventory, 390), what="stock on hand 390")
    await asyncio.sleep(1)
    assert await inventory.on_hand() == 390
    ledger = await inventory.fetchval(
        "select array_agg(store_sequence order by store_sequence) from stock_movements"
    )
    assert ledger == [1, 2, 3]


async def test_a_relay_killed_between_publish_and_mark_causes_the_effect_once(
    inventory: Inventory,
) -> None:
    inventory.process("api")
    await inventory.api_ready()
    body = (await inventory.receive(70)).json()
    crashing = inventory.process("relay", AKIBA_CRASH_AT="relay-after-publish")
    assert await asyncio.to_thread(crashing.wait, 60) == 137
    # The movement and the stock level it set: published, not marked.
    assert await inventory.fetchval("select count(*) from outbox") == 2
    inventory.process("relay")
    inventory.process("project")
    await wait_until(lambda: _on_hand_is(inventory, 70), what="stock on hand 70")
    copies = await read_topic(
        inventory.bootstrap, "inventory.stock-movements", needle=body["movement_id"], expect=2
    )
    assert len(copies) == 2, "the event must have been published twice"
    await asyncio.sleep(1)
    assert await inventory.on_hand() == 70


async def test_a_consumer_killed_after_its_commit_but_before_the_offset_commit_doubles_nothing(
    inventory: Inventory,
) -> None:
    inventory.process("api,relay")
    await inventory.api_ready()
    assert (await inventory.receive(30)).status_code == 201
    await wait_until(lambda: _outbox_empty(inventory), what="the relay to publish")
    crashing = inventory.process("project", AKIBA_CRASH_AT="consumer-after-db-commit")
    assert await asyncio.to_thread(crashing.wait, 60) == 137
    assert await inventory.on_hand() == 30  # its effect was committed before it died
    inventory.process("project")
    assert (await inventory.receive(5)).status_code == 201  # a marker behind the redelivery
    await wait_until(lambda: _on_hand_is(inventory, 35), what="stock on hand 35")
    await asyncio.sleep(1)
    assert await inventory.on_hand() == 35


async def test_a_poison_movement_is_dead_lettered_and_the_next_one_is_applied(
    inventory: Inventory,
) -> None:
    inventory.process("api,relay")
    projector = inventory.process("project")
    await inventory.api_ready()
    await inventory.started(projector)
    poison = CloudEvent(
        specversion="1.0",
        id=str(uuid4()),
        source="/akiba/test",
        type=StockMovementRecorded.event_type,
        data={"quantity": "lots"},
    )
    producer = kafka.producer(inventory.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            "inventory.stock-movements", encode(poison), key=str(inventory.store_id).encode()
        )
    finally:
        await producer.stop()
    assert (await inventory.receive(12)).status_code == 201
    await wait_until(lambda: _on_hand_is(inventory, 12), what="the good receipt")
    dead = await read_topic(
        inventory.bootstrap, "inventory.stock-movements.dlq", needle=poison.id, expect=1
    )
    reason = dict(dead[0].headers)["akiba-dlq-reason"].decode()
    assert "invalid" in reason and "quantity" in reason


async def test_the_http_requests_trace_id_appears_on_the_consumers_span(
    inventory: Inventory,
) -> None:
    for roles in ("api", "relay", "project"):
        inventory.process(roles)
    await inventory.api_ready()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = await inventory.receive(9, traceparent=f"00-{trace_id}-00f067aa0ba902b7-01")
    assert r.status_code == 201

    def consumer_span() -> list[dict[str, object]]:
        if not inventory.spans.exists():
            return []
        spans = [orjson.loads(line) for line in inventory.spans.read_bytes().splitlines()]
        return [
            s for s in spans if s["trace_id"] == trace_id and str(s["name"]).startswith("apply ")
        ]

    spans = await wait_until(consumer_span, what="the projector's span in the request's trace")
    assert spans[0]["attributes"]["messaging.message.id"]  # type: ignore[index]


async def _on_hand_is(inv: Inventory, n: int) -> bool:
    return await inv.on_hand() == n


async def _outbox_empty(inv: Inventory) -> bool:
    return await inv.fetchval("select count(*) from outbox") == 0
