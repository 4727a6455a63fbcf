"""The hub as real processes (api and feed roles) on the real stack: push in, feed out."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads import OrderableChanged, SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_devtools.testing.topics import read_topic
from akiba_sync_hub.bootstrap import MIGRATIONS
from akiba_sync_hub.feed import NAME as FEED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _document(site: UUID, store: UUID) -> dict[str, Any]:
    now = datetime.now(UTC)
    payload = SiteStockRecorded.model_validate(
        {
            "document_id": uuid4(), "store_id": store, "document_type": "receipt",
            "occurred_at": now, "recorded_at": now, "actor": "nurse",
            "lines": [{"movement_id": uuid4(), "item_id": uuid4(), "lot_code": "L1",
                       "movement_type": "receipt", "quantity": 5}],
        }
    )  # fmt: skip
    event: CloudEvent = new_event(
        source=f"/akiba/sites/{site}", type=payload.event_type, subject=f"stores/{store}",
        data=payload, partitionkey=str(store), siteid=str(site), storeseq=1,
    )  # fmt: skip
    return event.model_dump(mode="json", exclude_none=True)


def _orderable(item: UUID) -> OrderableChanged:
    return OrderableChanged.model_validate(
        {
            "item_id": item, "code": f"I-{item.hex[:8]}", "name": "ORS sachet",
            "dispensing_unit": "sachet", "net_content": 1, "pack_rounding_threshold": 0,
            "round_to_zero": False, "vvm": False, "cold_chain": False, "active": True,
            "version": 1, "changed_at": datetime.now(UTC),
        }
    )  # fmt: skip


class HubProcesses:
    """The hub's api and feed roles, each its own OS process, on one fresh database."""

    def __init__(self, dsn: str, bootstrap: str, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.bootstrap, self.groups = bootstrap, f"t{uuid4().hex[:8]}-"
        env = {
            "AKIBA_DATABASE_URL": dsn,
            "AKIBA_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "AKIBA_HTTP_PORT": str(self.port),
            "AKIBA_CONSUMER_GROUP_PREFIX": self.groups,
        }
        self.processes = [
            ServiceProcess("akiba_sync_hub", ["serve", "--roles", role], env, workdir / role)
            for role in ("api", "feed")
        ]

    async def start(self) -> None:
        """Start both and wait until they run and the API is ready."""
        for p in self.processes:
            p.start()
        for p in self.processes:
            await wait_until(
                lambda p=p: '"msg":"started"' in p.output() or p.returncode is not None,
                what=f"{p.args} to start",
            )
            assert p.returncode is None, p.output()
        await wait_until(self._ready, what="the hub API to be ready")

    async def _ready(self) -> bool:
        async with httpx.AsyncClient() as c:
            try:
                return (await c.get(f"{self.url}/ready")).status_code == 200
            except httpx.TransportError:
                return False

    def stop(self) -> None:
        """SIGTERM both."""
        for p in self.processes:
            p.stop()


@pytest.fixture
async def auth(stack: StackEndpoints) -> AuthOnKafka:
    """A test issuer whose signing key is on auth.signing-keys."""
    on_kafka = AuthOnKafka(stack.kafka_bootstrap)
    await on_kafka.publish_key()
    return on_kafka


@pytest.fixture
async def hub(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> AsyncIterator[HubProcesses]:
    """The hub's processes on a migrated database; stopped after the test."""
    processes = HubProcesses(
        await databases.create({"sync-hub": MIGRATIONS}), stack.kafka_bootstrap, tmp_path
    )
    # Its feed group starts here: what the test publishes from now on, not other tests' records.
    await start_groups_at_end(stack.kafka_bootstrap, [processes.groups + FEED])
    yield processes
    processes.stop()


async def test_a_site_pushes_through_the_hub_process_and_pulls_its_feed_from_it(
    hub: HubProcesses, auth: AuthOnKafka
) -> None:
    site, store, foreign, item = uuid4(), uuid4(), uuid4(), uuid4()
    # Published before the processes start: the api reads auth's topics to the end at start-up.
    changed = SiteChanged(
        site_id=site, name="clinic", active=True, store_ids=[store], changed_at=datetime.now(UTC)
    )
    await auth.publish(changed, _orderable(item))
    await hub.start()
    token = auth.issuer.token(str(site), kind="site", site_id=str(site), username=None)
    headers = {"authorization": f"Bearer {token}"}
    mine, theirs = _document(site, store), _document(site, foreign)

    async with httpx.AsyncClient(base_url=hub.url, headers=headers) as client:
        pushed = await client.post(f"/sites/{site}/events", json=[mine, theirs])

        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["accepted"] == [mine["id"]]
        assert [r["event_id"] for r in pushed.json()["refused"]] == [theirs["id"]]
        landed = await read_topic(auth.bootstrap, "sites.inventory-events", expect=1,
                                  needle=mine["id"])  # fmt: skip
        assert len(landed) == 1

        async def snapshot() -> dict[str, Any]:
            page = (await client.get(f"/sites/{site}/feed", params={"after": 0})).json()
            kinds = {(e["kind"], e["key"]): e for e in page["entries"]}
            wanted = {("site", str(site)), ("orderable", str(item))}
            return kinds if wanted <= set(kinds) else {}

        # A new feed group reads every shared topic from the start: after a full suite that is
        # tens of thousands of other tests' records before ours.
        entries = await wait_until(
            snapshot, what="the site and the item in the site's feed", timeout=150
        )
        assert entries[("site", str(site))]["data"]["store_ids"] == [str(store)]
        metrics = (await client.get("/metrics")).text
        counted = [ln for ln in metrics.splitlines() if ln.startswith("akiba_sync_hub_push_events")]
        assert any('outcome="accepted"' in ln and ln.endswith(" 1.0") for ln in counted), counted
        assert any('outcome="refused"' in ln and ln.endswith(" 1.0") for ln in counted), counted
