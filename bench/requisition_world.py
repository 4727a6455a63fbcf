"""The requisition bench's world: a real `akiba_requisition serve --roles api` process on a fresh
database, a program of 1,000 items approved for one facility type, monthly periods from a year
ago to this month, a three-level supervision tree, and a year of one store's ledger by day.

Reference data goes through the admin API, stores, items and the tree through the read-model
consumer's `apply` (as their owners' records would arrive), the ledger by day by COPY (set-up,
not measured). Tokens are signed by a test key published on auth's topics, as in bench/http.py.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import psutil

from akiba_contracts.envelope import decode, new_event, serialised
from akiba_contracts.payloads import (
    ApprovalScope,
    FacilityChanged,
    OrderableChanged,
    Payload,
    RequisitionGroupChanged,
    SupervisoryNodeChanged,
    SupplyLineChanged,
    UserPermissionsChanged,
)
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.databases import scratch_database
from akiba_platform import Delivery
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from akiba_platform.testing.tokens import TestIssuer
from akiba_requisition.bootstrap import MIGRATIONS
from akiba_requisition.consumers import read_models
from bench.env import Env
from bench.measure import wait_for
from bench.services import serve

ITEMS = 1_000
MONTHS = 13  # this month's period and the twelve before it
MOVING = 20 / 30.44  # an item moves on about 20 days a month
TOKEN_SECONDS = 200  # test tokens live 300 s; a fresh one well before
CREATE, AUTHORIZE, APPROVE = "REQUISITION_CREATE", "REQUISITION_AUTHORIZE", "REQUISITION_APPROVE"
COLUMNS = {
    **{c: "STOCK_CARDS" for c in ("beginning_balance", "total_received_quantity",
       "total_consumed_quantity", "total_losses_and_adjustments", "stock_on_hand",
       "total_stockout_days", "average_consumption")},
    **{c: "CALCULATED" for c in ("adjusted_consumption", "maximum_stock_quantity",
       "calculated_order_quantity", "packs_to_ship", "total_cost")},
    **{c: "USER_INPUT" for c in ("requested_quantity", "requested_quantity_explanation",
       "approved_quantity", "remarks")},
    **{c: "REFERENCE_DATA" for c in ("orderable_code", "orderable_name", "price_per_pack",
       "dispensing_unit")},
}  # fmt: skip


@dataclass
class User:
    """A published user; `token()` mints a fresh access token before the last one expires."""

    user_id: UUID
    issuer: TestIssuer
    _token: str = ""
    _minted: float = -1e9

    def token(self) -> str:
        """A token with at least a minute and a half to live."""
        if time.monotonic() - self._minted > TOKEN_SECONDS:
            self._token, self._minted = self.issuer.token(str(self.user_id)), time.monotonic()
        return self._token


async def request_as(
    client: httpx.AsyncClient, method: str, path: str, body: Any, user: User, expect: int,
    version: int | None,
) -> httpx.Response:  # fmt: skip
    """One request as `user` (If-Match when a version is given); anything but the expected
    status fails the bench."""
    headers = {"authorization": f"Bearer {user.token()}"}
    if version is not None:
        headers["if-match"] = f'"{version}"'
    r = await client.request(method, path, json=body, headers=headers)
    if r.status_code != expect:
        raise AssertionError(f"{method} {path}: {r.status_code} {r.text[:500]}")
    return r


@dataclass(frozen=True)
class Period:
    """A monthly period as the admin API made it."""

    period_id: UUID
    start: date
    end: date


@dataclass
class World:
    """The process, its database and the facts the measurements use."""

    client: httpx.AsyncClient
    dsn: str
    pool: asyncpg.Pool[Any]
    server: psutil.Process
    auth: AuthOnKafka
    admin: User
    facility: UUID = field(default_factory=uuid.uuid4)
    warehouse: UUID = field(default_factory=uuid.uuid4)
    kind: UUID = field(default_factory=uuid.uuid4)
    nation: UUID = field(default_factory=uuid.uuid4)
    region: UUID = field(default_factory=uuid.uuid4)
    district: UUID = field(default_factory=uuid.uuid4)
    items: list[UUID] = field(default_factory=lambda: [uuid.uuid4() for _ in range(ITEMS)])
    periods: list[Period] = field(default_factory=list)
    program: UUID = field(default_factory=uuid.uuid4)  # the admin API's, once made
    clerk: User | None = None  # creates, authorizes, deletes; approves at the district node
    ledger_rows: int = 0

    async def call(
        self, method: str, path: str, body: Any = None, *, user: User, expect: int = 200,
        version: int | None = None,
    ) -> httpx.Response:  # fmt: skip
        """One request as `user`; anything but the expected status fails the bench."""
        return await request_as(self.client, method, path, body, user, expect, version)

    async def made(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An admin POST that creates something."""
        got: dict[str, Any] = (
            await self.call("POST", path, body, user=self.admin, expect=201)
        ).json()
        return got

    @property
    def user(self) -> User:
        """The facility's clerk (set up by `build`)."""
        assert self.clerk is not None
        return self.clerk


