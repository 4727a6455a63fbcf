"""What an operator sees of sync beyond the backlog: loops whose rounds fail, events blocked.

The loops may run in other processes than the API: they write what they see here, in SQLite,
and `/sync/status` reads it back.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at, moment

LOOPS = ("push", "pull", "credentials")


def loop_failed(
    conn: sqlite3.Connection, loop: str, kind: str, message: str, now: datetime
) -> None:
    """A round of `loop` failed: keep the error and count it against the loop."""
    outbox.record_error(conn, loop, f"{kind}: {message}", now)
    conn.execute(
        "INSERT INTO sync_loops (loop, failing_since, failures, kind, last_error, last_error_at)"
        " VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT DO UPDATE SET failures = failures + 1,"
        " kind = excluded.kind, last_error = excluded.last_error,"
        " last_error_at = excluded.last_error_at",
        (loop, at(now), kind, message[:2000], at(now)),
    )


def loop_recovered(conn: sqlite3.Connection, loop: str) -> None:
    """A round of `loop` succeeded: it is not failing any more."""
    conn.execute("DELETE FROM sync_loops WHERE loop = ?", (loop,))


def block(conn: sqlite3.Connection, p: outbox.Pending, message: str, now: datetime) -> None:
    """An event central cannot take as it is: it stays pending, shown as blocked, with why."""
    conn.execute(
        "UPDATE outbox SET last_error = ? WHERE outbox_seq = ? AND state = 'pending'",
        (message[:2000], p.outbox_seq),
    )
    outbox.record_error(conn, "too_large", message, now, p.event_id)


def loops(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Every loop's state: failing since when (None: its last round succeeded or none ran)."""
    rows = conn.execute(
        "SELECT loop, failing_since, failures, kind, last_error, last_error_at FROM sync_loops"
    ).fetchall()
    failing = {r[0]: r for r in rows}
    found = {}
    for name in sorted({*LOOPS, *failing}):
        r = failing.get(name)
        found[name] = {
            "failing_since": moment(r[1]) if r else None,
            "failures": r[2] if r else 0,
            "kind": r[3] if r else None,
            "last_error": r[4] if r else None,
            "last_error_at": moment(r[5]) if r else None,
        }
    return found


def blocked(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Pending events that cannot go as they are, oldest first (the outbox_blocked index)."""
    rows = conn.execute(
        "SELECT event_id, store_id, first_sequence, length(body), last_error"
        " FROM outbox o INDEXED BY outbox_blocked JOIN outbox_body USING (outbox_seq)"
        " WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY o.outbox_seq"
    ).fetchall()
    names = ("event_id", "store_id", "store_sequence", "bytes", "reason")
    return [dict(zip(names, r, strict=True)) for r in rows]


def status(conn: sqlite3.Connection, now: datetime) -> dict[str, Any]:
    """The sync status: the outbox's, each loop's state and the blocked events."""
    return {**outbox.status(conn, now), "loops": loops(conn), "blocked": blocked(conn)}
