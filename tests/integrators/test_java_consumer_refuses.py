"""The Java consumer fails, naming the reason, on what breaks the published contracts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_platform import kafka

from .conftest import EventCheck

pytestmark = pytest.mark.stack


def movement() -> dict[str, Any]:
    """A valid stock movement event as a JSON object, made with the contract models."""
    store = uuid.uuid4()
    payload = StockMovementRecorded(
        movement_id=uuid.uuid4(),
        store_id=store,
        item_id=uuid.uuid4(),
        batch_id=uuid.uuid4(),
        lot_code="LOT-1",
        expiry_date=None,
        location_id=None,
        movement_type="receipt",
        quantity=10,
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
        actor="tester",
        reason_id=None,
        reference=None,
        source=None,
        store_sequence=1,
    )
    event = new_event(
        source="/akiba/inventory",
        type=payload.event_type,
        subject=f"stores/{store}",
        data=payload,
        partitionkey=str(store),
    )
    value: dict[str, Any] = orjson.loads(encode(event))
    return value


async def scratch_topic(bootstrap: str, *values: dict[str, Any] | bytes | None) -> str:
    """A new topic holding these records (events keyed and with headers as the relay sends
    them; raw bytes or None as they are)."""
    name = f"integrators.scratch-{uuid.uuid4().hex[:8]}"
    await _create(bootstrap, name)
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        for v in values:
            if isinstance(v, dict):
                await producer.send_and_wait(
                    name, orjson.dumps(v), key=str(v["partitionkey"]).encode(), headers=_headers(v)
                )
            else:
                await producer.send_and_wait(name, v, key=b"k")
    finally:
        await producer.stop()
    return name


async def test_each_broken_event_fails_the_check_with_its_reason_and_a_resend_counts_once(
    event_check: EventCheck,
) -> None:
    good, bad, unknown = movement(), movement(), movement()
    bad["data"]["quantity"] = "ten"
    unknown["type"] = "org.akiba.inventory.stock-movement.recorded.v9"
    topic = await scratch_topic(event_check.bootstrap, good, good, bad, unknown, b"{not json", None)

    check = await event_check.run(topic)

    assert check.status == 1, check.output
    report = check.report
    assert (report["records"], report["events"], report["duplicates"]) == (6, 5, 1)
    assert (report["valid"], report["invalid"]) == (1, 4)
    reasons = {e["offset"]: e["reasons"] for e in report["invalid_events"]}
    assert reasons[2] == ["data: /quantity: string found, integer expected"]
    # Never skipped: an event nobody can validate is a failure.
    assert reasons[3] == [
        "unknown event type org.akiba.inventory.stock-movement.recorded.v9:"
        " no published schema describes it"
    ]
    assert reasons[4][0].startswith("the value is not JSON")
    assert reasons[5] == ["the record has no value (a tombstone)"]
    assert "FAILED: 4 invalid events" in check.output


async def test_an_event_on_a_topic_that_does_not_carry_its_type_fails(
    event_check: EventCheck,
) -> None:
    await _create(event_check.bootstrap, "inventory.batches")
    event = movement()
    producer = kafka.producer(event_check.bootstrap)
    await producer.start()
    try:
        value = orjson.dumps(event)
        await producer.send_and_wait(
            "inventory.batches", value, key=event["partitionkey"].encode(), headers=_headers(event)
        )
    finally:
        await producer.stop()

    check = await event_check.run("inventory.batches")

    assert check.status == 1, check.output
    (invalid,) = check.report["invalid_events"]
    assert invalid["reasons"] == [
        "event type org.akiba.inventory.stock-movement.recorded.v1 is not published on"
        " inventory.batches"
    ]


async def test_fewer_events_than_expected_fail_the_check(event_check: EventCheck) -> None:
    topic = await scratch_topic(event_check.bootstrap, movement())

    check = await event_check.run(topic, min_events=2)

    assert check.status == 1, check.output
    assert check.report["valid"] == 1
    assert "FAILED: 1 events read, at least 2 expected" in check.output


async def test_a_topic_that_does_not_exist_is_refused_before_reading(
    event_check: EventCheck,
) -> None:
    check = await event_check.run(f"integrators.missing-{uuid.uuid4().hex[:8]}")

    assert check.status == 2, check.output
    assert "does not exist" in check.output


def _headers(event: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [
        ("content-type", b"application/cloudevents+json"),
        ("ce_id", event["id"].encode()),
        ("ce_type", event["type"].encode()),
    ]


async def _create(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1)])
    finally:
        await admin.close()
