"""Create, change and read reference records; every change publishes its full state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from akiba_inventory.adapters.reference import ReferenceRepository, Where, label, where
from akiba_inventory.consumers.edge.writers import sync_stores
from akiba_inventory.reference_events import changed
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_stock import reference as ref

Check = Callable[[ReferenceRepository, Any, bool], Awaitable[None]]


async def create(uow: InventoryUnitOfWork, record: ref.R) -> ref.R:
    """Store a new record and its event in one transaction."""
    async with uow:
        await _check(uow.reference, record, new=True)
        await uow.reference.add(record)
        uow.publish(changed(record))
        if isinstance(record, ref.Store):
            # Auth may have given the store to a site before it existed here.
            await sync_stores(uow, [record.store_id])
        await uow.commit()
    return record


async def update(
    uow: InventoryUnitOfWork,
    kind: type[ref.R],
    record_id: UUID,
    within: Mapping[str, UUID] | None = None,
    **changes: Any,
) -> ref.R:
    """Apply changes to a record; nothing is written or published when nothing changes."""
    async with uow:
        current = await get(uow.reference, kind, record_id, lock=True, within=within)
        if replace(current, **changes) == current:
            return current
        record = ref.revised(current, **changes)
        await _check(uow.reference, record, new=False)
        await uow.reference.update(record)
        uow.publish(changed(record))
        await uow.commit()
    return record


async def deactivate(
    uow: InventoryUnitOfWork,
    kind: type[ref.R],
    record_id: UUID,
    within: Mapping[str, UUID] | None = None,
) -> ref.R:
    """Mark a record inactive (records are never deleted: the ledger refers to them)."""
    return await update(uow, kind, record_id, within, active=False)


async def get(
    repo: ReferenceRepository,
    kind: type[ref.R],
    record_id: UUID,
    *,
    lock: bool = False,
    within: Mapping[str, UUID] | None = None,
) -> ref.R:
    """One record (belonging to `within`, e.g. a store, when given), or ReferenceNotFound."""
    record = await repo.get(kind, record_id, lock=lock)
    if record is None or any(getattr(record, k) != v for k, v in (within or {}).items()):
        raise ref.ReferenceNotFound(f"{label(kind)} {record_id} does not exist")
    return record


async def page(
    repo: ReferenceRepository, kind: type[ref.R], where: Where, page: int, size: int
) -> tuple[list[ref.R], int]:
    """One page of records and the total."""
    return await repo.page(kind, where, page, size)


async def reasons_at_store(
    repo: ReferenceRepository, store_id: UUID, program_id: UUID
) -> list[ref.AdjustmentReason]:
    """Active reasons valid for a program at the store's facility type."""
    store = await get(repo, ref.Store, store_id)
    criteria = where(ref.AdjustmentReason, active=True, program_id=program_id)
    reasons, _ = await repo.page(ref.AdjustmentReason, criteria, 0, 10_000)
    return [r for r in reasons if r.valid_for(program_id, store.facility_type_id)]


async def _known(
    repo: ReferenceRepository, kind: type[ref.Reference], ids: list[UUID], what: str
) -> None:
    missing = await repo.missing(kind, ids)
    if missing:
        raise ref.InvalidReferenceData(f"{what} {', '.join(map(str, missing))} does not exist")


async def _check_zone(repo: ReferenceRepository, zone: ref.GeographicZone, new: bool) -> None:
    if zone.parent_id is not None:
        parent = await repo.get(ref.GeographicZone, zone.parent_id)
        if parent is None:
            raise ref.InvalidReferenceData(f"parent zone {zone.parent_id} does not exist")
        zone.check_parent(parent)
    if not new:
        zone.check_children(await repo.lowest_child_level(zone.zone_id))


async def _check_store(repo: ReferenceRepository, store: ref.Store, new: bool) -> None:
    if store.facility_type_id is not None:
        await _known(repo, ref.FacilityType, [store.facility_type_id], "facility type")
    if store.zone_id is not None:
        await _known(repo, ref.GeographicZone, [store.zone_id], "zone")


async def _check_batch(repo: ReferenceRepository, batch: ref.BatchRecord, new: bool) -> None:
    await _known(repo, ref.Item, [batch.item_id], "item")


async def _check_location(repo: ReferenceRepository, location: ref.Location, new: bool) -> None:
    await get(repo, ref.Store, location.store_id)  # the store is in the path: 404


async def _check_reason(repo: ReferenceRepository, r: ref.AdjustmentReason, new: bool) -> None:
    await _known(repo, ref.FacilityType, list(r.facility_type_ids), "facility type")


async def _nothing(repo: ReferenceRepository, record: ref.Reference, new: bool) -> None:
    """Records that need no lookups."""


_CHECKS: dict[type[ref.Reference], Check] = {
    ref.GeographicZone: _check_zone,
    ref.Store: _check_store,
    ref.BatchRecord: _check_batch,
    ref.Location: _check_location,
    ref.AdjustmentReason: _check_reason,
}


async def _check(repo: ReferenceRepository, record: ref.Reference, *, new: bool) -> None:
    """Rules that need other records: parents, types and zones that must exist."""
    await _CHECKS.get(type(record), _nothing)(repo, record, new)
