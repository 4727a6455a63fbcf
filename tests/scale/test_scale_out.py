"""Scale-out, proven: inventory, requisition, fulfillment and the sync hub as
`akiba run --instances 2` starts them (two processes each, every role in both), receipts over
both inventory APIs and site documents on Kafka, and one process of each service SIGKILLed
while it applies a batch (the relay's leader, where the service has a relay).

Nothing is lost or doubled: every acknowledged write is in inventory's ledger once, stock on
hand and every projection of the ledger (inventory's stock levels, fulfillment's stock lines,
requisition's movement days, which add up and so would show a double) equal its sums. Every
consumer group moves to the survivor, which resumes, and so does the relay's leadership.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from akiba_contracts.payloads.auth import SiteChanged
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.bootstrap import MIGRATIONS
from tests.scale.books import Books, short_and_over
from tests.scale.deployment import CONSUMERS, Replicas, groups_with, replicas
from tests.scale.load import Receipts, SiteDocuments
from tests.scale.observe import Holders, copies, ends

SERVICES = tuple(CONSUMERS)
MOVEMENTS = "inventory.stock-movements"  # inventory first: the others consume what it publishes


@pytest.fixture
async def deployment(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> AsyncIterator[dict[str, Replicas]]:
    """Two processes of each service, not started yet; stopped after the test."""
    prefix = f"t{uuid4().hex[:8]}-"
    found = {
        s: await replicas(
            s,
            databases,
            stack.kafka_bootstrap,
            prefix,
            tmp_path,
            {"inventory": MIGRATIONS} if s == "inventory" else None,
        )
        for s in SERVICES
    }
    yield found
    for r in found.values():
        r.stop()


async def _setup(
    inventory: Replicas, http_stores: list[UUID], site_stores: list[UUID]
) -> tuple[UUID, UUID, str]:
    """An item, stores for receipts and stores a site writes; a token for the receipts."""
    item, site = uuid4(), uuid4()
    await inventory.fetch(
        "insert into stores (store_id, code, name)"
        " select s, 'S-' || left(s::text, 8), 'Scale store' from unnest($1::uuid[]) s",
        [*http_stores, *site_stores],
    )
    await inventory.fetch(
        "insert into items (item_id, code, name) values ($1, $2, 'Scale item')",
        item,
        f"I-{item.hex[:8]}",
    )
    auth = AuthOnKafka(inventory.bootstrap)
    await auth.publish_key()
    _, token = await auth.user(*(f"STOCK_ADJUST|{s}|{uuid4()}" for s in http_stores))
    changed = datetime.now(UTC)
    site_record = SiteChanged(
        site_id=site,
        name="clinic",
        active=True,
        store_ids=site_stores,
        changed_at=changed,
        version=1,
    )
    await auth.publish(site_record)
    return item, site, token


def _counts(holders: dict[str, Holders]) -> dict[str, dict[str, int]]:
    """How many partitions each member holds, by group (without the test's prefix)."""
    return {g.split("-", 1)[1]: {m: len(p) for m, p in h.items()} for g, h in holders.items()}


@pytest.mark.stack
async def test_one_of_two_instances_of_each_service_killed_mid_batch_loses_and_doubles_nothing(
    deployment: dict[str, Replicas],
) -> None:
    inventory, requisition, fulfillment = (deployment[s] for s in SERVICES[:3])
    http_stores, site_stores = [uuid4() for _ in range(4)], [uuid4() for _ in range(3)]
    item, site, token = await _setup(inventory, http_stores, site_stores)
    for r in deployment.values():
        for proc in r.processes.values():
            proc.start()
    for r in deployment.values():
        await r.ready()
        assert len(set(r.urls)) == 2, r.plan
        await wait_until(r.shared, timeout=60, what=f"both {r.name} instances in its groups")
    prefix = inventory.groups[0].split("-", 1)[0] + "-"
    named = {g for r in deployment.values() for g in r.groups}
    assert await groups_with(inventory.bootstrap, prefix) == named, "a consumer not named here"

    movements_since = await ends(inventory.bootstrap, MOVEMENTS)
    receipts = Receipts(inventory.urls, token, http_stores, item)
    documents = SiteDocuments(inventory.bootstrap, site, site_stores, item)
    stop = asyncio.Event()
    load = asyncio.gather(receipts.run(stop), documents.run(stop))
    started = time.monotonic()
    kills: dict[str, tuple[str, str, str, str | None]] = {}
    before: dict[str, Holders] = {}
    try:
        await asyncio.sleep(3)  # the load in full swing on every instance
        for r in deployment.values():
            victim = (await wait_until(r.leader, what="a relay leader")) if r.has_relay else None
            victim = victim or r.plan[0].name
            # Not in the middle of a rebalance (CPU starved heartbeats can cause one).
            await wait_until(r.shared, timeout=60, what=f"both {r.name} instances in its groups")
            before |= await r.holders()
            statement = await r.kill_while_applying(victim)
            kills[r.name] = (victim, r.survivor_of(victim), statement, None)
        killed_at, written_before = datetime.now(UTC), len(receipts.acknowledged)
        for r in deployment.values():
            victim, survivor, statement, _ = kills[r.name]
            await wait_until(
                lambda r=r, s=survivor: r.moved_to(s), timeout=60, what=f"{r.name} on {survivor}"
            )
            leader = (
                await wait_until(r.leader, what=f"{r.name}'s new leader") if r.has_relay else None
            )
            kills[r.name] = (victim, survivor, statement, leader)
        await asyncio.sleep(3)  # the survivors alone under the load
    finally:
        stop.set()
        await load
    loaded = time.monotonic() - started
    expected = {**receipts.acknowledged, **receipts.recorded_once, **dict(documents.lines.values())}

    # Until settled, or the deadline: the counts below then say what is missing or doubled.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        books = await Books.read(inventory, requisition, fulfillment, item, site_stores)
        if books.settled(set(expected)):
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # a late redelivery would show now
    books = await Books.read(inventory, requisition, fulfillment, item, site_stores)
    after = {g: h for r in deployment.values() for g, h in (await r.holders()).items()}
    lost, doubled = books.missing(set(expected)), books.doubled()
    unasked = books.unasked(set(expected))
    projections = {
        "stock levels": short_and_over(books.ledger, books.projected),
        "fulfillment stock lines": short_and_over(books.ledger, books.fulfillment),
        "requisition movement days": short_and_over(books.ledger_by_store, books.requisition),
    }
    dead = {r.name: await r.count("inbox where dead_letter") for r in deployment.values()}
    # Events applied after the kills: only the survivors were left to apply them.
    after_kills = "inbox where processed_at > $1"
    resumed = {r.name: await r.count(after_kills, killed_at) for r in deployment.values()}
    keys = {str(s).encode() for s in (*http_stores, *site_stores)}
    published = await copies(inventory.bootstrap, MOVEMENTS, movements_since, keys)
    republished = sum(published.values()) - len(published)
    print(
        f"\nscale-out: {len(receipts.acknowledged)} receipts acknowledged over"
        f" {len(inventory.urls)} inventory APIs ({written_before} before the kills,"
        f" {receipts.retries} retried on the other instance, {len(receipts.recorded_once)}"
        f" answered 409 recorded-once), {len(documents.lines)} site lines, {loaded:.0f} s of load"
    )
    for name, (victim, _, statement, leader) in kills.items():
        relay = f"relay leader {victim} -> {leader}" if leader else "no relay"
        print(
            f"  {name}: {victim} SIGKILLed in {statement.strip().splitlines()[0][:50]!r}; {relay}"
        )
    print(
        f"  ledger: lost {len(lost)}, doubled {len(doubled)}, unasked {len(unasked)};"
        f" projections (short, over): {projections}; dead letters {dead}\n"
        f"  {MOVEMENTS}: {len(published)} events, {republished} copies republished by a relay"
        f" (absorbed by the inboxes)\n"
        f"  events applied by the survivors after the kills: {resumed}\n"
        f"  partitions before: {_counts(before)}\n  partitions after: {_counts(after)}"
    )
    assert (lost, doubled, unasked) == (set(), set(), set())
    assert books.site_movements == set(documents.lines)
    assert len(published) == sum(books.lots.values()), "one event per movement on the topic"
    assert books.on_hand == books.ledger, "stock on hand is the sum of the ledger"
    assert all(v == (0, 0) for v in projections.values()), "every event applied exactly once"
    assert set(dead.values()) == {0}
    for r in deployment.values():
        victim, survivor, _, leader = kills[r.name]
        if r.has_relay:
            assert leader == survivor, f"{r.name}'s relay leadership moved to the survivor"
            assert '"msg":"relay leading"' in r.processes[survivor].output()
        for group in r.groups:
            assert before[group].get(victim), f"{victim} held partitions of {group}"
            assert set(after[group]) == {survivor}, group
            assert after[group][survivor] == set().union(*before[group].values()), group
        assert r.processes[survivor].returncode is None, r.processes[survivor].output()[-2000:]
    assert all(resumed.values()), f"every survivor resumed where its victim left off: {resumed}"
