"""A world for requisitions: stores, items and a three-level tree learnt from their owners'
events, a program with monthly periods and a stock-based template, and the ledger by day; and a
site that writes the world's store, its steps applied by the real `sites` role."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.catalogue import dlq_name, topic
from akiba_contracts.envelope import CloudEvent, decode, encode, new_event
from akiba_contracts.payloads import (
    FacilityChanged,
    MovementType,
    OrderableChanged,
    Payload,
    RequisitionGroupChanged,
    SiteChanged,
    SiteRequisitionRecorded,
    StockMovementRecorded,
    SupervisoryNodeChanged,
    SupplyLineChanged,
)
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_platform import Delivery, kafka
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer
from akiba_requisition.api.app import create_app
from akiba_requisition.bootstrap import MIGRATIONS, site_steps_role
from akiba_requisition.consumers import ledger, read_models, sites
from akiba_requisition.settings import Settings

NOW = datetime.now(UTC)
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


def _delivery(payload: Payload) -> Delivery:
    event = new_event(
        source="/test", type=payload.event_type, subject="t", data=payload,
        partitionkey=payload.partition_key(),
    )  # fmt: skip
    return Delivery(event, None, UUID(event.id))  # type: ignore[arg-type]


class World:
    """Requisition's app on a fresh database, with the facts the steps need."""

    def __init__(
        self, dsn: str, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.dsn, self.pool, self.client, self.issuer = dsn, pool, client, issuer
        _, self.admin = issuer.user("PROGRAMS_MANAGE")
        self.facility, self.warehouse, self.kind = uuid4(), uuid4(), uuid4()
        self.district, self.region, self.nation = uuid4(), uuid4(), uuid4()
        self.items = [uuid4(), uuid4()]
        self.periods: dict[str, str] = {}

    async def learn(self, *payloads: Payload) -> None:
        """Apply other services' records as the read-model consumer would."""
        async with self.pool.acquire() as conn:
            await read_models.apply(conn, [_delivery(p) for p in payloads])

    async def move(self, store: UUID, item: UUID, kind: MovementType, qty: int, day: date) -> None:
        """A ledger movement, as inventory publishes it, into the ledger by day."""
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        m = StockMovementRecorded(
            movement_id=uuid4(), store_id=store, item_id=item, batch_id=None, lot_code=None,
            expiry_date=None, location_id=None, movement_type=kind, quantity=qty,
            occurred_at=at, recorded_at=at, actor="t", reason_id=None, reference=None,
            source=None, store_sequence=1,
        )  # fmt: skip
        async with self.pool.acquire() as conn:
            await ledger.project(conn, [_delivery(m)])

    async def call(
        self, method: str, path: str, body: Any = None, *, token: str, version: int | None = None,
        **params: Any,
    ) -> httpx.Response:  # fmt: skip
        headers = {"authorization": f"Bearer {token}"}
        if version is not None:
            headers["if-match"] = f'"{version}"'
        return await self.client.request(method, path, json=body, params=params, headers=headers)

    async def admin_made(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await self.call("POST", path, body, token=self.admin)
        assert r.status_code == 201, r.text
        made: dict[str, Any] = r.json()
        return made

    async def build(self, **program: Any) -> None:
        """Stores, items, tree, supply line (middle node), program, periods, template."""
        self.program = UUID((await self.admin_made(
            "/programs", {"code": f"P-{uuid4().hex[:8]}", "name": "Essential medicines", **program}
        ))["program_id"])  # fmt: skip
        v = 1
        await self.learn(
            *(FacilityChanged(store_id=s, code=f"S-{s.hex[:6]}", name="store",
                              facility_type_id=self.kind, managed_by="central", active=True,
                              version=v, changed_at=NOW)
              for s in (self.facility, self.warehouse)),
            *(OrderableChanged(item_id=i, code=f"I-{n}-{i.hex[:6]}", name="item",
                               dispensing_unit="tablet", net_content=10,
                               pack_rounding_threshold=5, round_to_zero=False, vvm=False,
                               cold_chain=False, program_ids=[self.program], active=True,
                               version=v, changed_at=NOW)
              for n, i in enumerate(self.items)),
            SupervisoryNodeChanged(node_id=self.nation, code="N", name="national",
                                   facility_id=None, parent_id=None, active=True, changed_at=NOW),
            SupervisoryNodeChanged(node_id=self.region, code="R", name="region",
                                   facility_id=None, parent_id=self.nation, active=True,
                                   changed_at=NOW),
            SupervisoryNodeChanged(node_id=self.district, code="D", name="district",
                                   facility_id=None, parent_id=self.region, active=True,
                                   changed_at=NOW),
            RequisitionGroupChanged(group_id=(group := uuid4()), code="G", name="group",
                                    node_id=self.district, facility_ids=[self.facility],
                                    program_ids=[self.program], active=True, changed_at=NOW),
            SupplyLineChanged(supply_line_id=uuid4(), supervisory_node_id=self.region,
                              program_id=self.program, supplying_facility_id=self.warehouse,
                              description=None, active=True, version=1, changed_at=NOW),
        )  # fmt: skip
        monthly = {"code": f"M-{uuid4().hex[:8]}", "name": "Monthly"}
        schedule = (await self.admin_made("/schedules", monthly))["schedule_id"]
        for month in range(6, 13):
            start, end = date(2026, month, 1), date(2026 + month // 12, month % 12 + 1, 1)
            end = date.fromordinal(end.toordinal() - 1)
            made = await self.admin_made(
                f"/schedules/{schedule}/periods",
                {"name": f"2026-{month:02}", "start_date": str(start), "end_date": str(end)},
            )
            self.periods[f"2026-{month:02}"] = made["period_id"]
        await self.admin_made("/group-schedules", {
            "group_id": str(group), "program_id": str(self.program), "schedule_id": schedule,
        })  # fmt: skip
        await self.admin_made("/templates", {
            "program_id": str(self.program), "name": "stock based", "stock_based": True,
            "periods_to_average": 3,
            "columns": {c: {"source": s, "displayed": True} for c, s in COLUMNS.items()},
        })  # fmt: skip
        for item, price in zip(self.items, ("2.50", "10"), strict=True):
            await self.admin_made(f"/programs/{self.program}/orderables",
                                  {"orderable_id": str(item), "price_per_pack": price})  # fmt: skip
            await self.admin_made(f"/programs/{self.program}/approved-products", {
                "facility_type_id": str(self.kind), "orderable_id": str(item),
                "max_periods_of_stock": "3", "min_periods_of_stock": "1",
            })  # fmt: skip

    def user(self, *rights: str, nodes: Sequence[tuple[str, UUID]] = ()) -> str:
        """A token holding the rights at the facility for the program (and at nodes); every
        one of them may view the facility's requisitions."""
        perms = [f"{r}|{self.facility}|{self.program}" for r in {*rights, "REQUISITION_VIEW"}]
        scopes = [(r, n, self.program) for r, n in nodes]
        return self.issuer.user(*perms, nodes=scopes)[1]

    async def events(self, topic: str = "requisition.events") -> list[dict[str, Any]]:
        rows = await self.pool.fetch("select value from outbox where topic = $1 order by id", topic)
        return [{"type": (e := decode(bytes(r["value"]))).type, **(e.data or {})} for r in rows]


@pytest.fixture
async def world(databases: Databases) -> AsyncIterator[World]:
    dsn = await databases.create({"requisition": MIGRATIONS})
    pool = await create_pool(dsn)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://requisition") as c:
            yield World(dsn, pool, c, issuer)
    await pool.close()


class Site:
    """A site that writes the world's store: its gateway's steps, sent to the real topic."""

    def __init__(self, world: World, bootstrap: str) -> None:
        self.world, self.bootstrap = world, bootstrap
        self.site_id = uuid4()

    def record(self, *stores: UUID, version: int, site_id: UUID | None = None) -> SiteChanged:
        """Auth's record of this site (or another) and the stores written there."""
        return SiteChanged(
            site_id=site_id or self.site_id, name="clinic", active=True, store_ids=list(stores),
            changed_at=NOW, version=version,
        )  # fmt: skip

    def step(
        self, requisition_id: UUID, step: str, expected_version: int, *,
        siteid: str | None = "", siteversion: int | None = None, **fields: Any,
    ) -> CloudEvent:  # fmt: skip
        """The step as the sync hub produces it (with the site's id unless told otherwise,
        recorded under `siteversion` of the site's record)."""
        payload = SiteRequisitionRecorded.model_validate({
            "requisition_id": requisition_id, "facility_id": self.world.facility, "step": step,
            "expected_version": expected_version, "actor": "nurse@clinic",
            "at": datetime.now(UTC), **fields,
        })  # fmt: skip
        return new_event(
            source=f"/akiba/sites/{self.site_id}", type=payload.event_type,
            subject=f"requisitions/{requisition_id}", data=payload,
            partitionkey=str(requisition_id),
            siteid=str(self.site_id) if siteid == "" else siteid, siteversion=siteversion,
        )  # fmt: skip

    async def send(self, *events: CloudEvent) -> None:
        """Produce the steps, in order, keyed by requisition."""
        producer = kafka.producer(self.bootstrap)
        await producer.start()
        try:
            for e in events:
                key = (e.partitionkey or "").encode()
                await producer.send_and_wait(sites.TOPIC, encode(e), key=key)
        finally:
            await producer.stop()

    async def handled(self, *events: CloudEvent) -> None:
        """Wait until the role has applied or refused every one of these events."""
        ids = [UUID(e.id) for e in events]

        async def done() -> bool:
            n = await self.world.pool.fetchval(
                "select count(*) from inbox where consumer = $1 and event_id = any($2::uuid[])",
                sites.NAME,
                ids,
            )
            return bool(n == len(ids))

        await wait_until(done, what="the site's steps to be handled")

    async def dead(self, event: CloudEvent) -> bool:
        """Whether the event was dead-lettered."""
        found = await self.world.pool.fetchval(
            "select dead_letter from inbox where event_id = $1", UUID(event.id)
        )
        return bool(found)


@pytest.fixture
async def site(world: World, kafka_bootstrap: str) -> AsyncIterator[Site]:
    """A site auth gave the world's store to, and the `sites` role running on the world."""
    s = Site(world, kafka_bootstrap)
    await world.learn(s.record(world.facility, version=1))
    await kafka.ensure_topics(kafka_bootstrap, [topic(sites.TOPIC), topic(dlq_name(sites.TOPIC))])
    settings = Settings(
        database_url=world.dsn, kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=f"test-{uuid4().hex[:10]}.",
    )  # fmt: skip
    await start_groups_at_end(kafka_bootstrap, [settings.consumer_group_prefix + sites.NAME])
    stop = asyncio.Event()
    running = asyncio.create_task(site_steps_role(settings)(stop))
    try:
        yield s
    finally:
        stop.set()
        await running
