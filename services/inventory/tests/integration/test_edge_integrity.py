"""Edge ingestion never drops, doubles or stalls a site's document silently.

Conflicts are refused and reported (never taken for a resend), a site central is not yet sure
of waits instead of being refused, held documents are authorised again when they apply, and
whatever the database refuses is voided so the store moves on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from akiba_contracts.envelope import decode
from akiba_devtools.testing import wait_until
from akiba_inventory.consumers.edge.ingest import EdgeRules
from akiba_inventory.consumers.edge.keeper import EdgeKeeper

from .conftest import Edge


async def _outbox(edge: Edge, topic: str) -> list[dict[str, Any]]:
    rows = await edge.pool.fetch("select value from outbox where topic = $1 order by id", topic)
    return [decode(bytes(r["value"])).data or {} for r in rows]


async def _quantities(edge: Edge) -> list[int]:
    rows = await edge.pool.fetch("select quantity from stock_movements order by store_sequence")
    return [r["quantity"] for r in rows]


async def test_another_document_at_an_applied_sequence_is_a_conflict_not_a_resend(
    edge: Edge,
) -> None:
    first, other = edge.event(1, 10), edge.event(1, 99)  # one sequence, two event ids
    async with edge.ingesting(batch_size=1):
        await edge.send(first)
        await edge.processed(first)
        await edge.send(other)
        await edge.processed(other)
    assert await _quantities(edge) == [10]
    refusal = (await edge.refusals())[other.id]
    assert (refusal["kind"], refusal["voided"]) == ("conflict", False)
    assert "already taken" in refusal["reason"]
    assert await edge.dead(other)
    acks = [a["next_sequence"] for a in await _outbox(edge, "inventory.edge-acks")]
    assert acks == [1, 2]  # the hand-over, then `first`: nothing acknowledges the conflict


async def test_a_document_overlapping_an_applied_run_is_a_conflict(edge: Edge) -> None:
    run, inside = edge.event(1, 1, 2, 3), edge.event(2, 50)
    await edge.send(run, inside)
    async with edge.ingesting():
        await edge.processed(run, inside)
    assert await _quantities(edge) == [1, 2, 3]
    assert (await edge.refusals())[inside.id]["kind"] == "conflict"


async def test_of_two_documents_held_at_one_sequence_the_first_stays_and_the_second_is_refused(
    edge: Edge,
) -> None:
    e1, e2a, e2b = edge.event(1, 1), edge.event(2, 20), edge.event(2, 30)
    async with edge.ingesting(batch_size=1):
        await edge.send(e2a, e2b)
        await edge.processed(e2a, e2b)
        assert await edge.count("edge_pending") == 1
        await edge.send(e1)
        await edge.processed(e1)
    assert await _quantities(edge) == [1, 20]
    assert (await edge.refusals())[e2b.id]["kind"] == "conflict"


async def test_a_resend_of_the_same_document_is_still_a_duplicate_when_the_inbox_forgot_it(
    edge: Edge,
) -> None:
    first = edge.event(1, 10)
    async with edge.ingesting():
        await edge.send(first)
        await edge.processed(first)
    await edge.pool.execute("delete from inbox")
    async with edge.ingesting():
        await edge.send(first)
        await edge.processed(first)
    assert await _quantities(edge) == [10]
    assert await edge.refusals() == {}


async def test_documents_of_a_site_central_has_not_heard_of_wait_then_apply_in_order(
    edge: Edge,
) -> None:
    newcomer = uuid4()
    await edge.assign(edge.site(edge.site_id, version=1))  # the store's old site gives it up
    docs = [edge.event(i, i, site=newcomer, siteversion=2) for i in (1, 2, 3)]
    async with edge.ingesting():
        await edge.send(*docs)
        await edge.processed(*docs)
        assert await edge.ledger() == []
        awaiting = await edge.pool.fetch("select awaiting from edge_pending")
        assert [r["awaiting"] for r in awaiting] == [True] * 3
        assert await edge.refusals() == {}
        record = edge.site(newcomer, edge.store_id, version=2)
        await edge.send(edge.site_event(record))

        async def applied() -> bool:
            return await edge.ledger() == [1, 2, 3]

        await wait_until(applied, what="the held documents to apply")
    assert await edge.count("edge_pending") == 0


async def test_a_site_version_central_has_not_seen_waits_even_while_another_site_writes_it(
    edge: Edge,
) -> None:
    new_site = uuid4()
    doc = edge.event(1, 5, site=new_site, siteversion=7)  # auth handed it over at version 7
    async with edge.ingesting():
        await edge.send(doc)
        await edge.processed(doc)
        assert await edge.count("edge_pending") == 1 and await edge.refusals() == {}
        old_gives_up = edge.site(edge.site_id, version=7)
        new_takes = edge.site(new_site, edge.store_id, version=7)
        await edge.send(edge.site_event(new_takes), edge.site_event(old_gives_up))

        async def applied() -> bool:
            return await edge.ledger() == [1]

        await wait_until(applied, what="the new site's document to apply")
    store = await edge.pool.fetchrow("select managed_by, site_id from stores")
    assert (store["managed_by"], store["site_id"]) == ("site", new_site)


async def test_held_documents_of_a_site_that_lost_the_store_are_refused_when_they_would_apply(
    edge: Edge,
) -> None:
    e2, e3 = edge.event(2, 2), edge.event(3, 3)
    new_site = uuid4()
    async with edge.ingesting():
        await edge.send(e2, e3)
        await edge.processed(e2, e3)
        assert await edge.count("edge_pending") == 2
    await edge.assign(
        edge.site(edge.site_id, version=5), edge.site(new_site, edge.store_id, version=5)
    )
    keeper = EdgeKeeper(edge.pool, edge.rules, timedelta(minutes=10))
    await keeper.once()
    assert await edge.count("edge_pending") == 0
    refusals = await edge.refusals()
    assert {refusals[e.id]["kind"] for e in (e2, e3)} == {"authorization"}
    theirs = edge.event(1, 7, site=new_site)
    async with edge.ingesting():
        await edge.send(theirs)
        await edge.processed(theirs)
    assert await _quantities(edge) == [7]


async def test_a_document_too_far_ahead_is_refused_and_one_within_the_window_is_held(
    edge: Edge,
) -> None:
    edge.rules = EdgeRules(max_ahead=10)
    near, far = edge.event(11, 1), edge.event(12, 1)
    await edge.send(near, far)
    async with edge.ingesting():
        await edge.processed(near, far)
    assert await edge.count("edge_pending") == 1
    assert (await edge.refusals())[far.id]["kind"] == "out_of_window"


@pytest.mark.parametrize(
    ("what", "line", "actor"),
    [
        ("a NUL character", {"lot_code": "L\x001"}, "nurse"),
        ("a control character in the actor", {}, "nurse\x07"),
        ("a quantity beyond the ledger's column", {"quantity": 2**40}, "nurse"),
        ("a lot code longer than the contract's", {"lot_code": "L" * 65}, "nurse"),
    ],
)
async def test_a_v1_document_outside_the_contracts_bounds_is_voided_and_the_store_moves_on(
    edge: Edge, what: str, line: dict[str, Any], actor: str
) -> None:
    bad = edge.event(1, 5, v1=True, **line)
    if actor != "nurse":
        data = dict(bad.data or {})
        data["actor"] = actor
        bad = bad.model_copy(update={"data": data})
    after = edge.event(2, 7)
    await edge.send(bad, after)
    async with edge.ingesting():
        await edge.processed(bad, after)
    assert await edge.ledger() == [2], what
    refusal = (await edge.refusals())[bad.id]
    assert (refusal["kind"], refusal["voided"]) == ("content", True)


async def test_what_the_database_refuses_is_voided_and_the_rest_of_the_batch_applies(
    edge: Edge,
) -> None:
    first = edge.event(1, 5)
    movement = (first.data or {})["lines"][0]["movement_id"]
    clash = edge.event(2, 6, movement_id=movement)  # the ledger keeps movement ids unique
    last = edge.event(3, 7)
    await edge.send(first, clash, last)
    async with edge.ingesting():
        await edge.processed(first, clash, last)
    assert await edge.ledger() == [1, 3]
    assert await _quantities(edge) == [5, 7]
    refusal = (await edge.refusals())[clash.id]
    assert (refusal["kind"], refusal["voided"]) == ("content", True)
    assert "UniqueViolation" in refusal["reason"]
    moved = await _outbox(edge, "inventory.stock-movements")
    assert sorted(m["quantity"] for m in moved) == [5, 7]  # nothing published for the void
    assert (await _outbox(edge, "inventory.edge-acks"))[-1]["next_sequence"] == 4


async def test_a_document_for_a_store_central_does_not_hold_is_refused(edge: Edge) -> None:
    lost = edge.event(1, 5)
    lost = lost.model_copy(update={"data": {**(lost.data or {}), "store_id": str(uuid4())}})
    await edge.send(lost)
    async with edge.ingesting():
        await edge.processed(lost)
    assert (await edge.refusals())[lost.id]["kind"] == "authorization"


async def test_a_store_whose_documents_wait_too_long_is_announced_stalled_then_resumed(
    edge: Edge,
) -> None:
    e1, e2 = edge.event(1, 1), edge.event(2, 2)
    keeper = EdgeKeeper(edge.pool, edge.rules, timedelta(seconds=0))
    async with edge.ingesting():
        await edge.send(e2)
        await edge.processed(e2)
        await keeper.once()
        await keeper.once()  # announced once, however many rounds see it
        stalls = await _outbox(edge, "inventory.edge-stalls")
        assert [(s["cause"], s["next_sequence"], s["held_documents"]) for s in stalls] == [
            ("gap", 1, 1)
        ]
        await edge.send(e1)
        await edge.processed(e1)
    await keeper.once()
    stalls = await _outbox(edge, "inventory.edge-stalls")
    assert "resumed_at" in stalls[-1] and stalls[-1]["next_sequence"] == 3
    assert await edge.count("edge_stalls") == 0


async def test_a_document_waiting_for_its_sites_right_stalls_with_that_cause(edge: Edge) -> None:
    doc = edge.event(1, 1, site=uuid4(), siteversion=3)
    async with edge.ingesting():
        await edge.send(doc)
        await edge.processed(doc)
    await EdgeKeeper(edge.pool, edge.rules, timedelta(seconds=0)).once()
    assert (await _outbox(edge, "inventory.edge-stalls"))[0]["cause"] == "authorization"


async def test_the_keeper_drains_a_backlog_longer_than_one_transaction(edge: Edge) -> None:
    edge.rules = EdgeRules(drain_per_store=3)
    docs = [edge.event(i, i) for i in range(2, 9)]
    async with edge.ingesting():
        await edge.send(*docs)
        await edge.processed(*docs)
        first = edge.event(1, 1)
        await edge.send(first)
        await edge.processed(first)
    keeper = EdgeKeeper(edge.pool, edge.rules, timedelta(minutes=10))
    for _ in range(3):
        await keeper.once()
    assert await edge.ledger() == list(range(1, 9))


async def test_two_sites_writing_one_store_never_share_a_sequence_silently(edge: Edge) -> None:
    """The store is handed from one site to another while both still write it: the old site's
    late document is refused as not its store any more, and the new one numbering over the old
    site's applied entries is a conflict; neither is applied or acknowledged."""
    old_doc = edge.event(1, 10)
    async with edge.ingesting():
        await edge.send(old_doc)
        await edge.processed(old_doc)
    new_site = uuid4()
    await edge.assign(
        edge.site(edge.site_id, version=4), edge.site(new_site, edge.store_id, version=4)
    )
    late_old = edge.event(2, 20)  # the old site, not yet aware it lost the store
    overwrite = edge.event(1, 30, site=new_site)  # the new site numbering from its own count
    after = edge.event(2, 40, site=new_site)  # the new site, from the handed-over sequence
    async with edge.ingesting():
        await edge.send(late_old, overwrite, after)
        await edge.processed(late_old, overwrite, after)
    assert await _quantities(edge) == [10, 40]
    refusals = await edge.refusals()
    assert refusals[late_old.id]["kind"] == "authorization"
    assert refusals[overwrite.id]["kind"] == "conflict"
    handed = [
        a for a in await _outbox(edge, "inventory.edge-acks") if a["site_id"] == str(new_site)
    ]
    assert [a["next_sequence"] for a in handed] == [2, 3]  # handed over at 2, then `after`
