"""The gateway's settings, from AKIBA_GATEWAY_* variables, read once at start-up."""

from __future__ import annotations

from uuid import UUID

import httpx
from pydantic import AliasChoices, Field, SecretStr
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
    push_max_bytes: int = Field(
        1_000_000,
        ge=1024,
        description="Largest push body (the hub's default limit is 64 MiB); an event larger"
        " than this goes alone",
    )
    push_lanes: int = Field(4, ge=1, le=16, description="Stores pushing at the same time")
    pull_interval_seconds: float = Field(5.0, gt=0, description="Feed poll period while idle")
    credentials_interval_seconds: float = Field(300.0, gt=0, description="Users refresh period")
    forward_idle_seconds: float = Field(0.5, gt=0, description="Outbox poll period while idle")
    backoff_base_seconds: float = Field(0.5, gt=0, description="First retry's ceiling")
    backoff_max_seconds: float = Field(60.0, gt=0, description="Ceiling of any retry delay")
    blocked_retry_seconds: float = Field(
        600.0, gt=0, description="How often an event central took as too large is tried again"
    )
    http_timeout_seconds: float = Field(30.0, gt=0)
    synced_body_days: float = Field(
        7.0,
        gt=0,
        description="How long a synced event's encoded body is kept; its outbox row (state,"
        " sequences, times) is kept for good",
    )
    synced_body_purge_every_seconds: float = Field(
        3600.0, gt=0, description="How often the pull loop forgets bodies past that"
    )
    demo: bool = Field(
        False,
        validation_alias=AliasChoices("AKIBA_DEMO", "AKIBA_GATEWAY_DEMO"),
        description="AKIBA_DEMO=1: a throw-away demo site; once its stores are handed over it"
        " records four months of demo history at them (demo_history.py)",
    )
    amc_months: int = Field(
        3, ge=1, le=24, description="Months an internal order's average consumption spans"
    )
    insecure_link: bool = Field(
        False,
        description="Allow http:// hub and auth URLs: a lab or a test on one machine, never a"
        " real site (the site's secret and token would cross the network in clear)",
    )
    token_issuer: str = Field("akiba-sync-gateway", description="`iss` of local tokens")
    token_audience: str = Field("akiba", description="`aud` of local tokens")
    token_lifetime_seconds: int = Field(8 * 3600, ge=60, description="Local access token lifetime")
    refresh_token_days: int = Field(
        30, ge=1, le=365, description="Lifetime of a local refresh token family (as auth's)"
    )
    clock_offset_seconds: float = Field(
        0.0,
        description="Shifts the wall clock the gateway records and reports with; 0 in production"
        " (tests simulate days offline with it). Access tokens' lifetimes are not shifted;"
        " refresh tokens' expiry, a time the gateway stores, is.",
    )
    login_failures_per_user: int = Field(5, ge=1, description="Failures per user per window")
    login_failures_per_address: int = Field(20, ge=1, description="Failures per address per window")
    login_window_seconds: int = Field(900, ge=1, description="Window failures are counted over")
    idempotency_retention_hours: float = Field(
        24, ge=24, description="How long an Idempotency-Key and its answer are kept (at least)"
    )
    idempotency_purge_every_seconds: float = Field(3600, gt=0, description="Expired keys' purge")
    idempotency_wait_seconds: float = Field(
        5, ge=0, description="How long a retry waits for its first request's answer, then 409"
    )

    def link_problem(self) -> str | None:
        """Why the link to central may not be used as configured (None: it may)."""
        for name in ("hub_url", "auth_url"):
            value = getattr(self, name)
            try:
                url = httpx.URL(value)
            except httpx.InvalidURL:
                url = httpx.URL()
            if url.scheme not in ("http", "https") or not url.host:
                return f"AKIBA_GATEWAY_{name.upper()}={value!r} is not an http(s) URL"
            if url.scheme == "http" and not self.insecure_link:
                return (
                    f"AKIBA_GATEWAY_{name.upper()}={value} is not https; set an https URL"
                    " (or AKIBA_GATEWAY_INSECURE_LINK=1 for a lab or test, never a real site)"
                )
        return None
