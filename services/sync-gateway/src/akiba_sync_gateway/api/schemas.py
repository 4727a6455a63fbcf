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
    refused: int = Field(description="Events refused (at the hub or centrally): never resent")
    refused_by_kind: dict[str, int] = Field(
        description="Refused events by why: door (the hub), content (voided here too), conflict"
        " (another document holds their store sequence: this site's ledger and central's differ"
        " there; see last_errors), authorization, out_of_window, malformed"
    )
    conflicts: int = Field(
        description="Events central refused because another document holds their sequence: a"
        " second gateway writing the same store, or this one restored from an old backup"
    )
    stores_awaiting_handover: list[str] = Field(
        description="Stores given to this site that central has not yet handed over (not"
        " writable here until it has said where their ledgers stand)"
    )
    oldest_unsynced_at: datetime | None
    oldest_unsynced_age_seconds: float | None
    last_errors: list[SyncError]
