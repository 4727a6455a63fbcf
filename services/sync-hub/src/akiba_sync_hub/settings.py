"""The sync hub's settings."""

from __future__ import annotations

from pydantic import Field

from akiba_contracts.sync import FEED_PAGE_LIMIT, PUSH_BATCH_LIMIT
from akiba_platform import ServiceSettings


class Settings(ServiceSettings):
    """The hub's defaults on top of the platform's."""

    service_name: str = "sync-hub"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_sync_hub"
    http_port: int = 8105
    push_batch_limit: int = Field(PUSH_BATCH_LIMIT, ge=1, description="Most events per push")
    push_max_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Largest push body accepted (413 beyond)"
    )
    feed_page_limit: int = Field(FEED_PAGE_LIMIT, ge=1, description="Most entries per feed page")
