"""The workload: realistic StockMovementRecorded events, built the way the service builds them."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from akiba_contracts.envelope import serialised
from akiba_inventory.outbound import movement_recorded
from akiba_platform.outbox import OutboxMessage
from akiba_platform.telemetry import current_traceparent, tracer
from akiba_stock.model import Batch, MovementType, StockMovement

STORES = 100
ITEMS = 40  # stock lines per store: 4,000 in all, so the projector both inserts and updates


@dataclass(frozen=True)
class Workload:
    """N outbox messages and their encoded Kafka values and keys, in the same order."""

    messages: list[OutboxMessage]
    values: list[bytes]
    keys: list[bytes]

    @property
    def payload_bytes(self) -> int:
        """Bytes of values plus keys, what goes over the wire before framing."""
        return sum(map(len, self.values)) + sum(map(len, self.keys))

    def on(self, topic: str) -> list[OutboxMessage]:
        """The same messages bound for another topic."""
        return [replace(m, topic=topic) for m in self.messages]


def build(n: int, seed: int = 7) -> Workload:
    """N receipts spread over the stores, each recorded under a span as an HTTP request is."""
    rng = random.Random(seed)
    stores = [uuid4() for _ in range(STORES)]
    batches = [_batch(i) for i in range(ITEMS)]
    sequence = dict.fromkeys(stores, 0)
    now = datetime.now(UTC)
    messages = []
    for i in range(n):
        store = rng.choice(stores)
        sequence[store] += 1
        movement = _receipt(i, store, sequence[store], rng.choice(batches), rng, now)
        with tracer.start_as_current_span("POST /stores/{store_id}/receipts"):
            messages.append(movement_recorded(movement, current_traceparent()))
    return Workload(
        messages, [serialised(m.event) for m in messages], [m.key.encode() for m in messages]
    )


def _batch(i: int) -> Batch:
    return Batch(uuid4(), uuid4(), f"LOT-{i:05d}", date(2027, 1, 1) + timedelta(days=7 * i))


def _receipt(
    i: int, store: UUID, seq: int, batch: Batch, rng: random.Random, now: datetime
) -> StockMovement:
    return StockMovement(
        movement_id=uuid4(),
        store_id=store,
        store_sequence=seq,
        item_id=batch.item_id,
        batch=batch,
        location_id=None,
        movement_type=MovementType.RECEIPT,
        quantity=rng.randint(1, 5_000),
        occurred_at=now - timedelta(minutes=rng.randint(0, 600)),
        recorded_at=now,
        actor="bench-user",
        reference=f"GRN-{i:08d}",
        source="national-warehouse",
    )
