"""The feed role's batch handler: topic records become the sites' current feed rows."""

from __future__ import annotations

from collections.abc import Sequence

from akiba_platform import Connection, Delivery, Rejected
from akiba_sync_hub.adapters.feed import AsyncpgFeedRepository
from akiba_sync_hub.adapters.status import AsyncpgSyncStatusRepository
from akiba_sync_hub.consumers import REFUSALS, UnreadableEvent, change_of, site_of
from akiba_sync_hub.domain.model import FeedChange, latest, store_scope
from akiba_sync_hub.domain.status import refused_in

NAME = "sync-hub.feed"


class FeedBuilder:
    """Applies a batch in one transaction; unreadable records are refused (dead letters)."""

    async def __call__(self, conn: Connection, deliveries: Sequence[Delivery]) -> list[Rejected]:
        """Upsert every change; renumber stores a site gained so it receives them; count each
        refusal of a site's document the first time it reaches the feed."""
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
        kept = latest(changes)
        # Before the upsert, while a redelivered refusal's row still tells it apart from a new one.
        fresh = await repo.absent([c for c in kept if c.kind in REFUSALS])
        await AsyncpgSyncStatusRepository(conn).refused([refused_in(c.scope) for c in fresh])
        await repo.upsert(kept)
        return refused
