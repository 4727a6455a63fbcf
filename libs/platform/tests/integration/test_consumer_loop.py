"""The consumer loop: exactly-once effect, dead letters, retries, rebalances."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from akiba_contracts.envelope import encode
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases, Topics
from akiba_devtools.testing.topics import read_topic
from akiba_platform import kafka, metrics
from akiba_platform.consumer import ConsumerLoop, Delivery, Rejected
from akiba_platform.db import create_pool
from akiba_platform.errors import PermanentError, TransientError

from ..conftest import event


@dataclass
class Rig:
    """A topic, a database with an effects table, and running consumer loops."""

    topic: str
    pool: asyncpg.Pool[Any]
    producer: AIOKafkaProducer
    bootstrap: str
    running: list[tuple[asyncio.Event, asyncio.Task[None]]] = field(default_factory=list)

    async def send(self, *values: bytes, key: bytes = b"k") -> None:
        for v in values:
            await self.producer.send_and_wait(self.topic, v, key=key)

    async def start_loop(
        self, handler: Any, group: str = "g", name: str | None = None
    ) -> asyncio.Event:
        consumer = kafka.consumer(self.bootstrap, group)
        await consumer.start()
        loop = ConsumerLoop(
            name=name or group,
            consumer=consumer,
            topics=[self.topic],
            pool=self.pool,
            handler=handler,
            dlq_producer=self.producer,
            max_backoff=0.2,
        )
        stop = asyncio.Event()

        async def run() -> None:
            try:
                await loop.run(stop, batch_size=50)
            finally:
                await consumer.stop()

        self.running.append((stop, asyncio.create_task(run())))
        return stop

    async def effects(self) -> list[int]:
        return [r["n"] for r in await self.pool.fetch("select n from effects order by n")]


@pytest.fixture
async def rig(databases: Databases, topics: Topics, kafka_bootstrap: str) -> AsyncIterator[Rig]:
    pool = await create_pool(await databases.create(), max_size=10)
    await pool.execute("create table effects (n int not null)")
    producer = kafka.producer(kafka_bootstrap)
    await producer.start()
    r = Rig(await topics.create("consumer"), pool, producer, kafka_bootstrap)
    yield r
    for stop, _ in r.running:
        stop.set()
    await asyncio.gather(*(t for _, t in r.running))
    await producer.stop()
    await pool.close()


async def record_effect(conn: asyncpg.Connection[Any], deliveries: Sequence[Delivery]) -> None:
    """The handler under test: one row per applied event."""
    for d in deliveries:
        n = (d.event.data or {})["n"]
        if n < 0:
            raise PermanentError(f"negative numbers are poison: {n}")
        await conn.execute("insert into effects (n) values ($1)", n)


async def test_each_event_is_applied_once_even_when_delivered_twice(rig: Rig) -> None:
    events = [encode(event(n)) for n in range(10)]
    await rig.send(*events)
    await rig.start_loop(record_effect)
    await wait_until(lambda: _count(rig, 10), what="ten effects")
    await rig.send(*events, encode(event(99)))  # redelivered in a later batch, then a marker
    await wait_until(lambda: _count(rig, 11, at_least=True), what="the marker")
    assert await rig.effects() == [*range(10), 99]


async def test_polls_are_applied_one_at_a_time_in_order(rig: Rig) -> None:
    applying: list[int] = []
    calls: list[tuple[int, list[int]]] = []  # how many polls were applying, what each held

    async def slow(conn: asyncpg.Connection[Any], deliveries: Sequence[Delivery]) -> None:
        applying.append(1)
        calls.append((len(applying), [d.record.offset for d in deliveries]))
        await asyncio.sleep(0.05)  # long enough for a second poll to overlap, were it let
        await record_effect(conn, deliveries)
        applying.pop()

    for n in range(400):  # one key: one partition, one order
        await rig.producer.send(rig.topic, encode(event(n)), key=b"k")
    await rig.producer.flush()
    await rig.start_loop(slow)
    await wait_until(lambda: _count(rig, 400), what="every event applied")
    assert len(calls) >= 8 and all(at_once == 1 for at_once, _ in calls)
    offsets = [o for _, held in calls for o in held]
    assert offsets == sorted(offsets) and len(offsets) == len(set(offsets)) == 400
    assert await rig.effects() == list(range(400))


async def test_duplicates_within_one_batch_are_applied_once(rig: Rig) -> None:
    events = [encode(event(n)) for n in range(10)]
    await rig.send(*events, *events, encode(event(99)))
    await rig.start_loop(record_effect)
    await wait_until(lambda: _count(rig, 11, at_least=True), what="the marker")
    assert await rig.effects() == [*range(10), 99]


async def test_an_id_spelt_in_capitals_is_the_same_event_within_one_batch(rig: Rig) -> None:
    quiet = event(1)
    shouted = quiet.model_copy(update={"id": quiet.id.upper(), "data": {"n": 2}})
    await rig.send(encode(shouted), encode(quiet), encode(event(99)))
    await rig.start_loop(record_effect)
    await wait_until(lambda: _count(rig, 2, at_least=True), what="the marker")
    assert await rig.effects() == [2, 99]  # the first delivery of the id, as spelt


async def test_ids_in_braces_or_as_urns_are_applied_and_deduplicated(rig: Rig) -> None:
    braced, urn = event(1), event(2)
    braced = braced.model_copy(update={"id": "{" + braced.id + "}"})
    urn = urn.model_copy(update={"id": "urn:uuid:" + urn.id})
    await rig.send(encode(braced), encode(urn), encode(braced), encode(event(99)))
    await rig.start_loop(record_effect)
    await wait_until(lambda: _count(rig, 3, at_least=True), what="the marker")
    assert await rig.effects() == [1, 2, 99]


async def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_next_is_applied(
    rig: Rig,
) -> None:
    await rig.send(b"not a cloudevent", encode(event(-1)), encode(event(7)))
    await rig.start_loop(record_effect)
    await wait_until(lambda: _count(rig, 1), what="the good event")
    dead = await read_topic(rig.bootstrap, f"{rig.topic}.dlq", expect=2)
    reasons = sorted(dict(r.headers)["akiba-dlq-reason"].decode() for r in dead)
    assert reasons[0].startswith("InvalidEnvelope")
    assert "negative numbers are poison: -1" in reasons[1]
    assert {dict(r.headers)["akiba-dlq-topic"].decode() for r in dead} == {rig.topic}
    assert await rig.effects() == [7]


async def test_a_transient_failure_is_retried_until_it_succeeds(rig: Rig) -> None:
    failures = {"left": 3}

    async def flaky(conn: asyncpg.Connection[Any], deliveries: Sequence[Delivery]) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise TransientError("database briefly away")
        await record_effect(conn, deliveries)

    await rig.send(*(encode(event(n)) for n in range(5)))
    await rig.start_loop(flaky)
    await wait_until(lambda: _count(rig, 5), what="five effects")
    assert failures["left"] == 0
    assert await rig.effects() == list(range(5))
    assert await read_topic(rig.bootstrap, f"{rig.topic}.dlq", expect=0, timeout=1) == []


async def test_members_joining_and_leaving_the_group_lose_and_double_nothing(rig: Rig) -> None:
    async def slow(conn: asyncpg.Connection[Any], deliveries: Sequence[Delivery]) -> None:
        await asyncio.sleep(0.02)
        await record_effect(conn, deliveries)

    first = await rig.start_loop(slow)
    for n in range(300):
        await rig.producer.send(rig.topic, encode(event(n)), key=str(n).encode())
    await rig.producer.flush()
    await wait_until(lambda: _count(rig, 20, at_least=True), what="the first member to start")
    await rig.start_loop(slow)  # a rebalance while the first is mid-stream
    await wait_until(lambda: _count(rig, 120, at_least=True), what="progress after the join")
    first.set()  # the first leaves: its partitions move to the second
    await wait_until(lambda: _count(rig, 300), timeout=60, what="all 300 effects")
    await asyncio.sleep(0.5)
    assert await rig.effects() == list(range(300))


class LagGauge:
    """Stands in for the lag gauge: the last value set per (consumer, partition)."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], int] = {}

    def set(self, value: int, attributes: dict[str, Any]) -> None:
        self.last[(attributes["consumer"], attributes["partition"])] = value


