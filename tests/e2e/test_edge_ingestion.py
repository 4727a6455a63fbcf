"""Flow 2 through real processes: site documents → Kafka → inventory's ingest role → ledger."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from uuid import UUID, uuid4

from akiba_contracts.envelope import CloudEvent, encode, new_event
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.topics import read_topic
from akiba_platform import kafka

from .conftest import Inventory

TOPIC = "sites.inventory-events"


def _document(inv: Inventory, site: UUID, seq: int, quantities: list[int]) -> CloudEvent:
    now = datetime.now(UTC)
    payload = SiteStockRecorded.model_validate(
        {
            "document_id": uuid4(),
            "store_id": inv.store_id,
            "document_type": "receipt" if quantities[0] > 0 else "issue",
            "occurred_at": now,
            "recorded_at": now,
            "actor": "nurse",
            "lines": [
                {
                    "movement_id": uuid4(),
                    "item_id": inv.item_id,
                    "lot_code": f"LOT-{i % 3}",
                    "expiry_date": "2031-01-31",
                    "movement_type": "receipt" if q > 0 else "issue",
                    "quantity": q,
                }
                for i, q in enumerate(quantities)
            ],
        }
    )
    return new_event(
        source=f"/akiba/sites/{site}",
        type=payload.event_type,
        subject=f"stores/{inv.store_id}",
        data=payload,
        partitionkey=str(inv.store_id),
        siteid=str(site),
        storeseq=seq,
    )


def _site_documents(inv: Inventory, site: UUID, n: int) -> tuple[list[CloudEvent], int, int]:
    """n documents of 1-3 lines numbered without gaps; their line count and net quantity."""
    rnd = random.Random(7)
    docs, seq, net = [], 1, 0
    for _ in range(n):
        quantities = [rnd.choice([40, 25, -10, -60]) for _ in range(rnd.randint(1, 3))]
        docs.append(_document(inv, site, seq, quantities))
        seq, net = seq + len(quantities), net + sum(quantities)
    return docs, seq - 1, net


async def _produce(bootstrap: str, key: UUID, events: list[CloudEvent]) -> None:
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        for e in events:
            await producer.send(TOPIC, encode(e), key=str(key).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def test_site_documents_in_shuffled_order_with_duplicates_become_the_ledger_exactly(
    inventory: Inventory,
) -> None:
    site, other = uuid4(), uuid4()
    for site_id, stores in ((site, [inventory.store_id]), (other, [uuid4()])):
        await AuthOnKafka(inventory.bootstrap).publish(
            SiteChanged(
                site_id=site_id,
                name="clinic",
                active=True,
                store_ids=stores,
                changed_at=datetime.now(UTC),
                version=1,
            )
        )
    for roles in ("ingest", "relay"):
        await inventory.started(inventory.process(roles))
    docs, last, net = _site_documents(inventory, site, 300)
    intruder = _document(inventory, other, last + 1, [999])  # a site writing another's store
    sent = [*docs, *random.Random(3).sample(docs, 60), intruder]
    random.Random(11).shuffle(sent)
    await _produce(inventory.bootstrap, inventory.store_id, sent)

    async def ledger_is_complete() -> bool:
        seqs = await inventory.fetchval(
            "select array_agg(store_sequence order by store_sequence) from stock_movements"
        )
        return bool(seqs == list(range(1, last + 1)))

    await wait_until(ledger_is_complete, timeout=60, what=f"ledger sequences 1..{last}")
    assert await inventory.fetchval("select count(*) from edge_pending") == 0
    assert await inventory.fetchval("select sum(quantity) from stock_on_hand") == net
    assert await inventory.fetchval("select next_sequence from stores") == last + 1
    assert await inventory.fetchval("select managed_by from stores") == "site"  # auth's word
    refused = await read_topic(
        inventory.bootstrap, "inventory.edge-rejections", expect=1, needle=intruder.id
    )
    assert refused, "the intruding site's document must raise an alert"
    assert (
        await inventory.fetchval("select count(*) from stock_movements where quantity = 999") == 0
    )
