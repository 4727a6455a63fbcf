"""`akiba dlq`, `akiba lag` and `akiba stuck` against the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from pydantic import BaseModel

from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads.ops import DeadLetterAction
from akiba_devtools.cli import build_parser
from akiba_devtools.ops import decisions, dlq, lag, stuck
from akiba_devtools.ops._kafka import read_to_end, reader
from akiba_devtools.ops.dead_letters import Filters
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases, Topics
from akiba_platform import kafka
from akiba_platform.consumer import ConsumerLoop, Delivery, Rejected
from akiba_platform.db import Connection, create_pool

INVENTORY_MIGRATIONS = Path(__file__).parents[4] / "services" / "inventory" / "migrations"


class Ping(BaseModel):
    n: int


def ping(n: int) -> bytes:
    data = Ping(n=n)
    return encode(
        new_event(
            source="/t", type="org.akiba.test.ping.v1", subject="t", data=data, partitionkey="k"
        )
    )


async def apply(conn: Connection, deliveries: Sequence[Delivery]) -> list[Rejected]:
    """Apply pings, refusing those listed in `poison` (until an operator fixes the cause)."""
    refused = []
    for d in deliveries:
        n = (d.event.data or {})["n"]
        if await conn.fetchval("select exists(select 1 from poison where n = $1)", n):
            refused.append(Rejected(d, f"poison {n}: not allowed"))
        else:
            await conn.execute("insert into effects (n) values ($1)", n)
    return refused


@dataclass
class Rig:
    topic: str
    pool: asyncpg.Pool[Any]
    producer: AIOKafkaProducer
    bootstrap: str

    async def effects(self) -> list[int]:
        return [r["n"] for r in await self.pool.fetch("select n from effects order by n")]

    async def dead(self, **filters: Any) -> list[dlq.Listed]:
        return await dlq.dead_letters(self.bootstrap, Filters(topic=self.topic, **filters))

    async def caught_up(self) -> bool:
        async with reader(self.bootstrap) as client:
            ends = await client.end_offsets([TopicPartition(self.topic, p) for p in range(3)])
        rows = await self.pool.fetch("select partition, next_offset from consumer_positions")
        done = {r["partition"]: r["next_offset"] for r in rows}
        return all(done.get(tp.partition, 0) >= end for tp, end in ends.items())


@pytest.fixture
async def rig(databases: Databases, topics: Topics, kafka_bootstrap: str) -> AsyncIterator[Rig]:
    pool = await create_pool(await databases.create(), max_size=5)
    await pool.execute("create table effects (n int not null); create table poison (n int)")
    await pool.execute("insert into poison values (2), (3)")
    producer = kafka.producer(kafka_bootstrap)
    await producer.start()
    r = Rig(await topics.create("ops"), pool, producer, kafka_bootstrap)
    group = f"ops-{uuid.uuid4().hex[:8]}"
    consumer = kafka.consumer(kafka_bootstrap, group)
    await consumer.start()
    loop = ConsumerLoop(
        name=group,
        consumer=consumer,
        topics=[r.topic],
        pool=pool,
        handler=apply,
        dlq_producer=producer,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop, batch_size=10))
    for n in (1, 2, 3):
        await producer.send_and_wait(r.topic, ping(n), key=f"k{n}".encode())
    await wait_until(lambda: _count(r), what="two dead letters")
    yield r
    stop.set()
    await task
    await consumer.stop()
    await producer.stop()
    await pool.close()


async def _count(r: Rig) -> bool:
    return len(await r.dead()) == 2 and await r.effects() == [1]


def _n(x: dlq.Listed) -> int:
    event = x.dead.event()
    assert event is not None and event.data is not None
    return int(event.data["n"])


async def test_list_shows_each_dead_letter_with_its_origin_and_reason(rig: Rig) -> None:
    found = await rig.dead()
    assert sorted(_n(x) for x in found) == [2, 3]
    assert {x.dead.original_topic for x in found} == {rig.topic}
    assert all(x.dead.dlq_topic == f"{rig.topic}.dlq" and x.status == "new" for x in found)
    lines = dlq.lines(found)
    two = next(line for line in lines[1:] if "poison 2: not allowed" in line)
    assert len(lines) == 3 and "\tk2\t" in two


async def test_list_filters_by_reason_and_age(rig: Rig) -> None:
    assert [_n(x) for x in await rig.dead(reason="POISON 3")] == [3]
    assert len(await rig.dead(newer_than=timedelta(hours=1))) == 2
    assert await rig.dead(older_than=timedelta(hours=1)) == []
    other = await dlq.dead_letters(rig.bootstrap, Filters(topic=f"{rig.topic}-none"))
    assert other == []


async def test_show_gives_headers_reason_and_the_event_pretty_printed(rig: Rig) -> None:
    [first] = await rig.dead(reason="poison 2")
    x = await dlq.one(rig.bootstrap, first.dead.dlq_topic, first.dead.partition, first.dead.offset)
    text = dlq.shown(x)
    assert "poison 2: not allowed" in text and f"akiba-dlq-topic: {rig.topic}" in text
    assert '"n": 2' in text and "status       new" in text


async def test_a_replay_applies_once_even_when_replayed_twice(rig: Rig) -> None:
    two = (await rig.dead(reason="poison 2"))[0]
    await rig.pool.execute("delete from poison where n = 2")
    [landed] = await dlq.replay(rig.bootstrap, [two], "alice")
    assert landed.startswith(f"{rig.topic}:")
    again = (await rig.dead(reason="poison 2"))[0]
    with pytest.raises(dlq.Refused, match="already replayed by alice"):
        await dlq.replay(rig.bootstrap, [again], "alice")
    await dlq.replay(rig.bootstrap, [again], "carol", again=True)
    await wait_until(rig.caught_up, what="the consumer read both replays")
    assert await rig.effects() == [1, 2]
    async with reader(rig.bootstrap) as client:
        on_topic = await read_to_end(client, [rig.topic])
    assert sum(1 for r in on_topic if b'"n":2' in (r.value or b"")) == 3  # original + 2 replays


async def test_discard_hides_the_dead_letter_refuses_replay_and_logs_who(rig: Rig) -> None:
    three = (await rig.dead(reason="poison 3"))[0]
    await dlq.discard(rig.bootstrap, [three], "bob", "test data, never valid")
    assert [_n(x) for x in await rig.dead()] == [2]
    hidden = await dlq.dead_letters(rig.bootstrap, Filters(topic=rig.topic), discarded=True)
    # 2 and 3 come from different partitions: either may have been dead-lettered first.
    assert {_n(x): x.status for x in hidden} == {2: "new", 3: "discarded by bob"}
    with pytest.raises(dlq.Refused, match="discarded by bob"):
        await dlq.replay(rig.bootstrap, [x for x in hidden if _n(x) == 3], "alice", again=True)
    async with reader(rig.bootstrap) as client:
        log = decisions.latest(await read_to_end(client, [decisions.TOPIC.name]))
    decided = log[three.dead.id]
    assert (decided.action, decided.by, decided.reason) == (
        DeadLetterAction.DISCARDED,
        "bob",
        "test data, never valid",
    )
    assert datetime.now(UTC) - decided.decided_at < timedelta(minutes=5)


async def test_the_decision_log_keeps_every_replay_of_a_dead_letter(rig: Rig) -> None:
    two = (await rig.dead(reason="poison 2"))[0]
    await dlq.replay(rig.bootstrap, [two], "alice")
    again = (await rig.dead(reason="poison 2"))[0]
    await dlq.replay(rig.bootstrap, [again], "carol", again=True)
    shown = dlq.shown(await dlq.one(rig.bootstrap, two.dead.dlq_topic, 0, two.dead.offset))
    assert "replayed by alice" in shown and "replayed by carol" in shown


@pytest.fixture
async def committed_group(topics: Topics, kafka_bootstrap: str) -> str:
    name = await topics.create("lag")
    producer = kafka.producer(kafka_bootstrap)
    await producer.start()
    try:
        for partition, count in ((0, 5), (1, 9), (2, 2)):
            for i in range(count):
                await producer.send_and_wait(name, b"x", key=b"%d" % i, partition=partition)
    finally:
        await producer.stop()
    group = f"lag-{uuid.uuid4().hex[:10]}"
    member = kafka.consumer(kafka_bootstrap, group)
    await member.start()
    try:
        member.assign([TopicPartition(name, p) for p in range(3)])
        await member.commit({TopicPartition(name, 0): 4, TopicPartition(name, 1): 1})
        await member.commit({TopicPartition(name, 2): 2})
    finally:
        await member.stop()
    return group


def test_the_dlq_commands_select_by_filters_and_print_each_decision(
    rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ("--topic", rig.topic, "--bootstrap", rig.bootstrap)

    def listed(*extra: str) -> list[str]:
        capsys.readouterr()
        assert _akiba("dlq", "list", *where, *extra) == 0
        return capsys.readouterr().out.splitlines()[1:]

    assert [line.split("\t")[-2] for line in listed()] == ["new", "new"]
    # Filters without --matching select nothing: refused rather than acting on every topic.
    assert _akiba("dlq", "replay", *where, "--by", "amina") == 1
    assert (
        _akiba("dlq", "replay", "--matching", *where, "--reason", "poison 2", "--by", "amina") == 0
    )
    assert (
        _akiba(
            "dlq",
            "discard",
            "--matching",
            *where,
            "--reason-contains",
            "poison 3",
            "--by",
            "amina",
            "--reason",
            "a test ping",
        )
        == 0
    )
    assert [line.split("\t")[-2] for line in listed()] == ["replayed by amina"]
    assert sorted(line.split("\t")[-2] for line in listed("--all")) == [
        "discarded by amina",
        "replayed by amina",
    ]


async def test_lag_is_exact_per_partition_and_worst_first(
    committed_group: str, kafka_bootstrap: str
) -> None:
    found = await lag.lags(kafka_bootstrap, committed_group)
    assert [(x.partition, x.committed, x.end, x.lag) for x in found] == [
        (1, 1, 9, 8),
        (0, 4, 5, 1),
        (2, 2, 2, 0),
    ]
    assert {x.group for x in found} == {committed_group}


def test_akiba_lag_prints_the_groups_partitions(
    committed_group: str, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _akiba("lag", "--group", committed_group, "--bootstrap", kafka_bootstrap) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[1].split()[:3] == ["8", "1", "9"]


@pytest.fixture
async def inventory_with_a_gap(databases: Databases) -> tuple[str, uuid.UUID]:
    dsn = await databases.create({"inventory": INVENTORY_MIGRATIONS})
    store, site = uuid.uuid4(), uuid.uuid4()
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "insert into stores (store_id, code, name, next_sequence) values ($1, 'S1', 'S', 3)",
            store,
        )
        for seq, age in ((7, 90), (5, 30)):
            await conn.execute(
                "insert into edge_pending (store_id, first_sequence, line_count, event_id,"
                " site_id, event, received_at) values ($1, $2, 1, $3, $4, '\\x00',"
                " now() - make_interval(mins => $5))",
                store,
                seq,
                uuid.uuid4(),
                site,
                age,
            )
    finally:
        await conn.close()
    return dsn, store


async def test_stuck_finds_the_store_behind_a_gap_with_its_oldest_document(
    inventory_with_a_gap: tuple[str, uuid.UUID],
) -> None:
    dsn, store = inventory_with_a_gap
    [found] = await stuck.stuck_stores(dsn)
    assert (found.store_id, found.held, found.oldest_sequence) == (store, 2, 7)
    assert found.waits_for == "gap: 3..4 missing"
    assert timedelta(minutes=89) < datetime.now(UTC) - found.oldest_since < timedelta(minutes=91)


def test_akiba_stuck_prints_the_store_and_how_long_it_waited(
    inventory_with_a_gap: tuple[str, uuid.UUID], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, store = inventory_with_a_gap
    assert _akiba("stuck", "--database-url", dsn) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].startswith(str(store)) and "1:30:" in out[1]


def _akiba(*argv: str) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code