async def test_a_member_reports_no_lag_for_partitions_it_no_longer_applies(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    gauge = LagGauge()
    monkeypatch.setattr(metrics, "consumer_lag", gauge)

    async def slow(conn: asyncpg.Connection[Any], deliveries: Sequence[Delivery]) -> None:
        await asyncio.sleep(0.1)
        await record_effect(conn, deliveries)

    for n in range(6000):  # about 12 s of work: the rebalance lands mid-way
        await rig.producer.send(rig.topic, encode(event(n)), key=str(n).encode())
    await rig.producer.flush()
    # Members under different names, so each one's reports can be told apart.
    group = f"lag-{uuid4().hex[:8]}"
    first = await rig.start_loop(slow, group=group, name="first")

    async def behind(consumer: str) -> bool:
        return any(v > 0 for (c, _), v in gauge.last.items() if c == consumer)

    await wait_until(lambda: behind("first"), what="the first member behind")
    await rig.start_loop(slow, group=group, name="second")

    async def second_at_work() -> bool:
        return any(c == "second" for (c, _) in gauge.last)

    await wait_until(second_at_work, timeout=30, what="the second member at work")
    handed = {p for (c, p) in gauge.last if c == "second"}
    assert all(gauge.last.get(("first", p), 0) == 0 for p in handed)
    first.set()  # leaves the group while still behind: its gauge must not keep that
    await wait_until(
        lambda: _all_zero(gauge, "first"), timeout=30, what="no lag from the member that left"
    )


async def _all_zero(gauge: LagGauge, consumer: str) -> bool:
    return all(v == 0 for (c, _), v in gauge.last.items() if c == consumer)


async def _count(rig: Rig, n: int, at_least: bool = False) -> bool:
    have = int(await rig.pool.fetchval("select count(*) from effects"))
    return have >= n if at_least else have == n


async def test_a_rejected_delivery_is_dead_lettered_while_the_handlers_other_effects_stay(
    rig: Rig,
) -> None:
    async def refuse_odd(conn: asyncpg.Connection[Any], ds: Sequence[Delivery]) -> list[Rejected]:
        await record_effect(conn, ds)  # every event leaves a trace, refused or not
        return [
            Rejected(d, f"odd: {(d.event.data or {})['n']}")
            for d in ds
            if d.event.data and d.event.data["n"] % 2
        ]

    await rig.send(*(encode(event(n)) for n in range(4)))
    await rig.start_loop(refuse_odd)
    await wait_until(lambda: _count(rig, 4), what="four effects")
    dead = await read_topic(rig.bootstrap, f"{rig.topic}.dlq", expect=2)
    assert sorted(dict(r.headers)["akiba-dlq-reason"].decode() for r in dead) == [
        "odd: 1",
        "odd: 3",
    ]
    assert await rig.effects() == [0, 1, 2, 3]
    assert await rig.pool.fetchval("select count(*) from inbox where dead_letter") == 2


async def test_a_database_restored_from_before_the_groups_offsets_reapplies_what_came_after(
    rig: Rig,
) -> None:
    events = [event(n) for n in range(3)]
    await rig.send(*(encode(e) for e in events))  # one key: one partition, in this order
    await rig.start_loop(record_effect, group="restored")
    await wait_until(lambda: _count(rig, 3), what="three effects")
    stop, task = rig.running.pop()
    stop.set()
    await task
    # The database as a backup taken after the first event had it; the group has moved on.
    later = [UUID(e.id) for e in events[1:]]
    await rig.pool.execute("delete from effects where n > 0")
    await rig.pool.execute("delete from inbox where event_id = any($1::uuid[])", later)
    await rig.pool.execute(
        "update consumer_positions set next_offset = 1 where consumer = 'restored'"
    )
    await rig.start_loop(record_effect, group="restored")
    await wait_until(lambda: _count(rig, 3), what="the effects after the backup, again")
    assert await rig.effects() == [0, 1, 2]


async def test_a_restarted_loop_resumes_where_its_database_stands(rig: Rig) -> None:
    await rig.send(*(encode(event(n)) for n in range(3)))
    await rig.start_loop(record_effect, group="resumes")
    await wait_until(lambda: _count(rig, 3), what="three effects")
    stop, task = rig.running.pop()
    stop.set()
    await task
    positions = await rig.pool.fetch(
        "select partition, next_offset from consumer_positions where consumer = 'resumes'"
    )
    assert sum(r["next_offset"] for r in positions) == 3
    await rig.send(encode(event(3)))
    await rig.start_loop(record_effect, group="resumes")
    await wait_until(lambda: _count(rig, 4), what="the fourth effect")
    assert await rig.effects() == [0, 1, 2, 3]
    assert await rig.pool.fetchval("select count(*) from inbox where consumer = 'resumes'") == 4


async def test_the_groups_kafka_offsets_follow_the_database_once_the_loop_stops(rig: Rig) -> None:
    await rig.send(*(encode(event(n)) for n in range(120)))  # several batches of 50
    await rig.start_loop(record_effect, group="follows")
    await wait_until(lambda: _count(rig, 120), what="all the effects")
    stop, task = rig.running.pop()
    stop.set()
    await task
    admin = AIOKafkaAdminClient(bootstrap_servers=rig.bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets("follows")
    finally:
        await admin.close()
    assert sum(o.offset for tp, o in committed.items() if tp.topic == rig.topic) == 120
