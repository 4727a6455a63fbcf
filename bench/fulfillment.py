"""Fulfillment (issue #14's "Measure"), each next to a raw baseline from the same run.

- Allocating a 1,000-line order FEFO in a warehouse holding 10,000 items x 3 lots, through
  HTTP on a real `akiba_fulfillment serve --roles api` process, next to the lots query it
  reads run straight on PostgreSQL.
- Confirming a 1,000-line proof of delivery, next to the one statement that writes its lines.
- Release to order: RequisitionReleased events produced on requisition.events and the orders
  a real `--roles orders` process opens from them, latency per event, next to a plain
  consumer's produce-to-consume latency of the same events.

The read models (items, lots, stock lines) are loaded by COPY (set-up, not measured).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import statistics
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import psutil
from aiokafka import AIOKafkaConsumer

from akiba_contracts.envelope import decode
from akiba_contracts.payloads import ReleasedLine, RequisitionKind, RequisitionReleased
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.databases import scratch_database
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_fulfillment.adapters.stock import _LOTS  # the very statement allocation reads
from akiba_fulfillment.bootstrap import MIGRATIONS
from akiba_fulfillment.consumers import orders as orders_consumer
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from bench.env import Env
from bench.measure import wait_for
from bench.requisition_world import User, publish_user, request_as
from bench.services import serve

ITEMS, LOTS_PER_ITEM, LINES = 10_000, 3, 1_000
RUNS, WARM_UP = 20, 2
RELEASES, RELEASE_RATE = 300, 50.0  # events, per second
TARGET_S = 0.5


@dataclass
class World:
    """The process, its database, the two stores and their people."""

    client: httpx.AsyncClient
    dsn: str
    pool: asyncpg.Pool[Any]
    server: psutil.Process
    dispatcher: User
    keeper: User
    warehouse: UUID
    clinic: UUID
    items: list[UUID]

    async def call(
        self, method: str, path: str, body: Any = None, *, user: User, expect: int = 200,
        version: int | None = None,
    ) -> httpx.Response:  # fmt: skip
        """One request as `user`; anything but the expected status fails the bench."""
        return await request_as(self.client, method, path, body, user, expect, version)


async def run(env: Env) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the warehouse, then allocate and confirm, then release to order."""
    rng = random.Random(14)
    async with AsyncExitStack() as cleanup:
        w = await _build(env, cleanup)
        shipping = await _allocate_and_receive(w, rng)
        latency, ok = await _release_to_order(env, w, cleanup)
    figures = {
        f"fulfillment allocate ({LINES:,} lines of {ITEMS:,} items x {LOTS_PER_ITEM} lots)":
            shipping.pop("allocate"),
        f"fulfillment proof of delivery ({LINES:,} lines)": shipping.pop("pod"),
        "fulfillment release to order (latency)": latency,
    }  # fmt: skip
    return figures, {**shipping, "fulfillment_orders_opened_from_every_release": ok}


async def _build(env: Env, cleanup: AsyncExitStack) -> World:
    tag = env.raw_topic.split(".")[1]
    dsn = await scratch_database(env.dsn.rsplit("/", 1)[0], f"akiba_bench_{tag}_ful", cleanup)
    await migrate(dsn, {"fulfillment": MIGRATIONS})
    pool = await create_pool(dsn, max_size=4)
    cleanup.push_async_callback(pool.close)
    warehouse, clinic = uuid.uuid4(), uuid.uuid4()
    items = [uuid.uuid4() for _ in range(ITEMS)]
    await _read_models(pool, warehouse, clinic, items)
    auth = AuthOnKafka(env.bootstrap)
    await auth.publish_key()
    dispatcher = await publish_user(auth, [f"{r}|{warehouse}" for r in (
        "ORDERS_VIEW", "ORDERS_EDIT", "SHIPMENTS_VIEW", "SHIPMENTS_EDIT")])  # fmt: skip
    keeper = await publish_user(auth, [f"{r}|{clinic}" for r in ("PODS_VIEW", "PODS_MANAGE")])
    url, server = await _serve(dsn, env.bootstrap, "api", cleanup)
    client = await cleanup.enter_async_context(httpx.AsyncClient(base_url=url, timeout=120))
    w = World(client, dsn, pool, server, dispatcher, keeper, warehouse, clinic, items)

    async def allowed() -> bool:
        r = await client.get("/orders/counts", params={"supplying_facility_id": str(warehouse)},
                             headers={"authorization": f"Bearer {dispatcher.token()}"})  # fmt: skip
        return r.status_code == 200

    await wait_for(allowed, what="fulfillment to learn the dispatcher's rights", timeout=60)
    return w