async def build(env: Env, cleanup: AsyncExitStack, rng: random.Random) -> World:
    """Database, process, reference data, the clerk and the store's year of ledger."""
    tag = env.raw_topic.split(".")[1]  # bench.<run>.raw
    dsn = await scratch_database(env.dsn.rsplit("/", 1)[0], f"akiba_bench_{tag}_req", cleanup)
    await migrate(dsn, {"requisition": MIGRATIONS})
    pool = await create_pool(dsn, max_size=4)
    cleanup.push_async_callback(pool.close)
    auth = AuthOnKafka(env.bootstrap)
    await auth.publish_key()
    admin = await publish_user(auth, ["PROGRAMS_MANAGE"])
    url, server = await _serve(dsn, env.bootstrap, cleanup)
    client = await cleanup.enter_async_context(httpx.AsyncClient(base_url=url, timeout=120))
    w = World(client, dsn, pool, server, auth, admin)
    await _until_allowed(w, "/programs", admin)
    await _reference(w)
    w.clerk = await publish_user(
        auth, [f"{r}|{w.facility}|{w.program}" for r in (
            CREATE, AUTHORIZE, APPROVE, "REQUISITION_DELETE", "REQUISITION_VIEW")],
        nodes=[(APPROVE, w.district, w.program)],
    )  # fmt: skip
    await _until_allowed(
        w, f"/requisitions/periods?facility_id={w.facility}&program_id={w.program}", w.user
    )
    w.ledger_rows = await _ledger(pool, w, rng)
    return w


async def publish_user(
    auth: AuthOnKafka, permissions: Sequence[str], nodes: Sequence[tuple[str, UUID, UUID]] = ()
) -> User:
    """A user with these permissions (and rights at nodes), published on auth's topics."""
    user_id, _ = auth.issuer.user(*permissions, nodes=nodes)
    await auth.publish(
        UserPermissionsChanged(
            user_id=user_id, username=f"bench-{user_id.hex[:8]}", active=True,
            home_facility_id=None, version=1, permissions=list(permissions),
            node_scopes=[ApprovalScope(right=r, node_id=n, program_id=p) for r, n, p in nodes],
            changed_at=datetime.now(UTC),
        )
    )  # fmt: skip
    return User(user_id, auth.issuer)


async def _serve(dsn: str, bootstrap: str, cleanup: AsyncExitStack) -> tuple[str, psutil.Process]:
    workdir = Path(tempfile.mkdtemp(prefix="akiba-bench-req-"))
    cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
    log = workdir / "requisition.log"
    url, proc = await serve("akiba_requisition", "api", dsn, bootstrap, log, cleanup)
    assert proc.pid is not None
    return url, psutil.Process(proc.pid)


async def _until_allowed(w: World, path: str, user: User) -> None:
    """Wait until the process has read the user's grant from auth's topics."""

    async def allowed() -> bool:
        r = await w.client.get(path, headers={"authorization": f"Bearer {user.token()}"})
        if r.status_code not in (200, 401, 403):
            raise AssertionError(f"GET {path}: {r.status_code} {r.text[:500]}")
        return r.status_code == 200

    await wait_for(allowed, what="the process to learn a bench user's rights", timeout=60)


async def _reference(w: World) -> None:
    """Program, stores, items and tree, schedule and periods, template, approved products."""
    program = {"code": f"P-{uuid.uuid4().hex[:8]}", "name": "Essential medicines",
               "periods_skippable": True}  # fmt: skip
    w.program = UUID((await w.made("/programs", program))["program_id"])
    group = uuid.uuid4()
    await learn(w.pool, [*_owners(w, group), *_orderables(w)])
    monthly = {"code": f"M-{uuid.uuid4().hex[:8]}", "name": "Monthly"}
    schedule = (await w.made("/schedules", monthly))["schedule_id"]
    for start, end in months(datetime.now(UTC).date()):
        body = {"name": f"{start:%Y-%m}", "start_date": str(start), "end_date": str(end)}
        made = await w.made(f"/schedules/{schedule}/periods", body)
        w.periods.append(Period(UUID(made["period_id"]), start, end))
    await w.made("/group-schedules", {
        "group_id": str(group), "program_id": str(w.program), "schedule_id": schedule,
    })  # fmt: skip
    await w.made("/templates", {
        "program_id": str(w.program), "name": "stock based", "stock_based": True,
        "periods_to_average": 3,
        "columns": {c: {"source": s, "displayed": True} for c, s in COLUMNS.items()},
    })  # fmt: skip
    await _products(w)


