"""Scale-out, proven: two inventory processes (`akiba run --instances 2`: two of every role),
receipts over both APIs and site documents on Kafka, one process SIGKILLed while it applies
a batch. Nothing is lost or doubled, its partitions move to the survivor, which resumes, and
so does the relay's leadership."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.payloads.auth import SiteChanged
from akiba_devtools.discovery import discover, roles_of
from akiba_devtools.scale import Instance, Scale, instances, metrics_ports
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers import alerting, edge, projector, shipments
from tests.e2e.conftest import free_port
from tests.scale.load import Receipts, SiteDocuments
from tests.scale.observe import applying, members, relay_leader

CONSUMERS = (projector.NAME, edge.NAME, alerting.NAME, shipments.NAME)


@dataclass
class Deployment:
    """Inventory as `akiba run --instances 2` starts it, on a database and groups of its own."""

    dsn: str
    bootstrap: str
    groups: str
    processes: dict[str, ServiceProcess]
    plan: list[Instance]

    def survivor_of(self, victim: str) -> str:
        (survivor,) = (p.name for p in self.plan if p.name != victim)
        return survivor

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def holders(self) -> dict[str, dict[str, set[tuple[str, int]]]]:
        """Each consumer group's members (instance names) and their partitions."""
        return {c: await members(self.bootstrap, self.groups + c) for c in CONSUMERS}


def _plan() -> list[Instance]:
    (spec,) = (s for s in discover() if s.name == "inventory")
    return instances(
        spec.name,
        roles_of(spec),
        Scale.parse(["2"]),
        http_port=free_port(),
        metrics=metrics_ports(free_port()),
    )


