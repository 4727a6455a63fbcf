"""Inventory's settings."""

from __future__ import annotations

from pydantic import Field

from akiba_platform import ServiceSettings


class Settings(ServiceSettings):
    """Inventory's defaults on top of the platform's."""

    service_name: str = "inventory"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_inventory"
    http_port: int = 8101
    # Alert thresholds and the AMC look-back live in the stock_settings table (per store/program).
    alert_sweep_every_seconds: float = Field(
        86_400, gt=0, description="How often alerts are re-evaluated for the passing of time"
    )
    alert_sweep_poll_seconds: float = Field(
        60, gt=0, description="How often an alert role checks whether a sweep is due"
    )
    alert_sweep_chunk: int = Field(500, ge=1, description="(store, item) pairs per transaction")
    # Site documents are small and come in bursts (a site catching up): bigger transactions
    # spread each batch's round trips over more of them.
    ingest_batch_size: int = Field(2_000, ge=1, description="Site events per ingest transaction")
    edge_max_ahead: int = Field(
        1_000_000, ge=1, description="How far past a store's next sequence a site document is held"
    )
    edge_drain_per_store: int = Field(
        2_000, ge=1, description="Held documents of one store planned per transaction"
    )
    edge_keeper_seconds: float = Field(
        5, gt=0, description="How often held site documents are drained and stalls announced"
    )
    edge_stall_seconds: float = Field(
        600, gt=0, description="How long a held document waits before its store is stalled"
    )
