"""`akiba lag`: how far each consumer group is behind, per partition, the worst first.

Lag is the partition's end offset minus the group's committed offset. Consumers commit to
Kafka after their database commit (their database holds the position they resume from), so
Kafka's committed offset may trail the effects by one batch, never run ahead of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import TopicPartition

from akiba_devtools.ops._kafka import admin, reader


@dataclass(frozen=True)
class Lag:
    """One partition of one group: committed offset, end offset and the difference."""

    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        """Records the group has yet to commit."""
        return max(0, self.end - self.committed)


async def lags(servers: str, prefix: str = "") -> list[Lag]:
    """Every committed partition of the groups whose name starts with `prefix`, worst first."""
    found: list[Lag] = []
    async with admin(servers) as client:
        groups = sorted(g for g, _ in await client.list_consumer_groups() if g.startswith(prefix))
        committed = {g: await client.list_consumer_group_offsets(g) for g in groups}
    parts = list({tp for offsets in committed.values() for tp in offsets})
    if not parts:
        return []
    async with reader(servers) as client:
        ends: dict[TopicPartition, int] = await client.end_offsets(parts)
    for g, offsets in committed.items():
        for tp, meta in offsets.items():
            if meta.offset >= 0:
                found.append(Lag(g, tp.topic, tp.partition, meta.offset, ends[tp]))
    return sorted(found, key=lambda x: (-x.lag, x.group, x.topic, x.partition))


def lines(found: list[Lag]) -> list[str]:
    """`akiba lag`'s output."""
    head = f"{'lag':>10}  {'committed':>12}  {'end':>12}  group  topic:partition"
    return [
        head,
        *(
            f"{x.lag:>10}  {x.committed:>12}  {x.end:>12}  {x.group}  {x.topic}:{x.partition}"
            for x in found
        ),
    ]
