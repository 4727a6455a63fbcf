"""CPU per push of the real hub app, in process: `uv run python -m bench.hub_push_cpu`.

Drives the hub's ASGI app (real PostgreSQL and Kafka, telemetry on as in production) with
single-document pushes from many sites, a few at a time, and prints the process CPU per push.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx
import orjson

from akiba_contracts.catalogue import all_topics
from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads import SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_contracts.sync import BACKLOG_HEADER
from akiba_devtools.testing.plugin import Databases
from akiba_platform import kafka
from akiba_platform.auth import SiteDirectory
from akiba_platform.db import create_pool
from akiba_platform.telemetry import setup_telemetry
from akiba_platform.testing.tokens import TestIssuer
from akiba_sync_hub.api.app import create_app
from akiba_sync_hub.bootstrap import MIGRATIONS
from akiba_sync_hub.settings import Settings


def _document(site_id: UUID, store_id: UUID, seq: int) -> bytes:
    now = datetime.now(UTC)
    payload = SiteStockRecorded.model_validate(
        {
            "document_id": uuid4(), "store_id": store_id, "document_type": "receipt",
            "occurred_at": now, "recorded_at": now, "actor": "nurse",
            "lines": [{"movement_id": uuid4(), "item_id": uuid4(), "lot_code": "L1",
                       "movement_type": "receipt", "quantity": 10}],
        }
    )  # fmt: skip
    event = new_event(
        source=f"/akiba/sites/{site_id}", type=payload.event_type, subject=f"stores/{store_id}",
        data=payload, partitionkey=str(store_id), siteid=str(site_id), storeseq=seq,
    )  # fmt: skip
    return b"[" + encode(event) + b"]"


async def main() -> None:
    """Push, measure, print."""
    pg = os.environ.get("AKIBA_PG_URL", "postgresql://postgres@127.0.0.1:54329")
    bootstrap = os.environ.get("AKIBA_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
    sites_n, pushes, width = (int(os.environ.get(k, d)) for k, d in
                              (("SITES", "200"), ("PUSHES", "3000"), ("WIDTH", "8")))  # fmt: skip
    await kafka.ensure_topics(bootstrap, all_topics())
    dbs = Databases(pg)
    dsn = await dbs.create({"sync-hub": MIGRATIONS})
    settings = Settings(database_url=dsn, kafka_bootstrap_servers=bootstrap, otel_exporter="none")
    setup_telemetry(settings)
    pool = await create_pool(dsn)
    issuer, directory = TestIssuer(), SiteDirectory()
    sites: list[tuple[UUID, UUID, str]] = []
    for _ in range(sites_n):
        site, store = uuid4(), uuid4()
        directory.apply(SiteChanged(site_id=site, name="s", active=True, store_ids=[store],
                                    changed_at=datetime.now(UTC), version=None))  # fmt: skip
        token = issuer.token(str(site), kind="site", site_id=str(site), username=None)
        sites.append((site, store, token))
    app = create_app(settings, pool, issuer.authorizer, directory)
    bodies = [(s, t, _document(s, st, i + 1)) for i, (s, st, t) in
              ((i, sites[i % sites_n]) for i in range(pushes))]  # fmt: skip
    statuses: dict[int, int] = {}
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:

                async def one(site: UUID, token: str, body: bytes) -> None:
                    r = await client.post(
                        f"/sites/{site}/events", content=body,
                        headers={"authorization": f"Bearer {token}",
                                 "content-type": "application/json", BACKLOG_HEADER: "3"},
                    )  # fmt: skip
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

                async def lane(k: int) -> None:
                    for site, token, body in bodies[k::width]:
                        await one(site, token, body)

                for site, token, body in bodies[:32]:  # warm up (one at a time: not width * 4)
                    await one(site, token, body)
                statuses.clear()
                cpu, wall = time.process_time(), time.perf_counter()
                await asyncio.gather(*(lane(k) for k in range(width)))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await pool.close()
        await dbs.drop_all()
    figures = {
        "pushes": pushes, "sites": sites_n, "in_flight": width,
        "statuses": {str(k): v for k, v in statuses.items()},
        "cpu_us_per_push": round(cpu / pushes * 1e6),
        "wall_us_per_push": round(wall / pushes * 1e6),
    }  # fmt: skip
    print(orjson.dumps(figures).decode())


if __name__ == "__main__":
    asyncio.run(main())
