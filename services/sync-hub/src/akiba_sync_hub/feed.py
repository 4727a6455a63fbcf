"""The feed role's batch handler: topic records become the sites' current feed rows."""

from __future__ import annotations

from collections.abc import Sequence

from akiba_platform import Connection, Delivery, Rejected
from akiba_sync_hub.adapters.feed import AsyncpgFeedRepository
from akiba_sync_hub.consumers import UnreadableEvent, change_of, site_of
from akiba_sync_hub.domain.model import FeedChange, latest, store_scope

NAME = "sync-hub.feed"


class FeedBuilder:
    """Applies a batch in one transaction; unreadable records are refused (dead letters)."""

    async def __call__(self, conn: Connection, deliveries: Sequence[Delivery]) -> list[Rejected]:
        """Upsert every change; renumber stores a site gained so it receives them."""
        repo = AsyncpgFeedRepository(conn)
        await repo.lock()
        changes: list[FeedChange] = []
        refused: list[Rejected] = []
        for d in deliveries:
            try:
                change = change_of(d.event)
                site = site_of(d.event)
            except UnreadableEvent as exc:
                refused.append(Rejected(d, str(exc)))
                continue
            if site is not None:
                before = await repo.site(site.site_id)
                await repo.save_site(site)
                await repo.renumber([store_scope(s) for s in sorted(site.gained(before))])
            if change is not None:
                changes.append(change)
        await repo.upsert(latest(changes))
        return refused
