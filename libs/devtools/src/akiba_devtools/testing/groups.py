"""Consumer groups of a test deployment that start from now, not from the topics' beginning.

Each e2e deployment has consumer groups of its own (a prefix), so deployments side by side
never take each other's partitions. A new group with no committed offset would read every
topic from its start: on a broker that has served other tests and benchmarks, days of other
deployments' records. Committing the current end offsets for the new groups first makes them
begin with what this deployment produces, deterministically (no race with the assignment).
"""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from akiba_contracts.catalogue import all_topics


async def start_groups_at_end(bootstrap: str, groups: Iterable[str]) -> None:
    """Commit the end of every catalogue topic's partitions for each of these (new) groups."""
    for group in groups:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            known = await consumer.topics()
            partitions = [
                TopicPartition(t.name, p)
                for t in all_topics()
                if t.name in known
                for p in range(t.partitions)  # the catalogue's count, which topics never change
            ]
            if not partitions:
                return  # a broker without the catalogue yet: nothing to skip
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit({tp: offset for tp, offset in ends.items()})
        finally:
            await consumer.stop()
