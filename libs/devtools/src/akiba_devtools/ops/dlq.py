"""`akiba dlq list|show|replay|discard`: dead letters, and what operators decide about them.

A replay re-injects the original record (key, value, original headers) onto its original
topic through an idempotent producer, with `akiba-replay-of` naming the dead letter: the
consumer that dead-lettered it applies it once more through its inbox, and every other
consumer (or a second replay) finds it applied and skips it. A dead letter already replayed
is not replayed again unless `--again` says so, and a discarded one never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from akiba_contracts.catalogue import all_topics
from akiba_contracts.payloads.ops import DeadLetterAction, DeadLetterDecided, PastDecision
from akiba_devtools.ops import decisions
from akiba_devtools.ops._kafka import admin, read_to_end, reader
from akiba_devtools.ops.dead_letters import DeadLetter, Filters, dlq_topics, full, line
from akiba_devtools.ops.decisions import Decision
from akiba_platform import kafka
from akiba_platform.dead_letters import REPLAY_HEADER
from akiba_platform.settings import ServiceSettings


class Refused(Exception):
    """An action the decision log forbids (e.g. replaying a discarded dead letter)."""


@dataclass(frozen=True)
class Listed:
    """A dead letter and the latest decision about it, if any."""

    dead: DeadLetter
    decision: DeadLetterDecided | None

    @property
    def status(self) -> str:
        """`new`, or the latest decision and who took it."""
        d = self.decision
        return f"{d.action.value} by {d.by}" if d else "new"


async def dead_letters(servers: str, filters: Filters, *, discarded: bool = False) -> list[Listed]:
    """The dead letters the filters admit, oldest first; discarded ones only if asked."""
    async with admin(servers) as client:
        names = set(await client.list_topics())
    topics = dlq_topics(names, filters.topic)
    if not topics:
        return []  # (aiokafka fails to stop a consumer that was never assigned anything)
    log = [decisions.TOPIC.name] if decisions.TOPIC.name in names else []
    async with reader(servers) as client:
        # One read: a reader's metadata covers only what it was assigned first.
        records = await read_to_end(client, topics + log)
    found = [DeadLetter.of(r) for r in records if r.topic != decisions.TOPIC.name]
    made = decisions.latest([r for r in records if r.topic == decisions.TOPIC.name])
    now = datetime.now(UTC)
    listed = [Listed(d, made.get(d.id)) for d in found if filters.admit(d, now)]
    if not discarded:
        listed = [x for x in listed if x.status.split()[0] != DeadLetterAction.DISCARDED.value]
    return sorted(listed, key=lambda x: (x.dead.at, x.dead.id))


async def one(servers: str, dlq_topic: str, partition: int, offset: int) -> Listed:
    """One dead letter (discarded or not), or LookupError."""
    for x in await dead_letters(servers, Filters(topic=dlq_topic), discarded=True):
        if (x.dead.partition, x.dead.offset) == (partition, offset):
            return x
    raise LookupError(f"no dead letter at {dlq_topic}:{partition}:{offset}")


async def replay(
    servers: str, chosen: Sequence[Listed], by: str, *, again: bool = False
) -> list[str]:
    """Re-inject each dead letter onto its original topic and log it; return where each landed."""
    for x in chosen:
        _check(x, DeadLetterAction.REPLAYED, again)
    landed = []
    producer = kafka.producer(servers)
    await producer.start()
    try:
        await _ensure_log(servers)
        for x in chosen:
            d = x.dead
            headers = [*d.original_headers, (REPLAY_HEADER, d.id.encode())]
            meta = await producer.send_and_wait(
                d.original_topic, d.value, key=d.key, headers=headers
            )
            where = f"{meta.topic}:{meta.partition}:{meta.offset}"
            decision = Decision(DeadLetterAction.REPLAYED, by, replayed_to=where)
            await decisions.log(producer, decisions.record(d, decision, x.decision))
            landed.append(where)
    finally:
        await producer.stop()
    return landed


async def discard(servers: str, chosen: Sequence[Listed], by: str, reason: str) -> None:
    """Mark each dead letter discarded: hidden from `list`, never replayable."""
    for x in chosen:
        _check(x, DeadLetterAction.DISCARDED, again=False)
    producer = kafka.producer(servers)
    await producer.start()
    try:
        await _ensure_log(servers)
        for x in chosen:
            decision = Decision(DeadLetterAction.DISCARDED, by, reason=reason)
            await decisions.log(producer, decisions.record(x.dead, decision, x.decision))
    finally:
        await producer.stop()


def lines(listed: Sequence[Listed]) -> list[str]:
    """`akiba dlq list`'s output."""
    head = "dlq-topic\tpartition\toffset\toriginal-topic\tkey\twhen\tstatus\treason"
    return [head, *(line(x.dead, x.status) for x in listed)]


def shown(x: Listed) -> str:
    """`akiba dlq show`'s output: the dead letter and its decisions."""
    d = x.decision
    if d is None:
        return f"{full(x.dead)}\nstatus       new"
    history: list[PastDecision | DeadLetterDecided] = [*d.previous, d]
    told = "\n".join(
        f"  {p.decided_at.isoformat()}  {p.action.value} by {p.by}"
        + (f": {p.reason}" if p.reason else "")
        for p in history
    )
    return f"{full(x.dead)}\ndecisions\n{told}"


def _check(x: Listed, action: DeadLetterAction, again: bool) -> None:
    if action is DeadLetterAction.REPLAYED and x.dead.event() is None:
        raise Refused(f"{x.dead.id} is not a CloudEvent: a replay would be dead-lettered again")
    d = x.decision
    if d is None:
        return
    if d.action is DeadLetterAction.DISCARDED:
        raise Refused(f"{x.dead.id} was discarded by {d.by} ({d.reason}); it is never replayed")
    if action is DeadLetterAction.REPLAYED and not again:
        raise Refused(
            f"{x.dead.id} was already replayed by {d.by} at {d.decided_at.isoformat()}"
            f" (to {d.replayed_to}); --again re-injects it (consumers skip what they applied)"
        )


async def _ensure_log(servers: str) -> None:
    log_topic = [t for t in all_topics() if t.name == decisions.TOPIC.name]
    # Replicated as the deployment's services replicate theirs (the same AKIBA_KAFKA_* names).
    await kafka.ensure_topics(servers, log_topic, kafka.Replication.of(ServiceSettings()))
