"""Edge ingestion through the real ConsumerLoop, Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from akiba_contracts.envelope import decode
from akiba_devtools.testing.topics import read_topic

from .conftest import Edge


async def test_a_document_is_applied_once_however_often_it_is_redelivered(edge: Edge) -> None:
    first, second = edge.event(1, 10, 20), edge.event(3, 5)
    await edge.send(first, first, second, first)
    async with edge.ingesting():
        await edge.processed(first, second)
    assert await edge.ledger() == [1, 2, 3]
    assert await edge.pool.fetchval("select next_sequence from stores") == 4
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 35
    assert await edge.refusals() == {}


async def test_documents_out_of_order_are_held_then_drained_in_order(edge: Edge) -> None:
    e1, e2, e3 = edge.event(1, 1), edge.event(2, 2, 3), edge.event(4, 4)
    async with edge.ingesting(batch_size=1):
        await edge.send(e3, e2)
        await edge.processed(e3, e2)
        assert await edge.ledger() == []
        assert await edge.count("edge_pending") == 2
        await edge.send(e1)
        await edge.processed(e1)
    assert await edge.ledger() == [1, 2, 3, 4]
    assert await edge.count("edge_pending") == 0
    qty = await edge.pool.fetch("select quantity from stock_movements order by store_sequence")
    assert [r["quantity"] for r in qty] == [1, 2, 3, 4]


async def test_each_applied_run_is_acknowledged_with_the_stores_next_sequence(
    edge: Edge,
) -> None:
    e1, e2, e4 = edge.event(1, 1), edge.event(2, 2, 3), edge.event(4, 4)
    async with edge.ingesting(batch_size=1):
        await edge.send(e1)
        await edge.processed(e1)
        await edge.send(e4)  # ahead of a gap: held, so not acknowledged
        await edge.processed(e4)
        await edge.send(e2)  # fills the gap: e2 and the held e4 apply together
        await edge.processed(e2)
    rows = await edge.pool.fetch(
        "select value from outbox where topic = 'inventory.edge-acks' order by id"
    )
    acks = [decode(bytes(r["value"])).data or {} for r in rows]
    # The first says where the site starts, when it took the store; one per applied run after.
    assert [a["next_sequence"] for a in acks] == [1, 2, 5]
    assert {a["store_id"] for a in acks} == {str(edge.store_id)}
    assert {a["site_id"] for a in acks} == {str(edge.site_id)}


async def test_a_gap_never_filled_stays_pending_and_nothing_after_it_applies(edge: Edge) -> None:
    e1, e3, e4 = edge.event(1), edge.event(3), edge.event(4)
    await edge.send(e1, e3, e4)
    async with edge.ingesting(batch_size=2):
        await edge.processed(e1, e3, e4)
        await asyncio.sleep(0.5)
    assert await edge.ledger() == [1]
    rows = await edge.pool.fetch("select first_sequence from edge_pending order by 1")
    assert [r["first_sequence"] for r in rows] == [3, 4]


async def test_facts_below_zero_are_accepted_and_flagged(edge: Edge) -> None:
    issue = edge.event(1, -7, kind="issue")
    async with edge.ingesting():
        await edge.send(issue)
        await edge.processed(issue)
        assert await edge.pool.fetchval("select quantity from stock_on_hand") == -7
        assert await edge.pool.fetchval("select quantity from edge_negative_stock") == -7
        levels = await edge.pool.fetch(
            "select value from outbox where topic = 'inventory.stock-levels'"
        )
        assert decode(levels[0]["value"]).data["quantity_on_hand"] == -7  # type: ignore[index]
        receipt = edge.event(2, 7)
        await edge.send(receipt)
        await edge.processed(receipt)
    assert await edge.count("edge_negative_stock") == 0


async def test_a_site_writing_a_store_it_does_not_write_is_refused_and_raises_an_alert(
    edge: Edge,
) -> None:
    other = uuid4()
    await edge.assign(edge.site(other, uuid4(), version=2))
    bad, good = edge.event(1, 50, site=other), edge.event(1, 5)
    await edge.send(bad, good)
    async with edge.ingesting():
        await edge.processed(bad, good)
    assert await edge.ledger() == [1]  # the site's own document applied, the other one nowhere
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 5
    reason = await edge.pool.fetchval("select reason from edge_rejections")
    assert str(other) in reason and "does not write" in reason
    refusal = (await edge.refusals())[bad.id]
    assert (refusal["kind"], refusal["voided"]) == ("authorization", False)
    assert await edge.dead(bad)
    dead = await read_topic(edge.bootstrap, f"{edge.topic}.dlq", expect=1, needle=bad.id)
    assert str(other) in dict(dead[0].headers)["akiba-dlq-reason"].decode()


async def test_a_document_naming_an_unknown_location_is_refused_voided_and_the_rest_applies(
    edge: Edge,
) -> None:
    edge.location_id, good_location = uuid4(), edge.location_id
    bad = edge.event(1, 5)
    edge.location_id = good_location
    after = edge.event(2, 7)
    await edge.send(bad, after)
    async with edge.ingesting():
        await edge.processed(bad, after)
    assert await edge.ledger() == [2]  # sequence 1 skipped, nothing of it applied
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 7
    assert "location" in await edge.pool.fetchval("select reason from edge_rejections")
    refusal = (await edge.refusals())[bad.id]
    assert (refusal["voided"], refusal["kind"]) == (True, "content")
    assert await edge.count("edge_pending") == 0
    assert await _acked(edge) == [3]


async def test_a_voided_document_ahead_of_a_gap_waits_and_is_skipped_in_order(
    edge: Edge,
) -> None:
    e1, bad, e3 = edge.event(1, 1), edge.event(2, -5), edge.event(3, 3)  # a negative receipt
    async with edge.ingesting(batch_size=1):
        await edge.send(bad, e3)
        await edge.processed(bad, e3)
        assert await edge.ledger() == []
        held = await edge.pool.fetch("select first_sequence, voided from edge_pending order by 1")
        assert [tuple(r) for r in held] == [(2, True), (3, False)]
        await edge.send(e1)
        await edge.processed(e1)
    assert await edge.ledger() == [1, 3]
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 4
    assert await edge.count("edge_pending") == 0
    assert (await _acked(edge))[-1] == 4


async def test_a_refusal_of_the_site_itself_voids_nothing(edge: Edge) -> None:
    other = uuid4()
    await edge.assign(edge.site(other, version=2))
    bad, after = edge.event(1, 5, site=other), edge.event(2, 5)
    await edge.send(bad, after)
    async with edge.ingesting():
        await edge.processed(bad, after)
    assert await edge.ledger() == []  # another site can't move this store's sequence
    assert await edge.count("edge_pending") == 1
    assert (await edge.refusals())[bad.id]["voided"] is False


async def _acked(edge: Edge) -> list[int]:
    """Acknowledged next sequences after the one that handed the store to its site."""
    rows = await edge.pool.fetch(
        "select value from outbox where topic = 'inventory.edge-acks' order by id"
    )
    return [(decode(bytes(r["value"])).data or {})["next_sequence"] for r in rows][1:]
