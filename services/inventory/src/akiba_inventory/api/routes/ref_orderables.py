"""Items (orderables) and batches (ORDERABLES_MANAGE)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_inventory.api.deps import Uow
from akiba_inventory.api.reference_schemas import (
    BatchRequest,
    BatchResponse,
    BatchUpdateRequest,
    ItemRequest,
    ItemResponse,
    Page,
)
from akiba_inventory.api.routes.ref_common import Reader, paged
from akiba_inventory.handlers import reference as rh
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_stock import reference as ref

router = APIRouter(tags=["reference data"])
MANAGE = Right.ORDERABLES_MANAGE
ITEMS, ITEM = "/items", "/items/{item_id}"
BATCHES, BATCH = "/batches", "/batches/{batch_id}"


@router.post(ITEMS, status_code=201, response_model=ItemResponse, **requires(MANAGE))
async def create_item(body: ItemRequest, uow: Uow) -> ref.Item:
    """Add an item (409 if the product code is taken)."""
    return await rh.create(uow, ref.Item(uuid4(), **body.model_dump()))


@router.get(ITEMS, response_model=Page[ItemResponse], **requires(MANAGE))
async def list_items(
    repo: Reader,
    paging: PageQuery,
    gtin: SearchText | None = None,
    commodity_type: SearchText | None = None,
    program_id: UUID | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Items by product code, a page at a time (`q` searches code and name)."""
    criteria = {
        "gtin": gtin, "commodity_type": commodity_type, "program_id": program_id,
        "active": active, "q": q,
    }  # fmt: skip
    return await paged(repo, ref.Item, paging, **criteria)


@router.get(ITEM, response_model=ItemResponse, **requires(MANAGE))
async def get_item(item_id: UUID, repo: Reader) -> ref.Item:
    """One item."""
    return await rh.get(repo, ref.Item, item_id)


@router.put(ITEM, response_model=ItemResponse, **requires(MANAGE))
async def update_item(item_id: UUID, body: ItemRequest, uow: Uow) -> ref.Item:
    """Replace an item's fields."""
    return await rh.update(uow, ref.Item, item_id, **body.model_dump())


@router.post(f"{ITEM}/deactivate", response_model=ItemResponse, **requires(MANAGE))
async def deactivate_item(item_id: UUID, uow: Uow) -> ref.Item:
    """Mark an item inactive: it can no longer move."""
    return await rh.deactivate(uow, ref.Item, item_id)


@router.post(BATCHES, status_code=201, response_model=BatchResponse, **requires(MANAGE))
async def create_batch(body: BatchRequest, uow: Uow) -> ref.BatchRecord:
    """Add a batch of an item (409 if the item has a lot with that code)."""
    return await rh.create(uow, ref.BatchRecord(uuid4(), **body.model_dump()))


@router.get(BATCHES, response_model=Page[BatchResponse], **requires(MANAGE))
async def list_batches(
    repo: Reader,
    paging: PageQuery,
    item_id: UUID | None = None,
    expiring_before: date | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Batches by item and expiry, first to expire first, a page at a time."""
    criteria = {"item_id": item_id, "expiring_before": expiring_before, "active": active}
    return await paged(repo, ref.BatchRecord, paging, q=q, **criteria)


@router.get(BATCH, response_model=BatchResponse, **requires(MANAGE))
async def get_batch(batch_id: UUID, repo: Reader) -> ref.BatchRecord:
    """One batch."""
    return await rh.get(repo, ref.BatchRecord, batch_id)


@router.put(BATCH, response_model=BatchResponse, **requires(MANAGE))
async def update_batch(batch_id: UUID, body: BatchUpdateRequest, uow: Uow) -> ref.BatchRecord:
    """Change a batch's expiry, manufacturer or active flag."""
    return await rh.update(uow, ref.BatchRecord, batch_id, **body.model_dump())


@router.post(f"{BATCH}/deactivate", response_model=BatchResponse, **requires(MANAGE))
async def deactivate_batch(batch_id: UUID, uow: Uow) -> ref.BatchRecord:
    """Mark a batch inactive."""
    return await rh.deactivate(uow, ref.BatchRecord, batch_id)
