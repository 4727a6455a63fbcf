"""The decision log of `akiba dlq`: who replayed or discarded which dead letter, when and why.

Kept on the compacted topic `ops.dlq-decisions` (in the catalogue), keyed by dead letter,
rather than in a table, because:
- dead letters live in Kafka and belong to no one service's database; a table would need a
  database of its own (or to pick a service's), with migrations and backups, for operators
  who otherwise only need the brokers;
- the decision is next to what it is about: whoever can read the dead letters can read what
  became of them, with the same credentials, and a database restore cannot roll it back;
- compaction keeps the latest record per dead letter forever (like the `.dlq` topics, which
  have no time limit), and each record carries every earlier decision about its dead letter
  (`previous`), so the audit trail survives compaction; the volume is a few records a day.
Each record is a CloudEvent (`org.akiba.ops.dead-letter.decided.v1`) like every other event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from akiba_contracts.catalogue import topic
from akiba_contracts.envelope import CloudEvent, decode, encode, kafka_headers, new_event
from akiba_contracts.payloads.ops import DeadLetterAction, DeadLetterDecided, PastDecision
from akiba_devtools.ops._kafka import Record
from akiba_devtools.ops.dead_letters import DeadLetter

TOPIC = topic("ops.dlq-decisions")


@dataclass(frozen=True)
class Decision:
    """What an operator decides about one dead letter."""

    action: DeadLetterAction
    by: str
    reason: str | None = None
    replayed_to: str | None = None


def latest(records: list[Record]) -> dict[str, DeadLetterDecided]:
    """The current decision per dead letter id, from the topic's records in offset order."""
    found: dict[str, DeadLetterDecided] = {}
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        if r.value is None:
            continue  # a tombstone: an operator removed the decision by hand
        data = decode(r.value).data or {}
        decided = DeadLetterDecided.model_validate(data)
        found[decided.dead_letter] = decided
    return found


def record(dead: DeadLetter, decision: Decision, before: DeadLetterDecided | None) -> bytes:
    """The encoded event that logs `decision`, carrying the history `before` held."""
    previous = [*before.previous, _past(before)] if before else []
    event = dead.event()
    payload = DeadLetterDecided(
        dead_letter=dead.id,
        dlq_topic=dead.dlq_topic,
        partition=dead.partition,
        offset=dead.offset,
        original_topic=dead.original_topic,
        event_id=event.id if event else None,
        action=decision.action,
        by=decision.by,
        reason=decision.reason,
        decided_at=datetime.now(UTC),
        replayed_to=decision.replayed_to,
        previous=previous,
    )
    return encode(_event(payload))


async def log(producer: AIOKafkaProducer, value: bytes) -> None:
    """Append a decision and wait until the broker has it."""
    event = decode(value)
    key = (event.partitionkey or "").encode()
    await producer.send_and_wait(TOPIC.name, value, key=key, headers=kafka_headers(event))


def _past(d: DeadLetterDecided) -> PastDecision:
    return PastDecision(action=d.action, by=d.by, reason=d.reason, decided_at=d.decided_at)


def _event(payload: DeadLetterDecided) -> CloudEvent:
    return new_event(
        source="/akiba/ops/dlq",
        type=DeadLetterDecided.event_type,
        subject=payload.dead_letter,
        data=payload,
        partitionkey=payload.partition_key(),
    )
