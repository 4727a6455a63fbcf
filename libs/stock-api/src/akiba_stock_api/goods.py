"""Goods-received documents: one delivery of many lines, served alike centrally and at sites.

No `from __future__ import annotations` here: the routes are made inside the factory, and
FastAPI must see the desk dependency it is given when it reads their signatures.
"""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Response

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.stock_http.goods import (
    GoodsReceivedPage,
    GoodsReceivedRequest,
    GoodsReceivedResponse,
    ReferenceNumber,
)
from akiba_platform.auth import CurrentPrincipal, ProgramScope
from akiba_platform.http import Problem
from akiba_stock.commands import GoodsLine, ReceiveGoods
from akiba_stock.errors import GoodsReceivedNotFound, InvalidLines
from akiba_stock_api.desk import GoodsDesk
from akiba_stock_api.routes import ADJUST, STORE

GOODS = STORE + "/goods-received"
Programs = frozenset[UUID] | None


def command(
    store_id: UUID, body: GoodsReceivedRequest, actor: str, programs: Programs
) -> ReceiveGoods:
    """A goods-received request as the command to post it, under a new document id."""
    return ReceiveGoods(
        store_id=store_id, document_id=uuid4(), supplier=body.supplier,
        reference_kind=body.reference_kind, reference_number=body.reference_number,
        received_at=body.received_at, actor=actor, note=body.note, programs=programs,
        lines=tuple(GoodsLine(**ln.model_dump()) for ln in body.lines),
    )  # fmt: skip


def refused(exc: InvalidLines) -> Problem:
    """Every bad line in one problem, each as a request validation error names a field."""
    errors = [
        {"loc": ["body", "lines", p.index, p.field], "msg": p.reason, "type": p.kind}
        for p in exc.problems
    ]
    detail = f"{len(errors)} line(s) cannot be received; nothing was posted"
    return Problem(422, "Invalid lines", detail, errors=errors)


def goods_routes(provide: Callable[..., Any]) -> APIRouter:
    """Goods-received documents: post one (all lines or none), read one, list a store's."""
    router = APIRouter(tags=["stock"])
    given = Depends(provide)

    @router.post(GOODS, status_code=201, response_model=GoodsReceivedResponse, **ADJUST)
    async def receive_goods(
        store_id: UUID,
        body: GoodsReceivedRequest,
        response: Response,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: GoodsDesk = given,
    ) -> GoodsReceivedResponse:
        """Receive a supplier's delivery: every line a receipt, posted in one transaction; a
        document with bad lines is refused whole (422 naming each line), 403 for an item of
        programs the right at the store is not held for."""
        cmd = command(store_id, body, who.actor, programs)
        try:
            await desk.receive_goods(cmd)
        except InvalidLines as exc:
            raise refused(exc) from None
        response.headers["Location"] = f"/stores/{store_id}/goods-received/{cmd.document_id}"
        return await _found(desk, store_id, cmd.document_id)

    @router.get(GOODS, response_model=GoodsReceivedPage, **ADJUST)
    async def list_goods_received(
        store_id: UUID,
        desk: GoodsDesk = given,
        reference: Annotated[
            ReferenceNumber | None, Query(description="Only documents of this reference number")
        ] = None,
        page: Annotated[PageNumber, Query()] = 0,
        size: Annotated[PageSize, Query()] = 50,
    ) -> GoodsReceivedPage:
        """The store's goods-received documents, newest first."""
        items, total = await desk.goods_received_page(store_id, reference, page, size)
        return GoodsReceivedPage(items=items, page=page, size=size, total=total)

    @router.get(GOODS + "/{document_id}", response_model=GoodsReceivedResponse, **ADJUST)
    async def get_goods_received(
        store_id: UUID, document_id: UUID, desk: GoodsDesk = given
    ) -> GoodsReceivedResponse:
        """A goods-received document with every line, its batch and its receipt movement."""
        return await _found(desk, store_id, document_id)

    return router


async def _found(desk: GoodsDesk, store_id: UUID, document_id: UUID) -> GoodsReceivedResponse:
    found = await desk.goods_received(store_id, document_id)
    if found is None:
        raise GoodsReceivedNotFound(f"no goods-received document {document_id} in store {store_id}")
    return found
