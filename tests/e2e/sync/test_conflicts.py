"""Two writers of one store, through real processes: never a silent difference.

A cloned gateway and a gateway restored from an old backup both number documents that central
already holds from someone else. Central refuses them as conflicts (never a "resend"), the
gateway that sent them reports them (refused, kind conflict, in /sync/status), and everything
else still syncs: the ledgers end equal where nothing conflicted, and where something did, the
difference is reported.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from akiba_devtools.testing import wait_until
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, synced


def _copy_database(source: Path, target: Path) -> None:
    """A file-level copy of a stopped gateway's SQLite database (what a backup or clone is)."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")


async def _start(gw: Gateway) -> None:
    await gw.started(gw.start())
    await gw.ready_to_record()


def _stop(gw: Gateway) -> None:
    for p in gw.processes:
        p.stop()
    gw.processes.clear()


def _events(gw: Gateway) -> list[tuple[int, str, str | None]]:
    with gw.read() as c:
        rows = c.execute(
            "SELECT first_sequence, state, refusal FROM outbox ORDER BY first_sequence"
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


async def _conflicts_reported(gw: Gateway, n: int) -> None:
    """Central's refusal of n events reached the gateway (an acknowledgement of the store's
    later sequences may show one synced for a moment before its refusal arrives in the feed)."""

    def done() -> bool:
        states = [(state, refusal) for _, state, refusal in _events(gw)]
        return states.count(("refused", "conflict")) == n and ("pending", None) not in states

    await wait_until(done, timeout=120, interval=0.3, what=f"{n} conflicts reported to {gw.name}")


async def _central_refusals(central: Central, store: UUID) -> list[tuple[int, str]]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        rows = await conn.fetch(
            "select store_sequence, kind from edge_rejections where store_id = $1 order by 1",
            store,
        )
    finally:
        await conn.close()
    return [(r[0], r[1]) for r in rows]


async def test_a_cloned_gateway_writing_the_same_store_is_refused_as_a_conflict_and_reported(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=1)
    store = site.store_ids[0]
    gw = gateways(site)
    await _start(gw)
    await gw.receive(store, 10)
    await synced(central, gw)
    _stop(gw)
    clone = gateways(site, "clone")
    _copy_database(gw.db_path, clone.db_path)
    for g in (gw, clone):  # both offline, both keep recording
        g.hub_link.cut()
        await g.started(g.start())
        await g.sign_in(store)
    for q in (1, 2, 3):
        await gw.receive(store, q)
        await clone.receive(store, 100 + q)

    gw.hub_link.restore()
    await synced(central, gw)
    clone.hub_link.restore()
    await _conflicts_reported(clone, 3)

    assert await central.ledger([store]) == gw.ledger()  # the first writer's history holds
    assert [e for e in _events(clone) if e[0] > 1] == [
        (2, "refused", "conflict"), (3, "refused", "conflict"), (4, "refused", "conflict"),
    ]  # fmt: skip
    status = await clone.status(store)
    assert status["conflicts"] == 3 and status["not_synced"] == 0
    assert any("already taken" in e["message"] for e in status["last_errors"])
    assert await _central_refusals(central, store) == [
        (2, "conflict"),
        (3, "conflict"),
        (4, "conflict"),
    ]


async def test_a_gateway_restored_from_an_old_backup_has_its_new_documents_refused_and_goes_on(
    central: Central, gateways: GatewayFactory, tmp_path: Path
) -> None:
    site = await central.new_site(stores=1)
    store = site.store_ids[0]
    gw = gateways(site)
    await _start(gw)
    for q in (1, 2):
        await gw.receive(store, q)
    await synced(central, gw)
    _stop(gw)
    _copy_database(gw.db_path, tmp_path / "backup.sqlite3")
    await _start(gw)
    for q in (3, 4, 5):
        await gw.receive(store, q)
    await synced(central, gw)
    _stop(gw)
    _copy_database(tmp_path / "backup.sqlite3", gw.db_path)  # the disk died; the backup is back

    gw.hub_link.cut()  # restored and used before it talks to central again
    await gw.started(gw.start())
    await gw.sign_in(store)
    for q in (60, 70):
        await gw.receive(store, q)  # numbered 3 and 4 again: central holds 3, 4 and 5
    gw.hub_link.restore()
    await _conflicts_reported(gw, 2)
    after = await gw.receive(store, 80)  # numbered after central's ledger, once it has heard
    await wait_until(
        lambda: _events(gw)[-1][1] == "synced", timeout=60, what="the new receipt synced"
    )

    assert after["store_sequence"] == 6
    assert _events(gw) == [
        (1, "synced", None), (2, "synced", None),
        (3, "refused", "conflict"), (4, "refused", "conflict"), (6, "synced", None),
    ]  # fmt: skip
    assert [q for _, _, _, q in await central.ledger([store])] == [1, 2, 3, 4, 5, 80]
    assert (await gw.status(store))["conflicts"] == 2


async def test_a_store_with_a_central_history_given_to_a_new_site_continues_after_it(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=1, central_receipts=3)
    store = site.store_ids[0]
    gw = gateways(site)
    await _start(gw)
    first = await gw.receive(store, 9)
    await gw.record_direct(store, 2000)
    await synced(central, gw)

    assert first["store_sequence"] == 4  # after the three receipts central recorded itself
    ledger = await central.ledger([store])
    assert [seq for _, seq, _, _ in ledger] == list(range(1, 2005))
    assert ledger[3:] == gw.ledger()
    refusals = await _central_refusals(central, store)
    assert refusals == []
