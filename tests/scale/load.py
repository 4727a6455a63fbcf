"""Steady writes for the scale-out test: HTTP receipts over every API instance, site documents
on Kafka. Each write carries a lot code of its own, so the ledger says which writes it holds
and how many times."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx

from akiba_contracts.envelope import CloudEvent, encode, new_event
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_platform import kafka

SITE_TOPIC = "sites.inventory-events"


@dataclass
class Receipts:
    """Receipt writers, each retrying a write with its Idempotency-Key on the next instance
    until it has an answer, as a load balancer in front of them would."""

    urls: list[str]
    token: str
    stores: list[UUID]
    item_id: UUID
    acknowledged: dict[str, int] = field(default_factory=dict)  # lot code → quantity (2xx)
    # A retry of a write whose first answer died with its process: recorded once, answer lost.
    recorded_once: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    async def run(self, stop: asyncio.Event, writers: int = 4) -> None:
        """Write until `stop` is set, `writers` at a time."""
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(self._writer(client, stop) for _ in range(writers)))

    async def _writer(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._write(client, next(self._numbers))

    async def _write(self, client: httpx.AsyncClient, n: int) -> None:
        lot, quantity, store = f"R{n:06d}", 1 + n % 50, self.stores[n % len(self.stores)]
        body = {
            "item_id": str(self.item_id),
            "lot_code": lot,
            "expiry_date": "2030-06-30",
            "quantity": quantity,
        }
        headers = {"authorization": f"Bearer {self.token}", "idempotency-key": str(uuid4())}
        for attempt in range(100):
            url = self.urls[(n + attempt) % len(self.urls)]
            try:
                r = await client.post(f"{url}/stores/{store}/receipts", json=body, headers=headers)
            except httpx.TransportError:
                self.retries += 1
                await asyncio.sleep(0.05)
                continue
            if r.is_success:
                self.acknowledged[lot] = quantity
            elif r.status_code == 409 and attempt > 0:
                self.recorded_once[lot] = quantity
            else:
                raise AssertionError(f"{lot} on {url}: {r.status_code} {r.text}")
            return
        raise AssertionError(f"{lot}: no instance answered")


@dataclass
class SiteDocuments:
    """One site's documents for its stores, numbered without gaps per store, sent as the hub
    sends them (keyed by store)."""

    bootstrap: str
    site_id: UUID
    stores: list[UUID]
    item_id: UUID
    lines: dict[UUID, tuple[str, int]] = field(default_factory=dict)  # movement → (lot, qty)
    _next: dict[UUID, int] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event, pause: float = 0.05) -> None:
        """Send a document per store, then pause, until `stop` is set."""
        producer = kafka.producer(self.bootstrap)
        await producer.start()
        try:
            while not stop.is_set():
                for store in self.stores:
                    await producer.send_and_wait(
                        SITE_TOPIC, encode(self._document(store)), key=str(store).encode()
                    )
                await asyncio.sleep(pause)
        finally:
            await producer.stop()

    def _document(self, store: UUID) -> CloudEvent:
        seq = self._next.get(store, 1)
        lines = []
        for i in range(2):
            movement, lot, quantity = uuid4(), f"S{len(self.lines):06d}", 10 + seq % 7 + i
            self.lines[movement] = (lot, quantity)
            lines.append(
                {
                    "movement_id": movement,
                    "item_id": self.item_id,
                    "lot_code": lot,
                    "expiry_date": "2031-01-31",
                    "movement_type": "receipt",
                    "quantity": quantity,
                }
            )
        self._next[store] = seq + len(lines)
        now = datetime.now(UTC)
        payload = SiteStockRecorded.model_validate(
            {
                "document_id": uuid4(),
                "store_id": store,
                "document_type": "receipt",
                "occurred_at": now,
                "recorded_at": now,
                "actor": "nurse",
                "lines": lines,
            }
        )
        return new_event(
            source=f"/akiba/sites/{self.site_id}",
            type=payload.event_type,
            subject=f"stores/{store}",
            data=payload,
            partitionkey=str(store),
            siteid=str(self.site_id),
            storeseq=seq,
        )
