"""What the scale-out test looks at: who leads the relay, who holds which partitions, who is
in a transaction (by the instance names processes give their sessions and Kafka clients)."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypeAlias

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from akiba_contracts.catalogue import all_topics
from akiba_platform.relay import LEADER_LOCK

# A group's members by client id (the instance's name), each with its (topic, partition)s.
Holders: TypeAlias = dict[str, set[tuple[str, int]]]

_LEADER = """
select a.application_name from pg_locks l join pg_stat_activity a using (pid)
 where l.locktype = 'advisory' and l.granted and l.objid::bigint = $1
   and l.database = (select oid from pg_database where datname = current_database())
"""

# A consumer applying a batch: its transaction has claimed events in the inbox, or is
# recording the positions that commit with them.
_APPLYING = """
select a.query from pg_stat_activity a
 where a.application_name = $1 and a.datname = current_database() and a.xact_start is not null
   and (a.query like 'insert into inbox%' or a.query like '%consumer_positions%')
"""


async def relay_leader(dsn: str) -> str | None:
    """The instance whose session holds the relay's advisory lock on this database."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        leader: str | None = await conn.fetchval(_LEADER, LEADER_LOCK)
        return leader
    finally:
        await conn.close()


async def applying(conn: asyncpg.Connection[Any], instance: str) -> str | None:
    """The statement of a consumer batch `instance` has open right now, if any."""
    query: str | None = await conn.fetchval(_APPLYING, instance)
    return query


async def members(bootstrap: str, group: str) -> Holders:
    """Each member of a consumer group, by client id, with the partitions assigned to it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    (described,) = response.to_object()["groups"]
    found: Holders = {}
    for m in described["members"]:
        parts = found.setdefault(m["client_id"], set())
        if m["member_assignment"]:  # empty while the group rebalances
            assignment = ConsumerProtocolMemberAssignment.decode(m["member_assignment"])
            parts.update((topic, p) for topic, ps in assignment.assignment for p in ps)
    return found


async def ends(bootstrap: str, topic: str) -> dict[int, int]:
    """The end offset of each partition of `topic` now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        (count,) = (t.partitions for t in all_topics() if t.name == topic)
        parts = [TopicPartition(topic, p) for p in range(count)]
        return {tp.partition: o for tp, o in (await consumer.end_offsets(parts)).items()}
    finally:
        await consumer.stop()


async def copies(
    bootstrap: str, topic: str, since: dict[int, int], keys: set[bytes]
) -> Counter[str]:
    """How many records each event id (ce_id) has on `topic` after `since`, among those keyed
    by `keys`: more than one is a relay's republish, which consumers must absorb."""
    until = await ends(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: Counter[str] = Counter()
    try:
        parts = [TopicPartition(topic, p) for p in until if until[p] > since.get(p, 0)]
        consumer.assign(parts)
        for tp in parts:
            consumer.seek(tp, since.get(tp.partition, 0))
        while [tp for tp in parts if await consumer.position(tp) < until[tp.partition]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    if r.key in keys and r.offset < until[r.partition]:
                        found[dict(r.headers)["ce_id"].decode()] += 1
    finally:
        await consumer.stop()
    return found
