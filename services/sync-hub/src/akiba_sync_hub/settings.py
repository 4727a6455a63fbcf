"""The sync hub's settings."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from akiba_contracts.sync import FEED_PAGE_LIMIT, PUSH_BATCH_LIMIT
from akiba_platform import ServiceSettings
from akiba_sync_hub.domain.status import Thresholds


class Settings(ServiceSettings):
    """The hub's defaults on top of the platform's."""

    service_name: str = "sync-hub"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_sync_hub"
    http_port: int = 8105
    push_batch_limit: int = Field(PUSH_BATCH_LIMIT, ge=1, description="Most events per push")
    push_max_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Largest push body accepted (413 beyond)"
    )
    # Sized on the soak (bench/README.md): ~600 single-document pushes/s a process, answered
    # within about half a second, keep ~300 in flight; ~1,000 timed the Kafka producer out.
    sync_max_pushes_in_flight: int = Field(
        256, ge=1, description="Pushes one process handles at once (503 + Retry-After beyond)"
    )
    sync_max_push_bytes_in_flight: int = Field(
        64 * 1024 * 1024,
        ge=1024,
        description="Body bytes the pushes under way in one process may hold (503 beyond)",
    )
    feed_page_limit: int = Field(FEED_PAGE_LIMIT, ge=1, description="Most entries per feed page")
    # A gateway pulls every few seconds while it can reach the hub, and pushes as it records.
    sync_silent_after_seconds: float = Field(
        3600.0, gt=0, description="A site not heard from for longer is `silent`"
    )
    sync_behind_after_seconds: float = Field(
        3600.0, gt=0, description="A site whose oldest unforwarded record is older is `behind`"
    )
    sync_behind_backlog: int = Field(
        10_000, ge=0, description="A site reporting more unforwarded records is `behind`"
    )
    sync_status_flush_seconds: float = Field(
        1.0, gt=0, description="How often the sites' contacts are written (lost on a crash)"
    )
    sync_count_every_seconds: float = Field(
        60.0, gt=0, description="How often the sites are counted by state for the metrics"
    )

    def sync_thresholds(self) -> Thresholds:
        """Where a site's sync state stops being ok."""
        return Thresholds(
            silent_after=timedelta(seconds=self.sync_silent_after_seconds),
            behind_after=timedelta(seconds=self.sync_behind_after_seconds),
            behind_backlog=self.sync_behind_backlog,
        )