async def _read_models(
    pool: asyncpg.Pool[Any], warehouse: UUID, clinic: UUID, items: list[UUID]
) -> None:
    """10,000 items in packs of 10, three lots each with their expiries, on hand in plenty."""
    today = date.today()
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "facilities", records=[(warehouse, "WH", "Warehouse", None, True, 1),
                                   (clinic, "HC", "Clinic", None, True, 1)])  # fmt: skip
        await conn.copy_records_to_table(
            "orderables",
            records=[
                (i, f"I{n:05d}", f"Item {n}", "tab", 10, True, 1) for n, i in enumerate(items)
            ],
        )
        batches, lines = [], []
        for n, item in enumerate(items):
            for k in range(LOTS_PER_ITEM):
                batch = uuid.uuid4()
                expiry = today + timedelta(days=120 + 90 * k + n % 60)
                batches.append((batch, item, f"L{n}-{k}", expiry, 1))
                lines.append((warehouse, item, batch, None, 1_000_000, 0, False, 1, 1))
        await conn.copy_records_to_table("batches", records=batches)
        await conn.copy_records_to_table("stock_lines", records=lines)
        await conn.execute("analyze")


async def _serve(
    dsn: str, bootstrap: str, roles: str, cleanup: AsyncExitStack, **extra: str
) -> tuple[str, psutil.Process]:
    workdir = Path(tempfile.mkdtemp(prefix="akiba-bench-ful-"))
    cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
    log = workdir / f"fulfillment-{roles}.log"
    url, proc = await serve("akiba_fulfillment", roles, dsn, bootstrap, log, cleanup, **extra)
    assert proc.pid is not None
    return url, psutil.Process(proc.pid)


async def _allocate_and_receive(w: World, rng: random.Random) -> dict[str, Any]:
    """Each run: an order of 1,000 random items, a shipment of it allocated (timed), the
    reservations answered and the shipment picked and shipped, its receipt confirmed (timed)."""
    took: dict[str, list[float]] = {"allocate": [], "pod": [], "raw lots": [], "raw pod": []}
    cpu: dict[str, float] = {"allocate": 0.0, "pod": 0.0}
    lots_ok = True
    for i in range(WARM_UP + RUNS):
        chosen = rng.sample(w.items, LINES)
        body = {"requesting_facility_id": str(w.clinic), "supplying_facility_id": str(w.warehouse),
                "lines": [{"orderable_id": str(x), "packs": 3} for x in chosen]}  # fmt: skip
        order = (await w.call("POST", "/orders", body, user=w.dispatcher, expect=201)).json()
        s = (await w.call("POST", f"/orders/{order['order_id']}/shipments", {},
                          user=w.dispatcher, expect=201)).json()  # fmt: skip
        path = f"/shipments/{s['shipment_id']}"
        allocated, wall, used = await _timed(w, "POST", f"{path}/allocate", {}, w.dispatcher, 1)
        doc = allocated.json()
        lots_ok &= len(doc["lots"]) == LINES and all(x["quantity"] == 30 for x in doc["lots"])
        raw_lots = await _raw_lots(w, chosen)
        await w.pool.execute(  # inventory's answer, as its consumer would apply it
            "update shipment_lots set confirmed = true where shipment_id = $1",
            UUID(s["shipment_id"]),
        )
        picked = await w.call("POST", f"{path}/pick", {}, user=w.dispatcher, version=2)
        shipped = await w.call("POST", f"{path}/ship", {}, user=w.dispatcher,
                               version=picked.json()["version"])  # fmt: skip
        pod = {"delivered_by": "Driver", "received_by": "Keeper",
               "received_at": datetime.now(UTC).isoformat(),
               "lines": [{"line_id": x["line_id"], "accepted_quantity": x["quantity"] - 10,
                          "rejected_quantity": 10, "rejection_reason": "DAMAGED"}
                         for x in shipped.json()["lots"]]}  # fmt: skip
        done, pod_wall, pod_used = await _timed(
            w, "POST", f"/inbound-shipments/{s['shipment_id']}/proof-of-delivery", pod, w.keeper,
            shipped.json()["version"],
        )  # fmt: skip
        lots_ok &= done.json()["status"] == "RECEIVED"
        raw_pod = await _raw_pod(w, done.json()["lots"])
        if i >= WARM_UP:
            took["allocate"].append(wall)
            took["pod"].append(pod_wall)
            took["raw lots"].append(raw_lots)
            took["raw pod"].append(raw_pod)
            cpu["allocate"] += used
            cpu["pod"] += pod_used
    return {
        "allocate": _figures(took["allocate"], took["raw lots"], cpu["allocate"],
                             "raw: the lots query (3,000 rows)"),
        "pod": _figures(took["pod"], took["raw pod"], cpu["pod"],
                        "raw: one statement writing the 1,000 lines"),
        "fulfillment_allocations_whole_and_receipts_confirmed": lots_ok,
    }  # fmt: skip


async def _timed(
    w: World, method: str, path: str, body: Any, user: User, version: int
) -> tuple[httpx.Response, float, float]:
    cpu0, began = _cpu(w), time.perf_counter()
    r = await w.call(method, path, body, user=user, version=version)
    return r, time.perf_counter() - began, _cpu(w) - cpu0


async def _raw_lots(w: World, items: list[UUID]) -> float:
    began = time.perf_counter()
    async with w.pool.acquire() as conn:
        await conn.fetch(_LOTS, w.warehouse, items)
    return time.perf_counter() - began


