"""The one place that names concrete classes: the database, the link to central, the roles."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from akiba_platform.runtime import Role, api_role
from akiba_sync_gateway import metrics, outbox, signin
from akiba_sync_gateway.api.app import create_app, open_authority
from akiba_sync_gateway.api.deps import utcnow
from akiba_sync_gateway.backoff import Backoff
from akiba_sync_gateway.db import Database
from akiba_sync_gateway.feed import Puller
from akiba_sync_gateway.forwarder import Forwarder, _wait
from akiba_sync_gateway.link import Downlink, HttpDownlink, HttpUplink, LinkDown, SiteTokens
from akiba_sync_gateway.settings import Settings

log = logging.getLogger(__name__)
ROLES = ("api", "forward", "pull")


def clock_of(settings: Settings) -> Callable[[], datetime]:
    """The wall clock, shifted by the configured offset (a seam for simulated time)."""
    offset = timedelta(seconds=settings.clock_offset_seconds)
    if not offset:
        return utcnow
    return lambda: utcnow() + offset


def links(settings: Settings, client: httpx.AsyncClient) -> tuple[HttpUplink, HttpDownlink]:
    """The HTTP link to central, sharing one site token."""
    secret = settings.site_secret.get_secret_value()
    tokens = SiteTokens(client, settings.auth_url, settings.site_id, secret)
    up = HttpUplink(client, tokens, settings.hub_url, settings.site_id)
    down = HttpDownlink(client, tokens, settings.hub_url, settings.auth_url, settings.site_id)
    return up, down


def forward_role(settings: Settings, db: Database) -> Role:
    """Forward the outbox to the hub."""

    async def run(stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as client:
            uplink, _ = links(settings, client)
            backoff = Backoff(settings.backoff_base_seconds, settings.backoff_max_seconds)
            forwarder = Forwarder(
                db,
                uplink,
                backoff,
                batch_size=settings.push_batch_size,
                lanes=settings.push_lanes,
                idle_seconds=settings.forward_idle_seconds,
                clock=clock_of(settings),
            )
            await forwarder.run(stop)

    return run


async def refresh_credentials(
    db: Database, downlink: Downlink, authority: signin.LocalAuthority
) -> None:
    """Cache auth's latest users for the site and check rights against them from now on."""
    creds = await downlink.credentials()
    await db.write(lambda c: signin.cache_credentials(c, creds))
    authority.use(await db.read(signin.permissions))


def pull_role(settings: Settings, db: Database, authority: signin.LocalAuthority) -> Role:
    """Pull the feed and the site's credentials, backing off while central is unreachable."""

    async def run(stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as client:
            _, downlink = links(settings, client)
            clock = clock_of(settings)
            puller = Puller(db, downlink, clock)
            backoff = Backoff(settings.backoff_base_seconds, settings.backoff_max_seconds)
            every = settings.credentials_interval_seconds
            last_credentials = float("-inf")
            while not stop.is_set():
                loop_time = asyncio.get_running_loop().time()
                try:
                    await puller.pull_once()
                    if loop_time - last_credentials >= every:
                        await refresh_credentials(db, downlink, authority)
                        last_credentials = loop_time
                except LinkDown as exc:
                    await _link_error(db, "pull", exc, clock)
                    await _wait(stop, backoff.next_delay())
                    continue
                backoff.reset()
                metrics.publish(await db.read(lambda c: outbox.status(c, clock())))
                await _wait(stop, settings.pull_interval_seconds)

    return run


async def _link_error(
    db: Database, call: str, exc: Exception, clock: Callable[[], datetime]
) -> None:
    log.warning("%s failed: %s", call, exc)
    metrics.LINK_ERRORS.labels(call).inc()
    await db.write(lambda c: outbox.record_error(c, call, str(exc), clock()))


async def roles(settings: Settings, db: Database, names: list[str]) -> dict[str, Role]:
    """The roles this process runs, sharing one database and one signing authority."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise SystemExit(f"unknown roles: {', '.join(sorted(unknown))}; choose from {ROLES}")
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
