"""Downstream: a site pulls what changed in its scope since its cursor."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.fields import Sequence
from akiba_contracts.sync import FEED_PAGE_LIMIT, FeedEntry, FeedPage
from akiba_platform.auth import requires_site
from akiba_sync_hub import views
from akiba_sync_hub.api import contact
from akiba_sync_hub.api.deps import Pool
from akiba_sync_hub.domain.status import Contact

router = APIRouter(tags=["sync"])


@router.get("/sites/{site_id}/feed", response_model=FeedPage, **requires_site("site_id"))
async def feed(
    site_id: UUID,
    pool: Pool,
    contacts: contact.ContactsDep,
    report: contact.Report,
    after: Annotated[Sequence, Query(description="The cursor: the last seq applied")] = 0,
    limit: Annotated[int, Query(ge=1, le=FEED_PAGE_LIMIT)] = FEED_PAGE_LIMIT,
) -> FeedPage:
    """The site's entries after the cursor, oldest first; from 0 it is a snapshot of its scope."""
    # Every pull is the site's last contact, with the backlog it reported.
    contacts.note(Contact(site_id, push=False, reported=report))
    rows, more = await views.feed_page(pool, site_id, after, limit)
    entries = [FeedEntry.model_validate(r) for r in rows]
    return FeedPage(entries=entries, cursor=entries[-1].seq if entries else after, more=more)
