"""What every central command checks before it writes: the store, items, locations, reasons."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from uuid import UUID

from akiba_inventory.adapters.stores import Locked, WritableStore
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_stock import reasons
from akiba_stock.commands import RecordMovements
from akiba_stock.errors import InvalidMovement, ItemNotFound, StoreManagedBySite, StoreNotFound
from akiba_stock.goods import Lot
from akiba_stock.model import Batch
from akiba_stock.programs import ProgramScope, check_programs
from akiba_stock.reference import AdjustmentReason


async def central_store(uow: InventoryUnitOfWork, store_id: UUID) -> WritableStore:
    """Lock a store central commands may write; 404 or 409 otherwise."""
    return _writable(store_id, await uow.stores.lock_store(store_id))


async def central_write(
    uow: InventoryUnitOfWork,
    store_id: UUID,
    items: set[UUID],
    programs: ProgramScope = None,
    *,
    lots: Collection[Lot] = (),
    batches: Mapping[UUID, UUID] | None = None,
) -> Locked:
    """Lock a store central commands may write and check its items, as central_store and
    check_items do, in one read that also brings the named lots and batches."""
    locked = await uow.stores.lock_with(store_id, items, lots, batches)
    _writable(store_id, locked.store if locked else None)
    assert locked is not None  # _writable refused a store that is not there
    _active(items, locked.items, programs)
    return locked


def _writable(store_id: UUID, store: WritableStore | None) -> WritableStore:
    if store is None or not store.active:
        raise StoreNotFound(f"store {store_id} does not exist or is inactive")
    if not store.accepts_central_writes:
        raise StoreManagedBySite(
            f"store {store_id} is managed by a site: its stock is recorded at the site"
        )
    return store


async def check_items(
    uow: InventoryUnitOfWork, ids: set[UUID], programs: ProgramScope = None
) -> None:
    """Every item exists and is active, and belongs to the author's programs (403 otherwise)."""
    _active(ids, await uow.stores.active_items(ids), programs)


def _active(ids: set[UUID], found: dict[UUID, list[UUID]], programs: ProgramScope) -> None:
    missing = ids - set(found)
    if missing:
        raise ItemNotFound(f"item {sorted(missing)[0]} does not exist or is inactive")
    if programs is not None:
        check_programs(programs, found)


async def check_locations(
    uow: InventoryUnitOfWork, store: WritableStore, ids: set[UUID | None]
) -> None:
    """Every named location is an active location of the store."""
    wanted = {i for i in ids if i is not None}
    if not wanted:  # most writes name no location: no statement for them
        return
    unknown = wanted - await uow.stores.active_locations(store.store_id, wanted)
    if unknown:
        raise InvalidMovement(f"location {sorted(unknown)[0]} is not an active location here")


async def load_batches(uow: InventoryUnitOfWork, wanted: dict[UUID, UUID]) -> dict[UUID, Batch]:
    """The batches (id → item) that exist for their items; 422 otherwise."""
    return known_batches(wanted, await uow.stores.batches(wanted))


def known_batches(wanted: Mapping[UUID, UUID], found: dict[UUID, Batch]) -> dict[UUID, Batch]:
    """The batches wanted (id → item), every one of them found for its item; 422 otherwise."""
    unknown = set(wanted) - set(found)
    if unknown:
        raise InvalidMovement(f"batch {sorted(unknown)[0]} is not a batch of that item")
    return found


async def check_reasons(
    uow: InventoryUnitOfWork, cmd: RecordMovements, store: WritableStore
) -> None:
    """Each reason exists, fits the movement and is valid for the program here."""
    ids = reasons.named(ln.reason_id for ln in cmd.lines)
    found = {i: await uow.reference.get(AdjustmentReason, i) for i in ids}
    reasons.check_document(cmd, found, store.facility_type_id)