@pytest.fixture
async def deployment(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> AsyncIterator[Deployment]:
    dsn = await databases.create({"inventory": MIGRATIONS})
    groups = f"t{uuid4().hex[:8]}-"
    await start_groups_at_end(stack.kafka_bootstrap, [groups + c for c in CONSUMERS])
    plan = _plan()
    env = {
        "AKIBA_DATABASE_URL": dsn,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "AKIBA_CONSUMER_GROUP_PREFIX": groups,
        "AKIBA_RELAY_IDLE_SECONDS": "0.02",
    }
    processes = {
        p.name: ServiceProcess(
            "akiba_inventory", p.argv(), {**env, **p.env()}, tmp_path / f"{p.name}.log"
        )
        for p in plan
    }
    yield Deployment(dsn, stack.kafka_bootstrap, groups, processes, plan)
    for proc in processes.values():
        proc.stop()


def _counts(holders: dict[str, dict[str, set[tuple[str, int]]]]) -> dict[str, dict[str, int]]:
    """How many partitions each member holds, by group."""
    return {c: {m: len(p) for m, p in h.items()} for c, h in holders.items()}


async def _ready(url: str) -> bool:
    async with httpx.AsyncClient() as c:
        try:
            return (await c.get(f"{url}/ready")).status_code == 200
        except httpx.TransportError:
            return False


async def _shared(d: Deployment) -> bool:
    """Every group has both instances as members, each with partitions."""
    holders = await d.holders()
    names = {p.name for p in d.plan}
    return all(set(h) == names and all(h.values()) for h in holders.values())


async def _moved_to(d: Deployment, survivor: str) -> bool:
    holders = await d.holders()
    return all(set(h) == {survivor} for h in holders.values())


async def _kill_while_applying(d: Deployment, victim: str) -> str:
    """SIGKILL `victim` the moment one of its consumers has a batch's transaction open."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(d.dsn)
    try:
        deadline = time.monotonic() + 30
        while (query := await applying(conn, victim)) is None:
            assert time.monotonic() < deadline, f"{victim} never seen applying a batch"
        d.processes[victim].kill()
        return query
    finally:
        await conn.close()


async def _setup(d: Deployment, http_stores: list[UUID], site_stores: list[UUID]) -> tuple:
    item, site = uuid4(), uuid4()
    conn: asyncpg.Connection[Any] = await asyncpg.connect(d.dsn)
    try:
        await conn.executemany(
            "insert into stores (store_id, code, name) values ($1, $2, 'Scale store')",
            [(s, f"S-{s.hex[:8]}") for s in (*http_stores, *site_stores)],
        )
        await conn.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'Scale item')",
            item,
            f"I-{item.hex[:8]}",
        )
    finally:
        await conn.close()
    auth = AuthOnKafka(d.bootstrap)
    await auth.publish_key()
    _, token = await auth.user(*(f"STOCK_ADJUST|{s}|{uuid4()}" for s in http_stores))
    await auth.publish(
        SiteChanged(
            site_id=site,
            name="scale clinic",
            active=True,
            store_ids=site_stores,
            changed_at=datetime.now(UTC),
            version=1,
        )
    )
    return item, site, token


@dataclass(frozen=True)
class Books:
    """What the database holds for the test's item, by lot code and by batch."""

    lots: dict[str, int]  # lot code → ledger rows
    site_movements: set[UUID]
    ledger: dict[tuple[UUID, UUID], int]  # (store, batch) → sum of the ledger
    on_hand: dict[tuple[UUID, UUID], int]  # written with the ledger
    projected: dict[tuple[UUID, UUID], int]  # the projector's stock levels

    @classmethod
    async def read(cls, d: Deployment, item: UUID, site_stores: list[UUID]) -> Books:
        by_lot = await d.fetch(
            "select b.lot_code, count(*) as n from stock_movements m join batches b"
            " using (batch_id) where m.item_id = $1 group by 1",
            item,
        )
        site = await d.fetch(
            "select movement_id from stock_movements where store_id = any($1)", site_stores
        )
        sums = {
            table: {
                (r["store_id"], r["batch_id"]): r["q"]
                for r in await d.fetch(
                    f"select store_id, batch_id, sum({column}) as q from {table}"
                    " where item_id = $1 group by 1, 2",
                    item,
                )
            }
            for table, column in (
                ("stock_movements", "quantity"),
                ("stock_on_hand", "quantity"),
                ("stock_levels", "quantity_on_hand"),
            )
        }
        return cls(
            {r["lot_code"]: r["n"] for r in by_lot},
            {r["movement_id"] for r in site},
            sums["stock_movements"],
            sums["stock_on_hand"],
            sums["stock_levels"],
        )

    def missing(self, expected: set[str]) -> set[str]:
        return expected - set(self.lots)

    def doubled(self) -> set[str]:
        return {lot for lot, n in self.lots.items() if n > 1}

    def unasked(self, expected: set[str]) -> set[str]:
        return set(self.lots) - expected

    def projected_short(self) -> set[tuple[UUID, UUID]]:
        return {k for k, q in self.ledger.items() if self.projected.get(k, 0) < q}

    def projected_over(self) -> set[tuple[UUID, UUID]]:
        return {k for k, q in self.projected.items() if q > self.ledger.get(k, 0)}


@pytest.mark.stack
async def test_one_of_two_instances_killed_mid_batch_loses_and_doubles_nothing(
    deployment: Deployment,
) -> None:
    d = deployment
    http_stores, site_stores = [uuid4() for _ in range(4)], [uuid4() for _ in range(3)]
    item, site, token = await _setup(d, http_stores, site_stores)
    for proc in d.processes.values():
        proc.start()
    urls = [p.url for p in d.plan if p.url]
    assert len(urls) == 2 and len(set(urls)) == 2
    for url in urls:
        await wait_until(lambda u=url: _ready(u), timeout=120, what=f"{url}/ready")
    await wait_until(lambda: _shared(d), timeout=60, what="both instances in every group")
    receipts = Receipts(urls, token, http_stores, item)
    documents = SiteDocuments(d.bootstrap, site, site_stores, item)
    stop = asyncio.Event()
    load = asyncio.gather(receipts.run(stop), documents.run(stop))
    started = time.monotonic()
    try:
        victim = await wait_until(lambda: relay_leader(d.dsn), what="a relay leader")
        survivor = d.survivor_of(victim)
        await asyncio.sleep(3)  # the load in full swing on both instances
        before = await d.holders()
        statement = await _kill_while_applying(d, victim)
        killed_at, written_before = datetime.now(UTC), len(receipts.acknowledged)
        await wait_until(
            lambda: _moved_to(d, survivor), timeout=60, what=f"every group on {survivor} alone"
        )
        leader_after = await wait_until(lambda: relay_leader(d.dsn), what="a new relay leader")
        await asyncio.sleep(3)  # the survivor alone under the load
    finally:
        stop.set()
        await load
    loaded = time.monotonic() - started
    expected = {
        **receipts.acknowledged,
        **receipts.recorded_once,
        **dict(documents.lines.values()),
    }

    async def settled() -> Books | None:
        books = await Books.read(d, item, site_stores)
        done = books.lots.keys() >= expected.keys() and books.projected == books.ledger
        return books if done else None

    books = await wait_until(settled, timeout=90, interval=0.5, what="the books to settle")
    await asyncio.sleep(2)  # a late redelivery would show now
    books = await Books.read(d, item, site_stores)
    after = await d.holders()
    lost, doubled = books.missing(set(expected)), books.doubled()
    unasked = books.unasked(set(expected))
    short, over = books.projected_short(), books.projected_over()
    dead = (await d.fetch("select count(*) as n from inbox where dead_letter"))[0]["n"]
    resumed = (
        await d.fetch(
            "select count(*) as n from inbox where consumer = $1 and processed_at > $2",
            projector.NAME,
            killed_at,
        )
    )[0]["n"]
    print(
        f"\nscale-out: {len(receipts.acknowledged)} receipts acknowledged over {len(urls)} APIs"
        f" ({written_before} before the kill, {receipts.retries} retried on the other instance,"
        f" {len(receipts.recorded_once)} answered 409 recorded-once), {len(documents.lines)}"
        f" site lines, {loaded:.0f} s of load; {victim} SIGKILLed while running"
        f" {statement.split(chr(10))[0][:60]!r}\n"
        f"  ledger: lost {len(lost)}, doubled {len(doubled)}, unasked {len(unasked)};"
        f" projection: short {len(short)}, over {len(over)}; dead letters {dead}\n"
        f"  relay leader {victim} -> {leader_after};"
        f" projected by {survivor} after the kill: {resumed}\n"
        f"  partitions before: {_counts(before)}\n  partitions after: {_counts(after)}"
    )
    assert (lost, doubled, unasked) == (set(), set(), set())
    assert books.site_movements == set(documents.lines)
    assert books.on_hand == books.ledger, "stock on hand is the sum of the ledger"
    assert (short, over) == (set(), set()), "every movement projected exactly once"
    assert dead == 0
    assert leader_after == survivor, "the relay's leadership moved to the survivor"
    assert '"msg":"relay leading"' in d.processes[survivor].output()
    assert all(victim in h and h[victim] for h in before.values()), before
    for consumer, held in after.items():
        assert set(held) == {survivor}, consumer
        assert held[survivor] == set().union(*before[consumer].values()), consumer
    assert resumed > 0, "the survivor resumed where the victim left off"
    assert d.processes[survivor].returncode is None
