"""The web app at a site: the same pages as central, on the gateway's own API, with no link.

Pages call the gateway's app in process (httpx's ASGI transport: the same middleware, rights
and idempotency as any client), read names from the gateway's database, and learn of alert
changes by polling the alerts table (a site has few stores; a read costs microseconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from uuid import UUID

import httpx
from fastapi import FastAPI

from akiba_platform.auth import Authorizer
from akiba_sync_gateway.adapters.db import Database
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Batch, Item, Location, Reason, Reference, Store

log = logging.getLogger(__name__)
# Names change when the feed brings reference data: re-read them at most this often.
NAMES_EVERY_SECONDS = 5.0
ALERTS_EVERY_SECONDS = 1.0


def read_reference(c: sqlite3.Connection) -> Reference:
    """Every name the pages show, from the gateway's copy of the reference data."""
    ref = Reference()
    for sid, code, name, active in c.execute("select store_id, code, name, active from stores"):
        ref.stores[UUID(sid)] = Store(UUID(sid), code or sid, name or code or sid, bool(active))
    for iid, code, name, active in c.execute("select item_id, code, name, active from items"):
        ref.items[UUID(iid)] = Item(UUID(iid), code, name, bool(active))
    for bid, iid, lot, expiry in c.execute(
        "select batch_id, item_id, lot_code, expiry_date from batches"
    ):
        ref.batches[UUID(bid)] = Batch(
            UUID(bid), UUID(iid), lot, date.fromisoformat(expiry) if expiry else None
        )
    for lid, sid, code, name, active in c.execute(
        "select location_id, store_id, code, name, active from locations"
    ):
        ref.locations[UUID(lid)] = Location(UUID(lid), UUID(sid), code, name, bool(active))
    for rid, data in c.execute("select reason_id, data from reasons"):
        d = json.loads(data)
        ref.reasons[UUID(rid)] = Reason(UUID(rid), d["name"], d["direction"], d["active"])
    names = {"program": ref.programs, "period": ref.periods}
    for kind, key, data in c.execute(
        "select kind, key, data from reference where kind in ('program', 'period')"
    ):
        names[kind][UUID(key)] = json.loads(data)["name"]
    return ref


def alerts_signature(c: sqlite3.Connection) -> tuple[int, str]:
    """Changes when an alert starts (a newer start) or ends (fewer rows)."""
    count, newest = c.execute(
        "select count(*), coalesce(max(started_at), '') from alerts"
    ).fetchone()
    return int(count), str(newest)


class SiteHost(Host):
    """A Host whose names come from the gateway's database, refreshed now and then."""

    def __init__(self, db: Database, backend: Backend, authorizer: Authorizer) -> None:
        super().__init__(name="", backend=backend, authorizer=authorizer, reference=Reference())
        self.central = False
        self._db = db
        self._names_at = 0.0
        self.refresh = self._refresh_names

    async def _refresh_names(self) -> None:
        if time.monotonic() - self._names_at < NAMES_EVERY_SECONDS:
            return
        self.reference = await self._db.read(read_reference)
        self._names_at = time.monotonic()

    async def watch_alerts(self) -> None:
        """Bump the change counter whenever the alerts table changes."""
        seen = await self._db.read(alerts_signature)
        while True:
            await asyncio.sleep(ALERTS_EVERY_SECONDS)
            try:
                now = await self._db.read(alerts_signature)
            except Exception:
                log.exception("web: alerts not read")
                continue
            if now != seen:
                seen = now
                self.changes.bump()


@asynccontextmanager
async def serving_pages(web: FastAPI, api: FastAPI, db: Database) -> AsyncIterator[None]:
    """Give the mounted pages their host for the gateway's lifetime."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://site")
    host = SiteHost(db, Backend(client), api.state.authorizer)
    web.state.host = host
    watcher = asyncio.create_task(host.watch_alerts())
    try:
        yield
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await client.aclose()
