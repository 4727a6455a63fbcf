"""The one place that names concrete classes: the database, the link to central, the roles."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from akiba_platform import Role, api_role
from akiba_sync_gateway import demo_history, metrics
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.credentials import cache_credentials, permissions
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.api.deps import utcnow
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.signin.authority import LocalAuthority, open_authority
from akiba_sync_gateway.sync import health, retention
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.feed import Puller
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.sync.link import (
    Downlink,
    HttpDownlink,
    HttpUplink,
    RecentBacklog,
    SiteTokens,
)
from akiba_sync_gateway.sync.loops import Loop

log = logging.getLogger(__name__)
ROLES = ("api", "forward", "pull")
STATUS_METRICS_SECONDS = 10.0  # how often the pull loop refreshes the sync status gauges


def clock_of(settings: Settings) -> Callable[[], datetime]:
    """The wall clock, shifted by the configured offset (a seam for simulated time)."""
    offset = timedelta(seconds=settings.clock_offset_seconds)
    if not offset:
        return utcnow
    return lambda: utcnow() + offset


def links(
    settings: Settings, client: httpx.AsyncClient, db: Database
) -> tuple[HttpUplink, HttpDownlink]:
    """The HTTP link to central, sharing one site token, reporting the site's backlog."""
    secret = settings.site_secret.get_secret_value()
    tokens = SiteTokens(client, settings.auth_url, settings.site_id, secret)

    async def read_backlog() -> outbox.Backlog:
        return await db.read(outbox.backlog)

    backlog = RecentBacklog(read_backlog)
    site, hub = settings.site_id, settings.hub_url
    up = HttpUplink(client, tokens, hub, site, backlog)
    down = HttpDownlink(client, tokens, hub, settings.auth_url, site, backlog)
    return up, down


def forward_role(settings: Settings, db: Database) -> Role:
    """Forward the outbox to the hub."""

    async def run(stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as client:
            uplink, _ = links(settings, client, db)
            forwarder = Forwarder(
                db,
                uplink,
                _backoff(settings),
                batch_size=settings.push_batch_size,
                lanes=settings.push_lanes,
                max_bytes=settings.push_max_bytes,
                blocked_retry_seconds=settings.blocked_retry_seconds,
                idle_seconds=settings.forward_idle_seconds,
                clock=clock_of(settings),
            )
            await forwarder.run(stop)

    return run


def _backoff(settings: Settings) -> Backoff:
    return Backoff(settings.backoff_base_seconds, settings.backoff_max_seconds)


async def refresh_credentials(db: Database, downlink: Downlink, authority: LocalAuthority) -> None:
    """Cache auth's latest users for the site and check rights against them from now on."""
    creds = await downlink.credentials()
    await db.write(lambda c: cache_credentials(c, creds))
    authority.use(await db.read(permissions))


def pull_role(settings: Settings, db: Database, authority: LocalAuthority) -> Role:
    """Pull the feed, and the site's credentials, each in its own loop (`sync/loops.py`)."""

    async def run(stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as client:
            _, downlink = links(settings, client, db)
            await sync_down(stop, settings, db, downlink, authority)

    return run


async def sync_down(
    stop: asyncio.Event,
    settings: Settings,
    db: Database,
    downlink: Downlink,
    authority: LocalAuthority,
) -> None:
    """The pull loop and the credentials loop, until stopped; each backs off on its own."""
    clock = clock_of(settings)
    puller = Puller(db, downlink, clock, settings.site_id)
    published = -STATUS_METRICS_SECONDS
    purged = -settings.synced_body_purge_every_seconds
    keep_bodies = timedelta(days=settings.synced_body_days)

    async def pull() -> float:
        nonlocal published, purged
        await puller.pull_once()
        if settings.demo:
            site = settings.site_id
            await db.write(lambda c: demo_history.seed(c, site, clock()))
        # The status counts the whole outbox: with a big backlog and a short pull interval
        # that was a sixth of the gateway's CPU, for gauges scraped every 15 s or so.
        if time.monotonic() - published >= STATUS_METRICS_SECONDS:
            published = time.monotonic()
            metrics.publish(await db.read(lambda c: health.status(c, clock())))
        if time.monotonic() - purged >= settings.synced_body_purge_every_seconds:
            purged = time.monotonic()
            await retention.forget_synced_bodies(db, clock() - keep_bodies)
        return settings.pull_interval_seconds

    async def credentials() -> float:
        await refresh_credentials(db, downlink, authority)
        return settings.credentials_interval_seconds

    await asyncio.gather(
        Loop("pull", db, _backoff(settings), clock).run(stop, pull),
        Loop("credentials", db, _backoff(settings), clock).run(stop, credentials),
    )


async def roles(settings: Settings, db: Database, names: list[str]) -> dict[str, Role]:
    """The roles this process runs, sharing one database and one signing authority."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise SystemExit(f"unknown roles: {', '.join(sorted(unknown))}; choose from {ROLES}")
    problem = settings.link_problem() if {"forward", "pull"} & set(names) else None
    if problem:
        raise SystemExit(f"akiba-sync-gateway: {problem}")
    clock = clock_of(settings)
    authority = await open_authority(db, settings, clock)
    build = {
        "api": lambda: api_role(
            create_app(settings, db, clock=clock, authority=authority),
            settings.http_host,
            settings.http_port,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        ),
        "forward": lambda: forward_role(settings, db),
        "pull": lambda: pull_role(settings, db, authority),
    }
    return {n: build[n]() for n in names}
