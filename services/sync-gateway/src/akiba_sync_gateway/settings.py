"""The gateway's settings, from AKIBA_GATEWAY_* variables, read once at start-up."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One site's gateway: who it is, where it keeps its data, and how it reaches central."""

    model_config = SettingsConfigDict(env_prefix="AKIBA_GATEWAY_", extra="ignore")

    service_name: str = "sync-gateway"
    site_id: UUID = Field(UUID(int=0), description="The site id auth registered")
    site_secret: SecretStr = Field(SecretStr(""), description="The site's client secret")
    database_path: str = Field("akiba-gateway.sqlite3", description="The SQLite file")
    hub_url: str = Field("http://127.0.0.1:8105", description="The central sync hub")
    auth_url: str = Field("http://127.0.0.1:8104", description="Central auth (tokens, credentials)")
    http_host: str = "127.0.0.1"
    http_port: int = 8110
    forwarded_allow_ips: str = Field(
        "",
        description="Proxies whose X-Forwarded-For is believed (comma-separated addresses or"
        " networks, `*` for any); empty = none: the client address is the TCP peer",
    )
    log_level: str = "INFO"
    push_batch_size: int = Field(500, ge=1, le=500, description="Events per push (hub max 500)")
    push_lanes: int = Field(4, ge=1, le=16, description="Stores pushing at the same time")
    pull_interval_seconds: float = Field(5.0, gt=0, description="Feed poll period while idle")
    credentials_interval_seconds: float = Field(300.0, gt=0, description="Users refresh period")
    forward_idle_seconds: float = Field(0.5, gt=0, description="Outbox poll period while idle")
    backoff_base_seconds: float = Field(0.5, gt=0, description="First retry's ceiling")
    backoff_max_seconds: float = Field(60.0, gt=0, description="Ceiling of any retry delay")
    http_timeout_seconds: float = Field(30.0, gt=0)
    token_issuer: str = Field("akiba-sync-gateway", description="`iss` of local tokens")
    token_audience: str = Field("akiba", description="`aud` of local tokens")
    token_lifetime_seconds: int = Field(8 * 3600, ge=60, description="Local sign-in lifetime")
    clock_offset_seconds: float = Field(
        0.0,
        description="Shifts the wall clock the gateway records and reports with; 0 in production"
        " (tests simulate days offline with it). Token lifetimes are not shifted.",
    )
    login_failures_per_user: int = Field(5, ge=1, description="Failures per user per window")
    login_failures_per_address: int = Field(20, ge=1, description="Failures per address per window")
    login_window_seconds: int = Field(900, ge=1, description="Window failures are counted over")
