"""HTTP models of the gateway's own routes; the stock routes use akiba_contracts.stock_http."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SyncError(BaseModel):
    """A recent sync error."""

    at: datetime
    kind: str = Field(
        description="push, pull or credentials (a failed round of that loop), refused,"
        " rejection, or too_large (an event blocked: see `blocked`)"
    )
    event_id: str | None
    message: str


class LoopState(BaseModel):
    """One sync loop (push, pull, credentials): failing or not, and its last error."""

    failing_since: datetime | None = Field(
        description="First failed round of the failures in a row; None once a round succeeds"
    )
    failures: int = Field(description="Rounds failed in a row")
    kind: str | None = Field(description="link, unreadable, too_large, database or unexpected")
    last_error: str | None
    last_error_at: datetime | None


class BlockedEvent(BaseModel):
    """A pending event central cannot take as it is; its store's later events wait behind it."""

    event_id: str
    store_id: str
    store_sequence: int
    bytes: int
    reason: str


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
    loops: dict[str, LoopState] = Field(description="push, pull and credentials")
    blocked: list[BlockedEvent] = Field(description="Pending events that cannot go as they are")
    last_errors: list[SyncError]
