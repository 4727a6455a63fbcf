"""The SQLite store: durability settings, gap-free sequences, all-or-nothing writes, restarts."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akiba_stock.commands import MovementLine, ReceiveStock, RecordMovements
from akiba_stock.ledger import InsufficientStock, LedgerKind
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import MIGRATIONS, Database, connect, migrate
from akiba_sync_gateway.adapters.store import Tx

from ..site import Site, seed


def _receive(site: Site, quantity: int, lot: str = "L1") -> ReceiveStock:
    return ReceiveStock(site.store_id, site.item_id, lot, None, quantity, None, "clerk")


async def _record(db: Database, site: Site, cmd: object) -> object:
    now = datetime.now(UTC)
    if isinstance(cmd, ReceiveStock):
        return await db.write(lambda c: handlers.receive_stock(Tx(c), site.site_id, cmd, now))
    assert isinstance(cmd, RecordMovements)
    return await db.write(lambda c: handlers.record_movements(Tx(c), site.site_id, cmd, now))


def _count(db: Database, table: str) -> int:
    return int(db._writer.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_both_connections_use_wal_and_a_synchronous_mode_that_survives_power_loss(
    db: Database,
) -> None:
    for conn in (db._writer, db._reader):
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_migrations_apply_once_and_reopening_applies_nothing(tmp_path: Path) -> None:
    conn = connect(str(tmp_path / "m.sqlite3"))
    applied = migrate(conn)
    assert applied[:3] == ["0001_gateway.sql", "0002_signin_failures.sql", "0003_voided_ledger.sql"]
    assert applied == sorted(f.name for f in MIGRATIONS.glob("*.sql"))
    assert migrate(conn) == []


def test_an_outbox_written_before_bodies_moved_out_forwards_the_same_bodies_after_it(
    tmp_path: Path,
) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for file in sorted(MIGRATIONS.glob("*.sql"))[:11]:
        (before / file.name).write_text(file.read_text())
    conn = connect(str(tmp_path / "old.sqlite3"))
    assert migrate(conn, before)[-1] == "0011_refresh_tokens.sql"
    conn.executemany(
        "INSERT INTO outbox (event_id, store_id, first_sequence, line_count, body, created_at,"
        " state) VALUES (?, 's', ?, 1, ?, 'now', ?)",
        [("e1", 1, b'{"n":1}', "synced"), ("e2", 2, b'{"n":2}', "pending"),
         ("e3", 3, b'{"n":3}', "pending")],
    )  # fmt: skip

    assert migrate(conn) == ["0012_outbox_bodies.sql"]

    columns = [r[1] for r in conn.execute("PRAGMA table_info(outbox)")]
    assert "body" not in columns and "state" in columns
    waiting = outbox.pending(conn, 0, 10)
    assert [(p.event_id, p.first_sequence, p.body) for p in waiting] == [
        ("e2", 2, b'{"n":2}'), ("e3", 3, b'{"n":3}'),
    ]  # fmt: skip
    assert conn.execute("SELECT count(*) FROM outbox_body").fetchone()[0] == 3


async def test_store_sequences_are_gap_free_across_documents_and_their_events(
    db: Database, site: Site
) -> None:
    await seed(db, site)
    batches = {}
    for lot in ("A", "B", "C"):
        m = await _record(db, site, _receive(site, 10, lot))
        batches[lot] = m.batch.batch_id  # type: ignore[attr-defined]
    lines = tuple(MovementLine(site.item_id, b, 1) for b in batches.values())
    await _record(db, site, RecordMovements(site.store_id, LedgerKind.ISSUE, lines, None, "c"))
    sequences = [r[0] for r in db._writer.execute("SELECT store_sequence FROM ledger ORDER BY 1")]
    assert sequences == list(range(1, 7))
    runs = db._writer.execute(
        "SELECT first_sequence, line_count FROM outbox ORDER BY outbox_seq"
    ).fetchall()
    starts = [1]
    for first, count in runs[:-1]:
        starts.append(first + count)
    assert [r[0] for r in runs] == starts and runs[-1][1] == 3


async def test_a_refused_document_leaves_no_ledger_row_event_or_sequence_behind(
    db: Database, site: Site
) -> None:
    await seed(db, site)
    m = await _record(db, site, _receive(site, 5))
    batch = m.batch.batch_id  # type: ignore[attr-defined]
    lines = (MovementLine(site.item_id, batch, 2), MovementLine(site.item_id, batch, 4))
    with pytest.raises(InsufficientStock):
        await _record(db, site, RecordMovements(site.store_id, LedgerKind.ISSUE, lines, None, "c"))
    assert (_count(db, "ledger"), _count(db, "outbox")) == (1, 1)
    after = await _record(db, site, _receive(site, 1))
    assert after.store_sequence == 2  # type: ignore[attr-defined]


async def test_a_failure_after_the_ledger_rows_are_written_rolls_the_whole_document_back(
    db: Database, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(db, site)

    def crash(*_: object) -> None:
        raise RuntimeError("disk gone")

    # the last step of a document, after ledger, SOH and outbox
    monkeypatch.setattr("akiba_sync_gateway.alerting.refresh_before_commit", crash)
    with pytest.raises(RuntimeError):
        await _record(db, site, _receive(site, 5))
    assert [_count(db, t) for t in ("ledger", "outbox", "stock_on_hand", "batches")] == [0] * 4
    (next_sequence,) = db._writer.execute("SELECT max(next_sequence) FROM stores").fetchone()
    assert next_sequence == 1


async def test_a_failing_alert_evaluation_does_not_refuse_the_record(
    db: Database, site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await seed(db, site)

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("alert rules broken")

    monkeypatch.setattr("akiba_sync_gateway.alerting.refresh", crash)
    await _record(db, site, _receive(site, 5))
    assert [_count(db, t) for t in ("ledger", "outbox", "stock_on_hand")] == [1, 1, 1]
    assert "deferred" in caplog.text


KILLED_MID_WRITE = """
import os, sys
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import connect
conn = connect(sys.argv[1])
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO outbox (event_id, store_id, first_sequence, line_count, created_at)"
             " VALUES ('e1', 's', 1, 1, 'now')")
os._exit(9)  # as a power cut would: no commit, no rollback, no close
"""


def test_a_process_killed_inside_a_write_leaves_nothing_and_the_file_opens_again(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "killed.sqlite3")
    Database(path).close()
    done = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, path], check=False)
    assert done.returncode == 9
    reopened = Database(path)
    try:
        assert _count(reopened, "outbox") == 0
    finally:
        reopened.close()


async def test_what_was_acknowledged_is_there_after_a_restart(tmp_path: Path, site: Site) -> None:
    path = str(tmp_path / "restart.sqlite3")
    first = Database(path)
    await seed(first, site)
    await _record(first, site, _receive(site, 7))
    first.close()
    again = Database(path)
    try:
        assert (_count(again, "ledger"), _count(again, "outbox")) == (1, 1)
        m = await _record(again, site, _receive(site, 1))
        assert m.store_sequence == 2  # type: ignore[attr-defined]
    finally:
        again.close()
