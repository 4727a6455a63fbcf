"""HTTP models of the gateway's own routes; the stock routes use akiba_contracts.stock_http."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SyncError(BaseModel):
    """A recent sync error."""

    at: datetime
    kind: str = Field(description="push, refused, pull, rejection or credentials")
    event_id: str | None
    message: str


class SyncStatus(BaseModel):
    """Where the site's sync stands (gateway only: central has no twin)."""

    last_push_at: datetime | None
    last_pull_at: datetime | None
    last_credentials_at: datetime | None
    feed_cursor: int
    not_forwarded: int = Field(description="Events not yet accepted by the hub")
    not_synced: int = Field(description="Events not yet applied centrally (includes the above)")
    refused: int = Field(description="Events the hub refused: never resent, see last_errors")
    oldest_unsynced_at: datetime | None
    oldest_unsynced_age_seconds: float | None
    last_errors: list[SyncError]
