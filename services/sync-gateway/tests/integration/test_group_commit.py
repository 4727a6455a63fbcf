"""Group commit: writes queued together share one COMMIT, yet each stands or falls alone."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from akiba_stock.commands import ReceiveStock
from akiba_sync_gateway import alerting, handlers
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database, connect
from akiba_sync_gateway.adapters.store import Tx

from ..site import Site, seed


class Refused(Exception):
    """A write's own failure."""


def _state(name: str) -> Callable[[sqlite3.Connection], str]:
    def write(conn: sqlite3.Connection) -> str:
        outbox.set_state(conn, name, "v")
        return name

    return write


def _failing(conn: sqlite3.Connection) -> None:
    outbox.set_state(conn, "failed", "v")
    raise Refused("no")


def _orphan_line(conn: sqlite3.Connection) -> None:
    """A write whose foreign key is only checked at COMMIT, which then fails."""
    conn.execute("PRAGMA defer_foreign_keys = ON")
    conn.execute(
        "INSERT INTO stocktake_lines (stocktake_id, item_id, batch_id, location_id, snapshot)"
        " VALUES ('nope', 'i', 'b', 'l', 0)"
    )


def _names(db: Database) -> set[str]:
    other = connect(db.path)  # another connection sees committed data only
    try:
        return {r[0] for r in other.execute("SELECT name FROM sync_state")}
    finally:
        other.close()


class Gate:
    """A write that holds the writer thread until the test lets it go."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, conn: sqlite3.Connection) -> None:
        self.started.set()
        self.release.wait(30)

    async def held(self) -> None:
        await asyncio.to_thread(self.started.wait, 30)


def _count_commits(db: Database) -> list[str]:
    seen: list[str] = []
    db._writer.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


async def _queued(db: Database, *writes: Callable[[sqlite3.Connection], Any]) -> list[Any]:
    """Start the writes in order and let each reach the writer's queue."""
    tasks = []
    for fn in writes:
        tasks.append(asyncio.create_task(db.write(fn)))
        await asyncio.sleep(0)
    return tasks


async def test_a_failing_write_in_a_group_does_not_roll_back_its_neighbours(db: Database) -> None:
    gate = Gate()
    blocked = asyncio.create_task(db.write(gate))
    await gate.held()
    commits = _count_commits(db)
    tasks = await _queued(db, _state("a"), _failing, _state("c"))
    gate.release.set()
    await blocked
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], Refused)
    assert _names(db) == {"a", "c"}
    assert len(commits) == 2  # the gate's group, then one COMMIT for the three queued behind it


async def test_no_write_is_acknowledged_before_its_group_committed(db: Database) -> None:
    first, second = Gate(), Gate()
    blocked = asyncio.create_task(db.write(first))
    await first.held()
    (written, last) = await _queued(db, _state("early"), second)
    first.release.set()
    await second.held()  # "early" ran, in the same open transaction as the second gate
    await asyncio.sleep(0.05)
    assert not written.done()
    assert "early" not in _names(db)
    second.release.set()
    assert await written == "early"
    assert "early" in _names(db)
    await asyncio.gather(blocked, last)


async def test_each_write_is_visible_to_other_connections_when_acknowledged(
    db: Database,
) -> None:
    seen: dict[str, bool] = {}

    async def write(name: str) -> None:
        await db.write(_state(name))
        seen[name] = name in _names(db)

    await asyncio.gather(*(write(f"w{i}") for i in range(50)))
    assert seen == {f"w{i}": True for i in range(50)}


async def test_a_group_whose_commit_fails_acknowledges_none_of_its_writes(db: Database) -> None:
    gate = Gate()
    blocked = asyncio.create_task(db.write(gate))
    await gate.held()
    tasks = await _queued(db, _state("x"), _orphan_line, _state("y"))
    gate.release.set()
    await blocked
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert _names(db) == set()
    assert await db.write(_state("after")) == "after"  # the writer goes on
    assert _names(db) == {"after"}


async def test_writes_still_commit_with_wal_and_synchronous_full(db: Database) -> None:
    statements: list[str] = []
    db._writer.set_trace_callback(statements.append)
    await db.write(_state("durable"))
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "COMMIT"
    assert db._writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db._writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("count", [1, 300])
async def test_queued_writes_all_commit_in_order(db: Database, count: int) -> None:
    order: list[int] = []

    def write(i: int) -> Callable[[sqlite3.Connection], int]:
        def fn(conn: sqlite3.Connection) -> int:
            order.append(i)
            outbox.set_state(conn, f"n{i}", str(i))
            return i

        return fn

    results = await asyncio.gather(*(db.write(write(i)) for i in range(count)))
    assert results == list(range(count)) == order
    assert len(_names(db)) == count


async def test_alerts_of_an_item_are_evaluated_once_per_group_before_it_commits(
    db: Database, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(db, site)
    evaluated: list[object] = []
    real = alerting.refresh

    def counted(conn: sqlite3.Connection, **kw: Any) -> None:
        evaluated.append(kw["items"])
        real(conn, **kw)

    monkeypatch.setattr(alerting, "refresh", counted)
    cmd = ReceiveStock(site.store_id, site.item_id, "L1", None, 1, None, "clerk")

    def receipt(conn: sqlite3.Connection) -> object:
        return handlers.receive_stock(Tx(conn), site.site_id, cmd, datetime.now(UTC))

    gate = Gate()
    blocked = asyncio.create_task(db.write(gate))
    await gate.held()
    tasks = await _queued(db, *[receipt] * 5)
    gate.release.set()
    await asyncio.gather(blocked, *tasks)
    assert evaluated == [(site.item_id,)]  # five documents, one group, one evaluation
