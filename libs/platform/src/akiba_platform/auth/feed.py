"""Keeps keys, permissions and sites current from auth's compacted topics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer

from akiba_contracts.envelope import decode
from akiba_contracts.payloads import SigningKeyPublished, SiteChanged, UserPermissionsChanged
from akiba_platform import kafka
from akiba_platform.auth.keys import KeyRing
from akiba_platform.auth.permissions import PermissionStore
from akiba_platform.faults import sites_lag

log = logging.getLogger(__name__)

TOPICS = ("auth.signing-keys", "auth.permissions", "auth.sites")


class SiteDirectory:
    """Which stores each site manages, as auth last published."""

    def __init__(self) -> None:
        self.sites: dict[UUID, SiteChanged] = {}

    def apply(self, site: SiteChanged) -> None:
        """Take the latest record of a site (an older version than the one held is ignored)."""
        held = self.sites.get(site.site_id)
        if held is not None and (held.version or 0) > (site.version or 0):
            return
        self.sites[site.site_id] = site

    def manages(self, site_id: UUID, store_id: UUID) -> bool:
        """Whether an active site manages the store."""
        site = self.sites.get(site_id)
        return site is not None and site.active and store_id in site.store_ids


class AuthFeed:
    """A group-less reader of every partition, from the start: the read model lives in memory."""

    def __init__(
        self, bootstrap: str, keys: KeyRing, permissions: PermissionStore, sites: SiteDirectory
    ) -> None:
        self._consumer = AIOKafkaConsumer(
            *TOPICS,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            **kafka.options(),
        )
        self._apply: dict[str, Callable[[dict[str, Any]], Any]] = {
            SigningKeyPublished.event_type: lambda d: keys.add(SigningKeyPublished(**d)),
            UserPermissionsChanged.event_type: lambda d: permissions.apply(
                UserPermissionsChanged(**d)
            ),
            SiteChanged.event_type: lambda d: self._site(sites, SiteChanged(**d)),
        }
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def _site(sites: SiteDirectory, record: SiteChanged) -> None:
        lag = sites_lag()
        if lag:
            asyncio.get_running_loop().call_later(lag, sites.apply, record)
        else:
            sites.apply(record)

    async def start(self, catch_up_seconds: float = 30.0) -> None:
        """Read everything published so far, then keep following in the background."""
        await self._consumer.start()
        await self._catch_up(catch_up_seconds)
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def _catch_up(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._consumer.assignment() and time.monotonic() < deadline:
            await self._poll(100)
        ends = await self._consumer.end_offsets(list(self._consumer.assignment()))
        while time.monotonic() < deadline:
            positions = {tp: await self._consumer.position(tp) for tp in ends}
            if all(positions[tp] >= end for tp, end in ends.items()):
                return
            await self._poll(200)
        log.warning("auth read model not caught up at start; serving what it has")

    async def _follow(self) -> None:
        while True:
            await self._poll(1000)

    async def _poll(self, ms: int) -> None:
        batches = await self._consumer.getmany(timeout_ms=ms)
        for records in batches.values():
            for r in records:
                self._take(r.value)

    def _take(self, raw: bytes | None) -> None:
        try:
            event = decode(raw or b"")
            apply = self._apply.get(event.type)
            if apply is not None:
                apply(event.data or {})
        except Exception:
            # A record we cannot read must not stop authorization for everyone else.
            log.exception("unreadable auth record skipped")


@asynccontextmanager
async def local_authorizer(
    bootstrap: str, *, issuer: str, audience: str, sites: SiteDirectory | None = None
) -> AsyncIterator[Any]:
    """An Authorizer fed from Kafka for the lifetime of an API process (and `sites`, if given)."""
    from akiba_platform.auth.authorizer import Authorizer

    keys, permissions = KeyRing(), PermissionStore()
    sites = sites if sites is not None else SiteDirectory()
    feed = AuthFeed(bootstrap, keys, permissions, sites)
    await feed.start()
    try:
        yield Authorizer(keys, permissions, issuer=issuer, audience=audience)
    finally:
        await feed.stop()
