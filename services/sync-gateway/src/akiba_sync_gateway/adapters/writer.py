"""Group commit: the writer thread commits every write queued meanwhile with one fsync.

With synchronous=FULL each COMMIT waits for the disk, which is most of a write's cost. The
writer thread takes whatever writes are queued when it is free (it never waits for more),
runs each in its own SAVEPOINT inside one transaction, so a write that raises is undone
alone and its neighbours still commit, then COMMITs once. Only after that COMMIT returned
does any caller hear back: nothing is acknowledged before it is durable, and a group whose
COMMIT fails fails every write in it. Writes run in the order they were queued, each seeing
the ones before it, so per-store sequences stay gap-free.

A write may also `defer` derived work (alerts) to run once per group, just before COMMIT, in
the same transaction: many writes to one item in a group then re-evaluate it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from prometheus_client import Counter

T = TypeVar("T")
Write = Callable[[sqlite3.Connection], Any]
log = logging.getLogger(__name__)
MAX_GROUP = 256  # bounds the time a group holds the writer and the results kept in memory
COMMITS = Counter("akiba_gateway_sqlite_commits_total", "Write transactions committed (groups)")
WRITES = Counter("akiba_gateway_sqlite_writes_total", "Writes run on the writer thread")


@dataclass
class Outcome:
    """What one write returned, or raised."""

    value: Any = None
    error: BaseException | None = None


# Work deferred by the writes of the open transaction, per connection (by id: a sqlite3
# Connection takes no weak reference); emptied when that transaction commits or rolls back.
_deferred: dict[int, dict[Hashable, Write]] = {}


def defer(conn: sqlite3.Connection, key: Hashable, fn: Write) -> None:
    """Run fn just before this transaction commits, once per key (the last fn given wins)."""
    _deferred.setdefault(id(conn), {})[key] = fn


def run_deferred(conn: sqlite3.Connection) -> None:
    """Run the deferred work, each in a savepoint; a failure is logged and undone, not raised.

    Deferred work is derived state (alerts): a bug in it must not refuse a stock record, and
    the next write to the same item evaluates it again.
    """
    for key, fn in _deferred.pop(id(conn), {}).items():
        outcome = _in_savepoint(conn, fn)
        if outcome.error is not None:
            log.error("deferred %s failed", key, exc_info=outcome.error)


def run_group(conn: sqlite3.Connection, writes: list[Write]) -> list[Outcome]:
    """Run each write in its own savepoint of one transaction, then commit once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        outcomes = [_in_savepoint(conn, fn) for fn in writes]
        run_deferred(conn)
        conn.execute("COMMIT")
    except BaseException as exc:
        _deferred.pop(id(conn), None)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return [Outcome(error=exc)] * len(writes)
    return outcomes


def _in_savepoint(conn: sqlite3.Connection, fn: Write) -> Outcome:
    conn.execute("SAVEPOINT write")
    try:
        value = fn(conn)
    except Exception as exc:
        conn.execute("ROLLBACK TO write")
        conn.execute("RELEASE write")
        return Outcome(error=exc)
    conn.execute("RELEASE write")
    return Outcome(value)


@dataclass
class _Queued:
    fn: Write
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any] = field(repr=False)


class GroupWriter:
    """The one thread that writes the SQLite file, committing queued writes in groups."""

    def __init__(self, conn: sqlite3.Connection, max_group: int = MAX_GROUP) -> None:
        self._conn, self._max = conn, max_group
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self._thread.start()

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn on the writer thread; return (or raise) only once its group committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Queued(fn, loop, future))
        return await future

    def close(self) -> None:
        """Finish the writes queued so far, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            group, more = self._drain(first)
            outcomes = run_group(self._conn, [q.fn for q in group])
            COMMITS.inc()
            WRITES.inc(len(group))
            _settle(group, outcomes)
            if not more:
                return

    def _drain(self, first: _Queued) -> tuple[list[_Queued], bool]:
        """The first write and whatever else is queued now; False once told to stop."""
        group = [first]
        while len(group) < self._max:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, False
            group.append(item)
        return group, True


def _settle(group: list[_Queued], outcomes: list[Outcome]) -> None:
    """Hand each caller its outcome on its own event loop, one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Queued, Outcome]]] = {}
    for q, outcome in zip(group, outcomes, strict=True):
        by_loop.setdefault(q.loop, []).append((q, outcome))
    for loop, done in by_loop.items():
        # RuntimeError: the caller's loop closed meanwhile, so nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_resolve, done)


def _resolve(done: list[tuple[_Queued, Outcome]]) -> None:
    for q, outcome in done:
        if q.future.done():  # the caller was cancelled; its write stands all the same
            continue
        if outcome.error is not None:
            q.future.set_exception(outcome.error)
        else:
            q.future.set_result(outcome.value)
