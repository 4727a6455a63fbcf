"""Batched sending puts each record where a keyed send would, in the order given."""

from __future__ import annotations

import asyncio

from akiba_devtools.testing.plugin import Topics
from akiba_devtools.testing.topics import read_topic
from akiba_platform import kafka
from akiba_platform.kafka import Record, send_batched


async def test_records_land_in_the_keyed_partitions_in_order_across_many_batches(
    topics: Topics, kafka_bootstrap: str
) -> None:
    topic = await topics.create("batched", partitions=6)
    # A small batch size forces several batches per partition, each waiting for the last.
    producer = kafka.producer(kafka_bootstrap, max_batch_size=4096)
    await producer.start()
    keys = [f"store-{i}".encode() for i in range(7)]
    try:
        records = [
            Record(topic, keys[n % 7], f'{{"n": {n}}}'.encode(), [("n", str(n).encode())])
            for n in range(1_400)
        ]
        await asyncio.gather(*await send_batched(producer, records))
        markers = [await producer.send_and_wait(topic, b'{"n": -1}', key=k) for k in keys]
    finally:
        await producer.stop()
    got = await read_topic(kafka_bootstrap, topic, expect=1_400 + 7, linger=0.2)

    keyed_partition = {k: m.partition for k, m in zip(keys, markers, strict=True)}
    per_key: dict[bytes, list[int]] = {}
    for record in got:
        assert record.partition == keyed_partition[record.key]
        number = int(record.value.decode().split(":")[1].rstrip("}"))
        if number >= 0:
            assert dict(record.headers)["n"] == str(number).encode()
            per_key.setdefault(record.key, []).append(number)
    assert per_key == {k: list(range(i, 1_400, 7)) for i, k in enumerate(keys)}


async def test_a_record_larger_than_a_batch_goes_in_a_batch_of_its_own_in_order(
    topics: Topics, kafka_bootstrap: str
) -> None:
    topic = await topics.create("batched", partitions=1)
    producer = kafka.producer(kafka_bootstrap, max_batch_size=1024)
    await producer.start()
    values = [b"small-1", b"x" * 5_000, b"small-2"]
    try:
        records = [Record(topic, b"k", v) for v in values]
        await asyncio.gather(*await send_batched(producer, records))
    finally:
        await producer.stop()
    got = await read_topic(kafka_bootstrap, topic, expect=3, linger=0.2)
    assert [r.value for r in got] == values
