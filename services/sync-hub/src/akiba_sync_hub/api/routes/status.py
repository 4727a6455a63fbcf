"""Each site's sync status, for the people who watch the sites."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_platform.auth import Caller, CallerRights, requires_any
from akiba_sync_hub import views
from akiba_sync_hub.api.contact import ContactsDep
from akiba_sync_hub.api.deps import Pool, SettingsDep
from akiba_sync_hub.api.schemas import SiteSyncStatusResponse
from akiba_sync_hub.domain.status import sync_state

router = APIRouter(tags=["sites"])


@router.get(
    "/sites/sync-status",
    response_model=list[SiteSyncStatusResponse],
    **requires_any(Right.SITES_MANAGE, Right.STOCK_CARDS_VIEW),
)
async def sync_status(
    pool: Pool, settings: SettingsDep, caller: Caller, contacts: ContactsDep
) -> list[SiteSyncStatusResponse]:
    """Every site the caller may watch, seen or never, with its sync state."""
    await contacts.flush()  # this process's latest contacts too, not a second old
    rows = await views.sync_statuses(pool, _watched_stores(caller))
    now, limits = datetime.now(UTC), settings.sync_thresholds()
    return [
        SiteSyncStatusResponse(
            **r,
            state=sync_state(
                r["last_contact_at"], r["backlog"], r["oldest_unsynced_at"], now, limits
            ),
        )
        for r in rows
    ]


def _watched_stores(caller: CallerRights) -> list[UUID] | None:
    """SITES_MANAGE watches every site (None); STOCK_CARDS_VIEW the sites managing a store
    where it is held."""
    if caller.allows(Right.SITES_MANAGE, None, None):
        return None
    stores = caller.facilities(Right.STOCK_CARDS_VIEW)
    return None if stores is None else sorted(stores)
