"""Dead letters: a message that can never succeed goes to `<topic>.dlq` with the reason."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from akiba_contracts.catalogue import dlq_name
from akiba_platform import metrics

log = logging.getLogger(__name__)

# Set by `akiba dlq replay` on the record it re-injects (value: `<dlq topic>:<partition>:<offset>`):
# a consumer that dead-lettered the event applies it once more (its inbox row says dead
# letter); every other consumer, and any second replay, sees an applied event and skips it.
REPLAY_HEADER = "akiba-replay-of"


def is_replay(record: ConsumerRecord[bytes, bytes]) -> bool:
    """Whether an operator re-injected this record from a dead-letter topic."""
    return any(k == REPLAY_HEADER for k, _ in record.headers or ())


@dataclass(frozen=True)
class DeadLetter:
    """A record that failed for good, and why."""

    record: ConsumerRecord[bytes, bytes]
    reason: str
    event_id: UUID | None


def headers(consumer: str, dead: DeadLetter) -> list[tuple[str, bytes]]:
    """The original headers plus where the record came from and why it failed."""
    r = dead.record
    return [
        *[(k, v) for k, v in (r.headers or ())],
        ("akiba-dlq-reason", dead.reason[:4000].encode()),
        ("akiba-dlq-consumer", consumer.encode()),
        ("akiba-dlq-topic", r.topic.encode()),
        ("akiba-dlq-partition", str(r.partition).encode()),
        ("akiba-dlq-offset", str(r.offset).encode()),
    ]


async def send_dead_letters(
    producer: AIOKafkaProducer, consumer: str, dead: Sequence[DeadLetter]
) -> None:
    """Publish each dead letter and wait until the broker has it."""
    futures = [
        await producer.send(
            dlq_name(d.record.topic), d.record.value, key=d.record.key, headers=headers(consumer, d)
        )
        for d in dead
    ]
    for d, fut in zip(dead, futures, strict=True):
        await fut
        metrics.dead_letters.add(1, {"consumer": consumer, "topic": d.record.topic})
        log.error(
            "dead-lettered",
            extra={
                "consumer": consumer,
                "topic": d.record.topic,
                "offset": d.record.offset,
                "reason": d.reason,
            },
        )
