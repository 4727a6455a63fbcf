"""Who writes each store: auth's word (auth.sites) applied to inventory's stores.

A site's record claims the stores it lists and gives up those it no longer lists; versions
decide between records of different sites read in any order (a hand-over rewrites both at one
version, and the new site's claim wins the tie). A store whose writer changed takes
`managed_by` and `site_id` from it (FacilityChanged), and when a site takes it, an
acknowledgement of where central's ledger of it stands: the site numbers its documents from
there, so central's earlier entries and the site's never share a sequence.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from uuid import UUID

from akiba_contracts.payloads.auth import SiteChanged
from akiba_inventory.adapters.writers import Reassigned, SiteState
from akiba_inventory.consumers.edge.events import acknowledgement
from akiba_inventory.reference_events import changed
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_stock import reference as ref


async def apply_sites(uow: InventoryUnitOfWork, records: Sequence[SiteChanged]) -> list[Reassigned]:
    """Take each site's latest record; return the stores whose writer changed."""
    for r in records:
        version = r.version or 0
        if await uow.writers.save_site(SiteState(r.site_id, r.active, version)):
            await uow.writers.assign(r.site_id, r.store_ids, version)
    return await sync_stores(uow)


async def sync_stores(
    uow: InventoryUnitOfWork, store_ids: Collection[UUID] | None = None
) -> list[Reassigned]:
    """Bring stores' managed_by and site_id to auth's word, announcing each change."""
    moved = await uow.writers.reassigned(store_ids)
    now = datetime.now(UTC)
    for m in moved:
        current = await uow.reference.get(ref.Store, m.store_id, lock=True)
        assert current is not None  # reassigned() joins the store row it locked
        managed = ref.ManagedBy.CENTRAL if m.site_id is None else ref.ManagedBy.SITE
        record = ref.revised(current, site_id=m.site_id, managed_by=managed)
        await uow.reference.update(record)
        uow.publish(changed(record, now))
        if m.site_id is not None:
            uow.publish(acknowledgement(m.store_id, m.site_id, m.next_sequence, now))
    return moved
