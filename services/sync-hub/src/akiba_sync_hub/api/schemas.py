"""HTTP models of the hub's own routes (the sites' protocol is akiba_contracts.sync)."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from akiba_sync_hub.domain.status import SyncState


class SiteSyncStatusResponse(BaseModel):
    """One site's sync as the hub saw it, and the state that makes it in."""

    site_id: UUID
    name: str | None = Field(description="As auth names the site; None until its record is fed.")
    store_ids: list[UUID] = Field(description="The stores the site manages.")
    active: bool
    state: SyncState = Field(
        description="never: not heard from; silent: no contact for AKIBA_SYNC_SILENT_AFTER_SECONDS;"
        " behind: a backlog over AKIBA_SYNC_BEHIND_BACKLOG records or older than"
        " AKIBA_SYNC_BEHIND_AFTER_SECONDS; ok otherwise (the first that applies)."
    )
    last_contact_at: AwareDatetime | None = Field(description="Its last push or pull.")
    last_push_at: AwareDatetime | None
    last_pull_at: AwareDatetime | None
    backlog: int | None = Field(
        description="Records recorded at the site and not forwarded, as its gateway last reported"
        " (None: it never reported one)."
    )
    oldest_unsynced_at: AwareDatetime | None = Field(
        description="When the oldest of them was recorded at the site."
    )
    backlog_at: AwareDatetime | None = Field(description="When the backlog was reported.")
    refusals: int = Field(description="Documents of the site central refused, since the hub knew.")
    last_refusal_at: AwareDatetime | None = Field(description="When the hub learnt of the latest.")
