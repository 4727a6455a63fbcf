"""SQLite: one writer thread, one reader thread, WAL and synchronous=FULL, ordered migrations.

Every write runs on one dedicated thread in its own savepoint, committed with the writes
queued alongside it (group commit, `writer.py`), so the event loop never waits on a disk
flush and writes never interleave; reads run on another thread against WAL snapshots and
never wait for a writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from akiba_platform.idempotency import pending_claim
from akiba_sync_gateway.adapters.idempotency import claiming
from akiba_sync_gateway.adapters.writer import GroupWriter, run_deferred

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
# FULL: a commit is on disk (WAL fsynced) before it returns, so an acknowledged write
# survives power loss; NORMAL could lose the last commits in WAL mode.
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)


# The file holds the gateway's signing key and every site user's password hash: owner only.
# SQLite gives its -wal and -shm files the database file's mode, so they follow.
FILE_MODE = 0o600


def owner_only(path: str) -> None:
    """Create the database file owner-only, and take other users' access from existing ones."""
    if path == ":memory:" or path.startswith("file:"):
        return
    # Never open and close a file SQLite may already hold in this process: closing any
    # descriptor of a file drops every POSIX lock the process has on it, SQLite's included.
    # Only a file that does not exist yet is created here (exclusively, so nobody holds it).
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        with contextlib.suppress(FileNotFoundError):
            if os.stat(name).st_mode & 0o777 != FILE_MODE:
                os.chmod(name, FILE_MODE)


def connect(path: str) -> sqlite3.Connection:
    """A connection with the gateway's durability settings; transactions are explicit."""
    owner_only(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def migrate(conn: sqlite3.Connection, folder: Path = MIGRATIONS) -> list[str]:
    """Apply the migrations not applied yet, each in its own transaction; return their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
    done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for file in sorted(folder.glob("*.sql")):
        if file.name in done:
            continue
        name = file.name.replace("'", "''")
        conn.executescript(
            f"BEGIN;\n{file.read_text()}\n"
            f"INSERT INTO schema_migrations (name) VALUES ('{name}');\nCOMMIT;"
        )
        applied.append(file.name)
    return applied


def in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T], mode: str) -> T:
    """Run fn in a transaction: commit if it returns, roll back if it raises."""
    conn.execute(f"BEGIN {mode}")
    try:
        result = fn(conn)
        run_deferred(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class Database:
    """The gateway's SQLite file behind a single writer and a single reader thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._writer = connect(path)
        migrate(self._writer)
        self._reader = connect(path)
        self._write_group = GroupWriter(self._writer)
        self._read_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn atomically on the writer thread; durable (committed, FULL) when this returns.

        In a request carrying an Idempotency-Key, the key is claimed in fn's savepoint.
        """
        claim = pending_claim()
        if claim is None:
            return await self._write_group.write(fn)
        value = await self._write_group.write(claiming(claim, fn))
        claim.recorded = True
        return value

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn in one read transaction (a consistent snapshot) on the reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._read_thread, in_transaction, self._reader, fn, "DEFERRED"
        )

    def close(self) -> None:
        """Finish queued work and close both connections."""
        self._write_group.close()
        self._read_thread.shutdown(wait=True)
        self._writer.close()
        self._reader.close()
