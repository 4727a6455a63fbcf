"""A producer that fails is replaced: the push is answered as not accepted, the next one retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from akiba_contracts.envelope import new_event
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_platform.auth.feed import SiteDirectory
from akiba_sync_hub.ingress import Ingress, KafkaUnavailable


class BrokenProducer:
    """What aiokafka's idempotent producer does once it is out of sequence: every send fails."""

    def __init__(self) -> None:
        self.stopped = False

    async def partitions_for(self, topic: str) -> set[int]:
        return {0, 1, 2}

    def create_batch(self) -> Any:
        return _Batch()

    async def send_batch(self, *args: Any, **kwargs: Any) -> asyncio.Future[None]:
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        failed.set_exception(OutOfOrderSequenceNumber())
        return failed

    async def stop(self) -> None:
        self.stopped = True


class _Batch:
    def append(self, **record: Any) -> object:
        return record


def _event(site: Any, store: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    payload = SiteStockRecorded.model_validate({
        "document_id": uuid4(), "store_id": store, "document_type": "receipt",
        "occurred_at": now, "recorded_at": now, "actor": "nurse",
        "lines": [{"movement_id": uuid4(), "item_id": uuid4(), "lot_code": "L1",
                   "movement_type": "receipt", "quantity": 5}],
    })  # fmt: skip
    event = new_event(source="/s", type=payload.event_type, subject="s", data=payload,
                      partitionkey=str(store), siteid=str(site), storeseq=1)  # fmt: skip
    return event.model_dump(mode="json", exclude_none=True)


async def test_a_push_whose_producer_fails_is_not_accepted_and_the_producer_is_replaced() -> None:
    site, store = uuid4(), uuid4()
    sites = SiteDirectory()
    sites.apply(SiteChanged(site_id=site, name="s", active=True, store_ids=[store],
                            changed_at=datetime.now(UTC)))  # fmt: skip
    ingress = Ingress(sites, "127.0.0.1:1")
    broken = BrokenProducer()
    ingress._producer = broken  # type: ignore[assignment]

    with pytest.raises(KafkaUnavailable):
        await ingress.push(site, [_event(site, store)])

    assert ingress._producer is None  # the next push starts a new producer (a new producer id)
    await ingress.close()
    assert broken.stopped
