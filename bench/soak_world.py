"""The soak's country: a private broker, central's real processes, and sites registered in bulk.

The broker is the soak's own (a fresh KRaft node in a temporary state directory on free
ports): tens of thousands of sites published on a shared stack's compacted `auth.sites` would
stay there for every later run. The databases are fresh ones on the stack's PostgreSQL,
dropped at the end.

Registration is set-up, so it goes in bulk through the services' own code rather than one
admin call per site: auth's site repository and outbound event in one transaction per chunk
(each site with its own secret, published on `auth.sites` by auth's relay as any site is), and
inventory's stores and items by COPY. Inventory's ingest role then hands each store to its
site from `auth.sites` (the store's acknowledgement says its sequence starts at 1), and the
hub's API and feed read the same records; `ready` waits for all of that.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import orjson

from akiba_auth.domain.model import Site
from akiba_auth.handlers.sites import new_secret
from akiba_auth.outbound import site_changed
from akiba_auth.uow import AuthUnitOfWork
from akiba_devtools.stack import kafka
from akiba_devtools.stack.state import Ports, StackConfig, StackPaths, find_repo_root
from akiba_platform.db import create_pool
from bench.soak_http import Http
from tests.e2e.sync.harness import Central, free_port

CHUNK = 2_000  # sites per auth transaction


@dataclass
class SimSite:
    """A registered site as its gateway knows itself: id, secret, stores, and its token."""

    site_id: UUID
    secret: str
    store_ids: list[UUID]
    token: str = ""


@asynccontextmanager
async def private_kafka() -> AsyncIterator[tuple[str, int | None]]:
    """A single-node broker of the soak's own (bootstrap, pid), stopped and deleted at the end."""
    state = Path(tempfile.mkdtemp(prefix="akiba-soak-kafka-"))
    config = StackConfig(
        paths=StackPaths(state_dir=state, repo_root=find_repo_root()),
        ports=Ports(kafka=free_port(), controller=free_port()),
    )
    try:
        started = await asyncio.to_thread(kafka.up, config)
        yield started.endpoint, started.pid
    finally:
        await asyncio.to_thread(kafka.down, config)
        shutil.rmtree(state, ignore_errors=True)


async def register(
    central: Central, sites: int, stores_per_site: int, items: int
) -> tuple[list[SimSite], list[UUID]]:
    """Sites with their own secrets and stores, and the items they record; (sites, items)."""
    made = [
        SimSite(uuid.uuid4(), "", [uuid.uuid4() for _ in range(stores_per_site)])
        for _ in range(sites)
    ]
    item_ids = [uuid.uuid4() for _ in range(items)]
    inventory: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        await inventory.copy_records_to_table(
            "stores",
            records=[
                (s, f"SOAK-{i:06d}-{j}", f"Soak facility {i} store {j}")
                for i, site in enumerate(made)
                for j, s in enumerate(site.store_ids)
            ],
            columns=("store_id", "code", "name"),
        )
        await inventory.copy_records_to_table(
            "items",
            records=[(x, f"SOAK-I{i:05d}", f"Soak item {i}") for i, x in enumerate(item_ids)],
            columns=("item_id", "code", "name"),
        )
    finally:
        await inventory.close()
    pool = await create_pool(central.dsn["auth"], max_size=2)
    try:
        for start in range(0, sites, CHUNK):
            await _auth_chunk(pool, made[start : start + CHUNK])
    finally:
        await pool.close()
    return made, item_ids


async def _auth_chunk(pool: asyncpg.Pool[Any], chunk: list[SimSite]) -> None:
    """What POST /sites does for each site, one transaction for the chunk."""
    now = datetime.now(UTC)
    async with AuthUnitOfWork(pool) as uow:
        await uow.sites.lock_stores()
        for s in chunk:
            secret, digest = new_secret()
            s.secret = secret
            version = await uow.sites.next_version()
            site = Site(s.site_id, f"Soak site {s.site_id}", True, tuple(s.store_ids), version)
            await uow.sites.add_site(site, digest)
            uow.publish(site_changed(site, now))
        await uow.commit()


async def ready(central: Central, sites: list[SimSite], timeout: float) -> float:
    """Wait until inventory gave every store to its site and announced it, and the hub's feed
    read every site; seconds waited."""
    stores = sum(len(s.store_ids) for s in sites)
    began = time.monotonic()
    inv: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    hub: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["hub"])
    try:
        while True:
            handed = await inv.fetchval("select count(*) from stores where site_id is not null")
            unsent = await inv.fetchval("select count(*) from outbox")
            known = await hub.fetchval("select count(*) from feed_sites")
            if handed == stores and unsent == 0 and known == len(sites):
                return time.monotonic() - began
            if time.monotonic() - began > timeout:
                raise TimeoutError(
                    f"after {timeout:.0f} s: {handed}/{stores} stores handed to their sites,"
                    f" {unsent} inventory outbox rows unsent, the hub knows {known}/{len(sites)}"
                )
            if int(time.monotonic() - began) % 15 == 0:
                print(f"soak: {handed}/{stores} stores handed to their sites, the hub knows"
                      f" {known}/{len(sites)} sites", file=sys.stderr, flush=True)  # fmt: skip
            await asyncio.sleep(1.0)
    finally:
        await inv.close()
        await hub.close()


async def sign_in(auth_port: int, sites: list[SimSite], concurrency: int = 8) -> float:
    """Each site's token by the client_credentials grant, as its gateway gets it; grants/s."""
    http = Http(auth_port, limit=concurrency)
    todo = iter(sites)
    began = time.perf_counter()

    async def worker() -> None:
        for s in todo:
            form = {"grant_type": "client_credentials", "client_id": str(s.site_id)}
            body = urlencode({**form, "client_secret": s.secret}).encode()
            headers = {"content-type": "application/x-www-form-urlencoded"}
            answer = await http.post("/oauth/token", headers, body)
            if answer.status != 200:
                raise RuntimeError(f"site {s.site_id} sign-in: {answer.status} {answer.body!r}")
            s.token = orjson.loads(answer.body)["access_token"]

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        http.close()
    return len(sites) / (time.perf_counter() - began)
