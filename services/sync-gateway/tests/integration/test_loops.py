"""The sync loops outlive whatever a round raises: each failure logged, counted and shown in the
status while the loop backs off, and the loop works again once the cause is gone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from akiba_sync_gateway import bootstrap
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import open_authority
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import health
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.sync.loops import Loop
from akiba_sync_gateway.testing import FakeDownlink, FakeHub

from ..hub import Central
from ..site import Site
from .test_sync import _receipts, _states, _until

NOW = datetime.now(UTC)


def _status(db: Database) -> dict[str, Any]:
    conn = db._writer
    return health.status(conn, NOW)


def _failures(loop: str, kind: str) -> float:
    labels = {"loop": loop, "kind": kind}
    return REGISTRY.get_sample_value("akiba_gateway_sync_failures_total", labels) or 0.0


@asynccontextmanager
async def _running(
    work: Callable[[asyncio.Event], Any],
) -> AsyncIterator[asyncio.Task[None]]:
    """A loop in the background; stopped (and its end awaited) on leaving."""
    stop = asyncio.Event()
    task = asyncio.create_task(work(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def _forwarder(db: Database, central: Central) -> tuple[Forwarder, Any]:
    up, _, client = central.links()
    backoff = Backoff(0.001, 0.01)
    forwarder = Forwarder(db, up, backoff, batch_size=4, idle_seconds=0.001)
    return forwarder, client


async def test_the_forward_loop_outlives_a_captive_portal_and_forwards_once_it_is_gone(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 3)
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([]))
    central.portal = True
    before = _failures("push", "unreadable")
    forwarder, client = _forwarder(seeded, central)
    async with client, _running(forwarder.run) as task:
        await _until(lambda: _status(seeded)["loops"]["push"]["failures"] >= 3)
        push = _status(seeded)["loops"]["push"]
        assert push["failing_since"] is not None and push["kind"] == "unreadable"
        assert "text/html" in push["last_error"] and "not a token" in push["last_error"]
        assert _states(seeded) == ["pending"] * 3 and not task.done()
        assert _failures("push", "unreadable") >= before + 3

        central.portal = False
        await _until(lambda: _states(seeded) == ["forwarded"] * 3)
        await _until(lambda: _status(seeded)["loops"]["push"]["failing_since"] is None)
    errors = _status(seeded)["last_errors"]
    assert errors[0]["kind"] == "push" and errors[0]["message"].startswith("unreadable: ")


async def test_the_pull_and_credentials_loops_outlive_a_captive_portal(
    seeded: Database, site: Site
) -> None:
    creds = site.credentials({"clerk": site.grant("STOCK_ADJUST")})
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([], creds))
    central.portal = True
    _, down, client = central.links()
    settings = Settings(
        site_id=site.site_id, backoff_base_seconds=0.001, backoff_max_seconds=0.01,
        pull_interval_seconds=0.01, credentials_interval_seconds=0.01,
    )  # fmt: skip
    authority = await open_authority(seeded, settings, lambda: NOW)
    work = lambda stop: bootstrap.sync_down(stop, settings, seeded, down, authority)  # noqa: E731
    async with client, _running(work) as task:
        for loop in ("pull", "credentials"):
            await _until(lambda loop=loop: _status(seeded)["loops"][loop]["failures"] >= 2)
            assert _status(seeded)["loops"][loop]["kind"] == "unreadable"
        assert not task.done()

        central.portal = False
        for loop in ("pull", "credentials"):
            await _until(lambda loop=loop: _status(seeded)["loops"][loop]["failing_since"] is None)
    assert _status(seeded)["last_pull_at"] is not None


async def test_a_database_error_in_a_round_is_shown_and_the_loop_goes_on_once_it_clears(
    seeded: Database, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    await _receipts(seeded, site, 2)
    # What a full or failing disk does to the write that settles a push: it raises.
    seeded._writer.execute(
        "CREATE TRIGGER full_disk BEFORE UPDATE ON outbox"
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([]))
    forwarder, client = _forwarder(seeded, central)
    async with client, _running(forwarder.run) as task:
        await _until(lambda: _status(seeded)["loops"]["push"]["failures"] >= 2)
        push = _status(seeded)["loops"]["push"]
        assert push["kind"] == "database" and "disk is full" in push["last_error"]
        assert not task.done()
        seeded._writer.execute("DROP TRIGGER full_disk")
        await _until(lambda: _states(seeded) == ["forwarded"] * 2)
        await _until(lambda: _status(seeded)["loops"]["push"]["failing_since"] is None)
    assert any(r.exc_info and r.levelno == logging.ERROR for r in caplog.records)


async def test_a_bug_in_a_round_is_logged_with_its_traceback_shown_and_retried(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    healed = False

    async def buggy() -> float:
        if not healed:
            raise KeyError("access_token")
        return 0.001

    loop = Loop("credentials", db, Backoff(0.001, 0.01), lambda: NOW)
    async with _running(lambda stop: loop.run(stop, buggy)):
        await _until(lambda: _status(db)["loops"]["credentials"]["failures"] >= 2)
        state = _status(db)["loops"]["credentials"]
        assert state["kind"] == "unexpected" and "KeyError" in state["last_error"]
        healed = True
        await _until(lambda: _status(db)["loops"]["credentials"]["failing_since"] is None)
    logged = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert len(logged) >= 2 and logged[0].exc_info[0] is KeyError  # type: ignore[index]


async def test_a_loop_that_keeps_failing_waits_longer_each_time(db: Database) -> None:
    ceilings: list[float] = []

    def uniform(low: float, high: float) -> float:
        ceilings.append(high)
        return 0.0

    async def failing() -> float:
        raise ConnectionError("no route to host")

    loop = Loop("pull", db, Backoff(0.5, 60.0, uniform), lambda: NOW)
    async with _running(lambda stop: loop.run(stop, failing)):
        await _until(lambda: len(ceilings) >= 9)
    assert ceilings[:9] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