async def _raw_pod(w: World, lots: list[dict[str, Any]]) -> float:
    """The lines' receipt written by one unnest UPDATE (what any PoD must at least do)."""
    began = time.perf_counter()
    await w.pool.execute(
        "update shipment_lots l set accepted = u.a, rejected = u.r from unnest($1::uuid[],"
        " $2::bigint[], $3::bigint[]) as u(id, a, r) where l.line_id = u.id",
        [UUID(x["line_id"]) for x in lots],
        [x["receipt"]["accepted_quantity"] for x in lots],
        [x["receipt"]["rejected_quantity"] for x in lots],
    )
    return time.perf_counter() - began


def _figures(took: list[float], raw: list[float], cpu: float, raw_name: str) -> dict[str, float]:
    return {
        "runs": len(took),
        "p50 ms": _q(took, 0.5) * 1000,
        "p90 ms": _q(took, 0.9) * 1000,
        "max ms": max(took) * 1000,
        "p90 / target 500 ms": _q(took, 0.9) / TARGET_S,
        "server CPU ms per request": cpu / len(took) * 1000,
        f"{raw_name} p50 ms": _q(raw, 0.5) * 1000,
        "p50 / raw p50": _q(took, 0.5) / _q(raw, 0.5),
    }


async def _release_to_order(
    env: Env, w: World, cleanup: AsyncExitStack
) -> tuple[dict[str, float], bool]:
    """Releases produced at a steady rate; each one's latency until its order exists."""
    groups = f"bench{uuid.uuid4().hex[:8]}-"
    await start_groups_at_end(env.bootstrap, [groups + orders_consumer.NAME, groups + "raw"])
    await _serve(w.dsn, env.bootstrap, "orders", cleanup, AKIBA_CONSUMER_GROUP_PREFIX=groups)
    raw = AIOKafkaConsumer(orders_consumer.TOPIC, bootstrap_servers=env.bootstrap,
                           group_id=groups + "raw", enable_auto_commit=False)  # fmt: skip
    await raw.start()
    cleanup.push_async_callback(raw.stop)
    sent: dict[UUID, float] = {}
    seen_raw: dict[UUID, float] = {}

    async def consume_raw() -> None:
        while len(seen_raw) < RELEASES:
            for records in (await raw.getmany(timeout_ms=200)).values():
                for rec in records:
                    rid = UUID(decode(rec.value).data["requisition_id"])  # type: ignore[index]
                    if rid in sent:
                        seen_raw[rid] = time.time()

    auth = AuthOnKafka(env.bootstrap)
    warm = _release(w, RELEASES)  # not measured: the process joins its group and warms up

    async def warmed() -> bool:
        return bool(
            await w.pool.fetchval(
                "select count(*) from orders where requisition_id = $1", warm.requisition_id
            )
        )

    await auth.publish(warm)
    await wait_for(warmed, what="the orders process's first order", timeout=120)
    reader = asyncio.create_task(consume_raw())
    for n in range(RELEASES):
        released = _release(w, n)
        sent[released.requisition_id] = time.time()
        await auth.publish(released)
        await asyncio.sleep(max(0.0, 1 / RELEASE_RATE))

    async def all_opened() -> bool:
        n = await w.pool.fetchval(
            "select count(*) from orders where requisition_id = any($1::uuid[])", list(sent)
        )
        return int(n) == RELEASES

    await wait_for(all_opened, what="an order for every release", timeout=120)
    await asyncio.wait_for(reader, 60)
    rows = await w.pool.fetch(
        "select requisition_id, created_at from orders where requisition_id = any($1::uuid[])",
        list(sent),
    )
    lat = [r["created_at"].timestamp() - sent[r["requisition_id"]] for r in rows]
    base = [seen_raw[k] - sent[k] for k in sent]
    return {
        "releases": RELEASES,
        "rate produced /s": RELEASE_RATE,
        "p50 ms": _q(lat, 0.5) * 1000,
        "p99 ms": _q(lat, 0.99) * 1000,
        "raw: produce to plain consume p50 ms": _q(base, 0.5) * 1000,
        "raw: produce to plain consume p99 ms": _q(base, 0.99) * 1000,
    }, len(rows) == RELEASES


def _release(w: World, n: int) -> RequisitionReleased:
    lines = [
        ReleasedLine(orderable_id=w.items[(n * 10 + k) % ITEMS], approved_quantity=30, packs=3,
                     pack_size=10, price_per_pack=None)
        for k in range(10)
    ]  # fmt: skip
    return RequisitionReleased(
        requisition_id=uuid.uuid4(), kind=RequisitionKind.INTERNAL_ORDER,
        requesting_facility_id=w.clinic, supplying_facility_id=w.warehouse, program_id=None,
        period_id=None, period_start=None, period_end=None, emergency=False, version=5,
        released_by="bench", released_at=datetime.now(UTC), lines=lines,
    )  # fmt: skip


def _cpu(w: World) -> float:
    t = w.server.cpu_times()
    return float(t.user + t.system)


def _q(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, int(q * 100) - 1)]