def _owners(w: World, group: UUID) -> Iterator[Payload]:
    now = datetime.now(UTC)
    for s in (w.facility, w.warehouse):
        yield FacilityChanged(store_id=s, code=f"S-{s.hex[:6]}", name="store",
                              managed_by="central", facility_type_id=w.kind, active=True,
                              version=1, changed_at=now)  # fmt: skip
    for node, parent, code in ((w.nation, None, "N"), (w.region, w.nation, "R"),
                               (w.district, w.region, "D")):  # fmt: skip
        yield SupervisoryNodeChanged(node_id=node, code=code, name=code, facility_id=None,
                                     parent_id=parent, active=True, changed_at=now)  # fmt: skip
    yield RequisitionGroupChanged(group_id=group, code="G", name="group", node_id=w.district,
                                  facility_ids=[w.facility], program_ids=[w.program],
                                  active=True, changed_at=now)  # fmt: skip
    yield SupplyLineChanged(supply_line_id=uuid.uuid4(), supervisory_node_id=w.region,
                            program_id=w.program, supplying_facility_id=w.warehouse,
                            description=None, active=True, version=1, changed_at=now)  # fmt: skip


def _orderables(w: World) -> Iterator[Payload]:
    now = datetime.now(UTC)
    for n, i in enumerate(w.items):
        yield OrderableChanged(item_id=i, code=f"I{n:05d}", name=f"item {n}",
                               dispensing_unit="tablet", net_content=10, pack_rounding_threshold=5,
                               round_to_zero=False, vvm=False, cold_chain=False,
                               program_ids=[w.program], active=True, version=1,
                               changed_at=now)  # fmt: skip


async def learn(pool: asyncpg.Pool[Any], payloads: Sequence[Payload]) -> None:
    """Apply other services' records as the read-model consumer does (decoded from bytes)."""
    deliveries = []
    for p in payloads:
        event = new_event(source="/bench", type=p.event_type, subject=p.partition_key(), data=p,
                          partitionkey=p.partition_key())  # fmt: skip
        decoded = decode(serialised(event))
        deliveries.append(Delivery(decoded, None, UUID(decoded.id)))
    async with pool.acquire() as conn, conn.transaction():
        await read_models.apply(conn, deliveries)


def months(today: date) -> Iterator[tuple[date, date]]:
    """(first, last day) of this month and the twelve before it, oldest first."""
    index = today.year * 12 + today.month - 1
    for i in range(index - MONTHS + 1, index + 1):
        start, after = date(i // 12, i % 12 + 1, 1), date((i + 1) // 12, (i + 1) % 12 + 1, 1)
        yield start, after - timedelta(days=1)


async def _products(w: World) -> None:
    """Each item in the program and approved for the facility type, 8 admin calls at a time."""

    async def one(n: int, item: UUID) -> None:
        price = f"{1 + n % 40}.{n % 100:02d}"
        await w.made(f"/programs/{w.program}/orderables",
                     {"orderable_id": str(item), "price_per_pack": price})  # fmt: skip
        await w.made(f"/programs/{w.program}/approved-products", {
            "facility_type_id": str(w.kind), "orderable_id": str(item),
            "max_periods_of_stock": "3", "min_periods_of_stock": "1",
        })  # fmt: skip

    await _at_most(8, [partial(one, n, i) for n, i in enumerate(w.items)])


async def _at_most(concurrency: int, calls: Sequence[Callable[[], Awaitable[None]]]) -> None:
    todo = iter(calls)

    async def worker() -> None:
        for call in todo:
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _ledger(pool: asyncpg.Pool[Any], w: World, rng: random.Random) -> int:
    """A year of the facility's ledger by day, every item, by COPY."""
    today = datetime.now(UTC).date()
    rows = [r for item in w.items for r in _item_days(rng, w.facility, item, today)]
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "movement_days", records=rows,
            columns=("store_id", "item_id", "day", "received", "consumed", "adjusted", "net"),
        )  # fmt: skip
        await conn.execute("analyze movement_days")
    return len(rows)


def _item_days(
    rng: random.Random, store: UUID, item: UUID, today: date
) -> Iterator[tuple[Any, ...]]:
    """One item's days: issues near a daily demand, a receipt when stock runs low (late at
    times, so some periods have stock-out days), a small loss now and then."""
    demand, balance = rng.randint(2, 60), 0
    for back in range(365, -1, -1):
        if rng.random() > MOVING:
            continue
        received = (
            demand * rng.randint(20, 40) if balance < 8 * demand and rng.random() < 0.4 else 0
        )
        consumed = min(balance + received, max(0, round(rng.gauss(demand, demand / 3))))
        left = balance + received - consumed
        adjusted = -rng.randint(1, min(5, left)) if left > 0 and rng.random() < 0.05 else 0
        net = received - consumed + adjusted
        balance += net
        yield (store, item, today - timedelta(days=back), received, consumed, adjusted, net)
