"""Fulfillment's app on a fresh database, with inventory's facts fed through its consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.envelope import decode, new_event
from akiba_contracts.payloads import (
    BatchChanged,
    FacilityChanged,
    LocationChanged,
    OrderableChanged,
    Payload,
    ReleasedLine,
    RequisitionKind,
    RequisitionReleased,
    ReservedLine,
    StockLevelChanged,
    StockReserved,
)
from akiba_contracts.payloads.reference import ManagedBy
from akiba_devtools.testing.plugin import Databases
from akiba_fulfillment.api.app import create_app
from akiba_fulfillment.bootstrap import MIGRATIONS
from akiba_fulfillment.consumers import orders, stock
from akiba_fulfillment.settings import Settings
from akiba_platform import Delivery
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer

NOW = datetime.now(UTC)


def delivery(payload: Payload) -> Delivery:
    """A payload as a consumer receives it."""
    event = new_event(
        source="/test", type=payload.event_type, subject="t", data=payload,
        partitionkey=payload.partition_key(),
    )  # fmt: skip
    return Delivery(event, None, UUID(event.id))  # type: ignore[arg-type]


class World:
    """A supplier and a receiver, an item in packs of 5, and tokens for their staff."""

    def __init__(
        self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.pool, self.client, self.issuer = pool, client, issuer
        self.supplier, self.receiver, self.item = uuid4(), uuid4(), uuid4()
        self.shelf, self.receiving_shelf = uuid4(), uuid4()
        s, r = self.supplier, self.receiver
        _, self.dispatcher = issuer.user(
            f"ORDERS_VIEW|{s}", f"ORDERS_EDIT|{s}", f"SHIPMENTS_VIEW|{s}", f"SHIPMENTS_EDIT|{s}"
        )
        _, self.storekeeper = issuer.user(f"PODS_VIEW|{r}", f"PODS_MANAGE|{r}")
        _, self.elsewhere = issuer.user(
            *(f"{right}|{uuid4()}" for right in (
                "ORDERS_VIEW", "ORDERS_EDIT", "SHIPMENTS_VIEW", "SHIPMENTS_EDIT", "PODS_VIEW",
                "PODS_MANAGE",
            ))
        )  # fmt: skip

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        """Call the app (as the supplier's dispatcher unless another token is given)."""
        sent = {"authorization": f"Bearer {token or self.dispatcher}", **(headers or {})}
        return await self.client.request(method, path, json=body, params=params, headers=sent)

    async def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> dict[str, Any]:
        """Call and expect a 2xx; the JSON answer."""
        r = await self.call(method, path, body, **kw)
        assert r.status_code < 300, r.text
        out: dict[str, Any] = r.json()
        return out

    async def step(self, path: str, doc: dict[str, Any], body: Any = None, **kw: Any) -> Any:
        """A document step with If-Match of the version held."""
        headers = {"if-match": f'"{doc["version"]}"'}
        return await self.call(
            "POST", path, body if body is not None else {}, headers=headers, **kw
        )

    async def feed(self, *payloads: Payload, consumer: Any = stock) -> None:
        """Apply payloads through a consumer, in one transaction as its loop would."""
        async with self.pool.acquire() as conn, conn.transaction():
            await consumer.apply(conn, [delivery(p) for p in payloads])

    async def reference(self, *, pack: int = 5) -> None:
        """The two stores, their shelves and the item."""
        await self.feed(
            _facility(self.supplier, "WH-1"),
            _facility(self.receiver, "HF-1"),
            OrderableChanged(
                item_id=self.item, code="AMX", name="Amoxicillin", dispensing_unit="tab",
                net_content=pack, pack_rounding_threshold=0, round_to_zero=False,
                cold_chain=False, vvm=False, program_ids=[], active=True, version=1,
                changed_at=NOW,
            ),
            _location(self.shelf, self.supplier), _location(self.receiving_shelf, self.receiver),
        )  # fmt: skip

    async def lot(
        self,
        code: str,
        expiry: date | None,
        on_hand: int,
        *,
        item: UUID | None = None,
        store: UUID | None = None,
        revision: int = 1,
        reserved: int = 0,
        on_hold: bool = False,
    ) -> UUID:
        """A lot of the item on the supplier's shelf, with its stock."""
        batch = uuid4()
        item = item or self.item
        await self.feed(
            BatchChanged(batch_id=batch, item_id=item, lot_code=code, expiry_date=expiry,
                         active=True, version=1, changed_at=NOW),
            StockLevelChanged(
                store_id=store or self.supplier, item_id=item, batch_id=batch,
                location_id=self.shelf, quantity_on_hand=on_hand, last_movement_id=uuid4(),
                store_sequence=1, as_of=NOW, reserved=reserved, on_hold=on_hold,
                revision=revision,
            ),
        )  # fmt: skip
        return batch

    async def release(
        self, packs: int, *, item: UUID | None = None, requisition_id: UUID | None = None
    ) -> dict[str, Any]:
        """A requisition released to the supplier; the order it opened."""
        released = RequisitionReleased(
            requisition_id=requisition_id or uuid4(), kind=RequisitionKind.PROGRAM,
            requesting_facility_id=self.receiver, supplying_facility_id=self.supplier,
            program_id=uuid4(), period_id=uuid4(), period_start=None, period_end=None,
            emergency=False, version=7, released_by="approver", released_at=NOW,
            lines=[ReleasedLine(orderable_id=item or self.item, approved_quantity=packs * 5,
                                packs=packs, pack_size=5, price_per_pack=None)],
        )  # fmt: skip
        await self.feed(released, consumer=orders)
        page = await self.ok("GET", "/orders", supplying_facility_id=str(self.supplier))
        found = [o for o in page["items"] if o["requisition_id"] == str(released.requisition_id)]
        assert len(found) == 1
        return found[0]

    async def answer(self, shipment: dict[str, Any], cut: dict[str, int] | None = None) -> None:
        """Inventory's answer to the shipment's allocation: everything reserved (or cut)."""
        cut = cut or {}
        lines = [
            ReservedLine(
                line_id=lot["line_id"], item_id=lot["orderable_id"], batch_id=lot["batch_id"],
                location_id=lot["location_id"], requested=lot["quantity"],
                reserved=lot["quantity"] - cut.get(lot["lot_code"], 0), quantity_on_hand=0,
                reserved_total=0, on_hold=False, revision=0, store_sequence=0,
            )
            for lot in shipment["lots"]
        ]  # fmt: skip
        await self.feed(
            StockReserved(
                shipment_id=shipment["shipment_id"], store_id=self.supplier, lines=lines, at=NOW
            )
        )

    async def shipped(self, order: dict[str, Any], packs: int | None = None) -> dict[str, Any]:
        """A shipment of the order (some packs, or all that is open) allocated, answered,
        picked and shipped."""
        body = (
            {} if packs is None else {"lines": [{"orderable_id": str(self.item), "packs": packs}]}
        )
        s = await self.ok("POST", f"/orders/{order['order_id']}/shipments", body)
        r = await self.step(f"/shipments/{s['shipment_id']}/allocate", s)
        assert r.status_code == 200, r.text
        await self.answer(r.json())
        s = await self.ok("GET", f"/shipments/{s['shipment_id']}")
        r = await self.step(f"/shipments/{s['shipment_id']}/pick", s)
        assert r.status_code == 200, r.text
        r = await self.step(f"/shipments/{s['shipment_id']}/ship", r.json(), {"carrier": "Truck 7"})
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    async def order(self, order_id: str) -> dict[str, Any]:
        """The order as the supplier sees it now."""
        return await self.ok("GET", f"/orders/{order_id}")

    async def events(self, topic: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(type, key, payload) of every outbox row for a topic, oldest first."""
        rows = await self.pool.fetch(
            "select key, value from outbox where topic = $1 order by id", topic
        )
        out = []
        for r in rows:
            e = decode(r["value"])
            out.append((e.type, r["key"], e.data or {}))
        return out


def _facility(store: UUID, code: str) -> FacilityChanged:
    return FacilityChanged(store_id=store, code=code, name=code, managed_by=ManagedBy.CENTRAL,
                           active=True, version=1, changed_at=NOW)  # fmt: skip


def _location(location: UUID, store: UUID) -> LocationChanged:
    return LocationChanged(location_id=location, store_id=store, code="A1", name="A1",
                           cold_chain=False, active=True, version=1, changed_at=NOW)  # fmt: skip


@pytest.fixture
async def world(databases: Databases) -> AsyncIterator[World]:
    pool = await create_pool(await databases.create({"fulfillment": MIGRATIONS}), max_size=8)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                w = World(pool, client, issuer)
                await w.reference()
                yield w
    finally:
        await pool.close()
