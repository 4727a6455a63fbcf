"""The shared stock routes on a desk that remembers what it was asked: each body becomes the
command both services record, each refusal is the same problem+json, whoever serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from akiba_contracts.stock_http.stocktakes import StocktakeResponse
from akiba_platform.http import create_app
from akiba_platform.testing.tokens import TestIssuer
from akiba_stock.commands import (
    CreateStocktake,
    EnterCounts,
    FinaliseStocktake,
    MoveStock,
    ReceiveStock,
    RecordMovements,
)
from akiba_stock.ledger import InsufficientStock, LedgerKind, StockLine
from akiba_stock.model import Batch, StockMovement
from akiba_stock_api import ERRORS, Rows, movement_routes, stocktake_routes

STORE, OTHER_STORE, PROGRAM = uuid4(), uuid4(), uuid4()
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class RememberingDesk:
    """Answers like a store that holds one batch; keeps every command it was given."""

    def __init__(self) -> None:
        self.commands: list[object] = []
        self.heads: dict[UUID, StocktakeResponse] = {}
        self.refuse: Exception | None = None

    def _movement(self, store_id: UUID, item_id: UUID, kind: LedgerKind, qty: int) -> StockMovement:
        batch = Batch(uuid4(), item_id, "LOT-1", None)
        return StockMovement(uuid4(), store_id, 7, item_id, batch, None, kind, qty, NOW, NOW, "a")

    def _take(self, cmd: object) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.commands.append(cmd)

    async def receive(self, cmd: ReceiveStock) -> StockMovement:
        self._take(cmd)
        return self._movement(cmd.store_id, cmd.item_id, LedgerKind.RECEIPT, cmd.quantity)

    async def record(self, cmd: RecordMovements) -> list[StockMovement]:
        self._take(cmd)
        sign = -1 if cmd.kind in (LedgerKind.ISSUE, LedgerKind.ADJUSTMENT_NEGATIVE) else 1
        return [
            self._movement(cmd.store_id, ln.item_id, cmd.kind, sign * ln.quantity)
            for ln in cmd.lines
        ]

    async def move(self, cmd: MoveStock) -> list[StockMovement]:
        self._take(cmd)
        return []

    async def create_stocktake(self, cmd: CreateStocktake) -> UUID:
        self._take(cmd)
        head = _head(cmd.store_id, uuid4(), cmd.actor)
        self.heads[head.stocktake_id] = head
        return head.stocktake_id

    async def enter_counts(self, cmd: EnterCounts) -> None:
        self._take(cmd)

    async def finalise_stocktake(self, cmd: FinaliseStocktake) -> None:
        self._take(cmd)

    async def stocktake(self, store_id: UUID, stocktake_id: UUID) -> StocktakeResponse | None:
        head = self.heads.get(stocktake_id)
        return head if head is not None and head.store_id == store_id else None

    async def stocktakes(
        self, store_id: UUID, status: str | None, page: int, size: int
    ) -> tuple[list[StocktakeResponse], int]:
        found = [h for h in self.heads.values() if h.store_id == store_id]
        return found[page * size : (page + 1) * size], len(found)

    async def stocktake_lines(self, head: StocktakeResponse, page: int, size: int) -> Rows:
        return [], 0


def _head(store_id: UUID, stocktake_id: UUID, actor: str) -> StocktakeResponse:
    return StocktakeResponse(
        stocktake_id=stocktake_id, store_id=store_id, status="draft", snapshot_sequence=7,
        item_ids=[], location_ids=[], program_id=None, reference=None, created_by=actor,
        created_at=NOW, updated_at=None, finalised_by=None, finalised_at=None, adjustments=None,
        lines=0, counted=0,
    )  # fmt: skip


class Api:
    """The routes over one desk, and users holding rights at the store."""

    def __init__(self, client: httpx.AsyncClient, desk: RememberingDesk, issuer: TestIssuer):
        self.client, self.desk, self.issuer = client, desk, issuer

    def user(self, *permissions: str) -> dict[str, str]:
        _, token = self.issuer.user(*permissions)
        return {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, body: dict[str, Any], who: dict[str, str]) -> httpx.Response:
        return await self.client.post(f"/stores/{STORE}{path}", json=body, headers=who)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    desk = RememberingDesk()

    async def provide() -> RememberingDesk:
        return desk

    app = create_app(
        title="stock", routers=[movement_routes(provide), stocktake_routes(provide)], errors=ERRORS
    )
    issuer = TestIssuer()
    app.state.authorizer = issuer.authorizer
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://stock") as client:
        yield Api(client, desk, issuer)


def _line(qty: int = 5) -> dict[str, Any]:
    return {"item_id": str(uuid4()), "batch_id": str(uuid4()), "quantity": qty, "reason_id": None}


async def test_a_receipt_reaches_the_desk_as_the_command_with_the_writer_and_their_program_scope(
    api: Api,
) -> None:
    who = api.user(f"STOCK_ADJUST|{STORE}|{PROGRAM}")
    item = uuid4()
    r = await api.post("/receipts", {"item_id": str(item), "lot_code": "L1", "quantity": 12}, who)
    assert r.status_code == 201, r.text
    (cmd,) = api.desk.commands
    assert isinstance(cmd, ReceiveStock)
    assert (cmd.store_id, cmd.item_id, cmd.quantity, cmd.programs) == (
        STORE, item, 12, frozenset({PROGRAM}),
    )  # fmt: skip
    assert r.json()["movement_type"] == "receipt" and r.json()["quantity"] == 12


async def test_an_issue_names_its_destination_as_the_counterparty(api: Api) -> None:
    who = api.user(f"STOCK_ADJUST|{STORE}")
    r = await api.post("/issues", {"lines": [_line()], "destination": "Ward 3"}, who)
    assert r.status_code == 201, r.text
    (cmd,) = api.desk.commands
    assert isinstance(cmd, RecordMovements)
    assert (cmd.kind, cmd.counterparty, cmd.programs) == (LedgerKind.ISSUE, "Ward 3", None)
    assert [m["quantity"] for m in r.json()] == [-5]


async def test_an_adjustment_direction_picks_the_ledger_kind(api: Api) -> None:
    who = api.user(f"STOCK_ADJUST|{STORE}")
    for direction in ("negative", "positive"):
        r = await api.post("/adjustments", {"lines": [_line()], "direction": direction}, who)
        assert r.status_code == 201, r.text
    kinds = [c.kind for c in api.desk.commands if isinstance(c, RecordMovements)]
    assert kinds == [LedgerKind.ADJUSTMENT_NEGATIVE, LedgerKind.ADJUSTMENT_POSITIVE]


async def test_a_writer_without_the_right_at_the_store_is_refused_before_the_desk(api: Api) -> None:
    elsewhere = api.user(f"STOCK_ADJUST|{OTHER_STORE}")
    r = await api.post("/issues", {"lines": [_line()]}, elsewhere)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert api.desk.commands == []


async def test_a_domain_refusal_from_the_desk_is_the_shared_status(api: Api) -> None:
    api.desk.refuse = InsufficientStock(StockLine(STORE, uuid4(), uuid4(), None), 2, 5)
    r = await api.post("/issues", {"lines": [_line()]}, api.user(f"STOCK_ADJUST|{STORE}"))
    assert r.status_code == 409
    assert "available 2, requested 5" in r.json()["detail"]


async def test_a_stocktake_is_created_counted_and_finalised_through_the_desk(api: Api) -> None:
    who = api.user(f"STOCK_INVENTORIES_EDIT|{STORE}")
    created = await api.post("/stocktakes", {"reference": "Q4"}, who)
    assert created.status_code == 201, created.text
    sid = created.json()["stocktake_id"]
    count = {"lines": [{"item_id": str(uuid4()), "batch_id": str(uuid4()), "counted": 3}]}
    assert (await api.post(f"/stocktakes/{sid}/counts", count, who)).status_code == 200
    assert (await api.post(f"/stocktakes/{sid}/finalise", {}, who)).status_code == 200
    kinds = [type(c) for c in api.desk.commands]
    assert kinds == [CreateStocktake, EnterCounts, FinaliseStocktake]
    listed = await api.client.get(f"/stores/{STORE}/stocktakes", headers=who)
    assert [s["stocktake_id"] for s in listed.json()["items"]] == [sid]


async def test_a_stocktake_the_store_does_not_hold_is_not_found(api: Api) -> None:
    who = api.user(f"STOCK_INVENTORIES_EDIT|{STORE}")
    r = await api.client.get(f"/stores/{STORE}/stocktakes/{uuid4()}", headers=who)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
