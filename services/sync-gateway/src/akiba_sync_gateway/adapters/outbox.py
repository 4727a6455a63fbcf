"""The outbox's life: pending → forwarded (on Kafka) → synced (applied centrally), or refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from akiba_contracts.envelope import CloudEvent, encode
from akiba_contracts.sync import PushResponse
from akiba_sync_gateway.ids import at, moment

KEPT_ERRORS = 100  # the status shows recent errors; older ones are only in the logs


@dataclass(frozen=True)
class Pending:
    """One event waiting to be forwarded, as stored (the encoded CloudEvent)."""

    outbox_seq: int
    event_id: str
    store_id: str
    first_sequence: int
    body: bytes


_PENDING = (
    "SELECT o.outbox_seq, event_id, store_id, first_sequence, body"
    " FROM outbox o JOIN outbox_body USING (outbox_seq)"
)


def queue(conn: sqlite3.Connection, event: CloudEvent, lane: str, first: int, count: int) -> None:
    """Queue a recorded event for the forwarder in its lane (a store, a requisition or a
    shipment), at its first sequence (or version) in that lane."""
    when = at(event.time or datetime.now(UTC))
    seq = conn.execute(
        "INSERT INTO outbox (event_id, store_id, first_sequence, line_count, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (event.id, lane, first, count, when),
    ).lastrowid
    conn.execute("INSERT INTO outbox_body (outbox_seq, body) VALUES (?, ?)", (seq, encode(event)))


def pending(
    conn: sqlite3.Connection, after: int, limit: int, skip: Collection[str] = ()
) -> list[Pending]:
    """The next pending events after an outbox position, in recording (so store) order,
    leaving out the stores in `skip`."""
    if skip:
        return _pending_except(conn, after, limit, skip)
    rows = conn.execute(
        f"{_PENDING} WHERE state = 'pending' AND o.outbox_seq > ? ORDER BY o.outbox_seq LIMIT ?",
        (after, limit),
    ).fetchall()
    return [Pending(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


def _pending_except(
    conn: sqlite3.Connection, after: int, limit: int, skip: Collection[str]
) -> list[Pending]:
    # Store by store through the outbox_store index: the skipped stores' backlog may be most
    # of the outbox, and a NOT IN filter on the recording order would read through all of it.
    lanes = conn.execute(
        "SELECT store_id FROM stores UNION ALL"
        " SELECT 'requisition:' || requisition_id FROM requisitions UNION ALL"
        " SELECT 'shipment:' || shipment_id FROM inbound_shipments"
    )  # a requisition's steps and a shipment's proof have lanes of their own
    stores = [s for (s,) in lanes if s not in skip]
    rows = [
        r
        for store in stores
        for r in conn.execute(
            f"{_PENDING} WHERE store_id = ? AND state = 'pending' AND o.outbox_seq > ?"
            " ORDER BY first_sequence LIMIT ?",
            (store, after, limit),
        ).fetchall()
    ]
    rows.sort(key=lambda r: int(r[0]))
    return [Pending(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows[:limit]]


def settle(
    conn: sqlite3.Connection, sent: list[Pending], answer: PushResponse, now: datetime
) -> None:
    """Accepted → forwarded; refused → kept as an error, never resent; the rest retried."""
    accepted = set(answer.accepted)
    refused = {r.event_id: r.reason for r in answer.refused}
    when = at(now)
    conn.executemany(
        "UPDATE outbox SET state = 'forwarded', forwarded_at = ?, attempts = attempts + 1"
        " WHERE outbox_seq = ? AND state = 'pending'",
        [(when, p.outbox_seq) for p in sent if p.event_id in accepted],
    )
    conn.executemany(
        "UPDATE outbox SET attempts = attempts + 1 WHERE outbox_seq = ?",
        [(p.outbox_seq,) for p in sent if p.event_id not in accepted and p.event_id not in refused],
    )
    for p in sent:
        if p.event_id in refused:
            conn.execute(
                "UPDATE outbox SET state = 'refused', refusal = 'door', attempts = attempts + 1,"
                " last_error = ? WHERE outbox_seq = ? AND state = 'pending'",
                (refused[p.event_id], p.outbox_seq),
            )
            record_error(conn, "refused", refused[p.event_id], now, p.event_id)
    for store_id in {p.store_id for p in sent if p.event_id in accepted}:
        # An acknowledgement read before this answer was written already covers these.
        row = conn.execute(
            "SELECT acked_sequence FROM stores WHERE store_id = ?", (store_id,)
        ).fetchone()
        if row is not None:
            _synced_below(conn, store_id, int(row[0]), when)
    set_state(conn, "last_push_at", when)


def acknowledge(
    conn: sqlite3.Connection, store_id: UUID, next_sequence: int, now: datetime
) -> None:
    """Central applied the store below next_sequence, for this site: the events of it that
    were forwarded are synced, and the store is ready to write from there on.

    Only forwarded events: one recorded here but never sent (a gateway restored from an old
    backup numbers from where its copy stopped) is not what central applied at its sequence;
    it goes out and central says whether it conflicts.
    """
    _synced_below(conn, str(store_id), next_sequence, at(now))
    # A store with a central history before this site took it over continues after it.
    conn.execute(
        "INSERT INTO stores (store_id, next_sequence, acked_sequence, ready) VALUES (?, ?, ?, 1)"
        " ON CONFLICT DO UPDATE SET next_sequence = max(next_sequence, excluded.next_sequence),"
        " acked_sequence = max(acked_sequence, excluded.acked_sequence), ready = 1",
        (str(store_id), next_sequence, next_sequence),
    )


def _synced_below(conn: sqlite3.Connection, store_id: str, next_sequence: int, when: str) -> None:
    """The store's forwarded events wholly below central's next sequence are synced."""
    # `first_sequence < ?` lets the (store_id, state, first_sequence) index bound the scan:
    # without it every call would read the store's whole unsynced backlog.
    conn.execute(
        "UPDATE outbox SET state = 'synced', synced_at = ? WHERE store_id = ?"
        " AND state = 'forwarded' AND first_sequence < ? AND first_sequence + line_count <= ?",
        (when, store_id, next_sequence, next_sequence),
    )


def forget_bodies(
    conn: sqlite3.Connection, synced_before: datetime, after: int, limit: int
) -> tuple[int, int | None]:
    """Delete the bodies of events synced before a time, among the next `limit` bodies kept
    after an outbox position: how many went, and the position to go on from (None: the end).

    The rows stay (state, sequences, times: the site's history of what it sent); only the
    encoded event goes, which nothing reads once central applied it. Pending, forwarded and
    refused events keep theirs.
    """
    looked, last = conn.execute(
        "SELECT count(*), max(outbox_seq) FROM (SELECT outbox_seq FROM outbox_body"
        " WHERE outbox_seq > ? ORDER BY outbox_seq LIMIT ?)",
        (after, limit),
    ).fetchone()
    if not looked:
        return 0, None
    gone = conn.execute(
        "DELETE FROM outbox_body WHERE outbox_seq IN (SELECT b.outbox_seq FROM outbox_body b"
        " JOIN outbox o USING (outbox_seq) WHERE b.outbox_seq > ? AND b.outbox_seq <= ?"
        " AND o.state = 'synced' AND o.synced_at < ?)",
        (after, last, at(synced_before)),
    ).rowcount
    return gone, int(last) if looked == limit else None


def refuse(conn: sqlite3.Connection, event_id: str, kind: str, reason: str) -> None:
    """Central refused one of our events without voiding it: it is not applied there, whatever
    an acknowledgement of the store's later sequences said, and is never sent again."""
    conn.execute(
        "UPDATE outbox SET state = 'refused', refusal = ?, last_error = ?, synced_at = NULL"
        " WHERE event_id = ?",
        (kind, reason, event_id),
    )


_LEDGER_COLUMNS = (
    "store_id, store_sequence, movement_id, item_id, batch_id, location_id, movement_type,"
    " quantity, occurred_at, recorded_at, actor, reason_id, reference, source, event_id"
)


def void(conn: sqlite3.Connection, event_id: str, refusal: str, now: datetime) -> int:
    """Central refused one of our documents and skipped its sequence numbers: take its entries
    out of the ledger (kept in voided_ledger) and out of stock on hand and the running balances
    after them, and never send it again. Returns the entries voided (0: not ours, or done)."""
    lines = conn.execute(
        "SELECT store_id, item_id, batch_id, location_id, store_sequence, quantity FROM ledger"
        " WHERE event_id = ?",
        (event_id,),
    ).fetchall()
    conn.execute(
        f"INSERT INTO voided_ledger ({_LEDGER_COLUMNS}, voided_at, refusal)"
        f" SELECT {_LEDGER_COLUMNS}, ?, ? FROM ledger WHERE event_id = ?",
        (at(now), refusal, event_id),
    )
    conn.execute("DELETE FROM ledger WHERE event_id = ?", (event_id,))
    for store, item, batch, location, sequence, quantity in lines:
        line = (store, item, batch, location)
        conn.execute(
            "UPDATE stock_on_hand SET quantity = quantity - ? WHERE store_id = ? AND item_id = ?"
            " AND batch_id = ? AND location_id = ?",
            (quantity, *line),
        )
        conn.execute(
            "UPDATE ledger SET line_balance = line_balance - ? WHERE store_id = ? AND item_id = ?"
            " AND batch_id = ? AND location_id = ? AND store_sequence > ?",
            (quantity, *line, sequence),
        )
    conn.execute(
        "UPDATE outbox SET state = 'refused', refusal = 'content', last_error = ?"
        " WHERE event_id = ?",
        (refusal, event_id),
    )
    return len(lines)


def record_error(
    conn: sqlite3.Connection, kind: str, message: str, now: datetime, event_id: str | None = None
) -> None:
    """Keep an error for the status page, and only the recent ones."""
    conn.execute(
        "INSERT INTO sync_errors (at, kind, event_id, message) VALUES (?, ?, ?, ?)",
        (at(now), kind, event_id, message[:2000]),
    )
    conn.execute(
        "DELETE FROM sync_errors WHERE error_id <= (SELECT max(error_id) FROM sync_errors) - ?",
        (KEPT_ERRORS,),
    )


def set_state(conn: sqlite3.Connection, name: str, value: str) -> None:
    """Remember a sync fact (last push, last pull…)."""
    conn.execute(
        "INSERT INTO sync_state (name, value) VALUES (?, ?)"
        " ON CONFLICT DO UPDATE SET value = excluded.value",
        (name, value),
    )


def status(conn: sqlite3.Connection, now: datetime, errors: int = 10) -> dict[str, Any]:
    """Where sync stands: last push and pull, backlog, oldest unsynced, recent errors."""
    state = dict(conn.execute("SELECT name, value FROM sync_state").fetchall())
    counts = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    refusals = dict(
        conn.execute(
            "SELECT coalesce(refusal, 'refused'), count(*) FROM outbox WHERE state = 'refused'"
            " GROUP BY 1"
        ).fetchall()
    )
    waiting = conn.execute(
        "SELECT store_id FROM stores WHERE managed = 1 AND ready = 0 ORDER BY store_id"
    ).fetchall()
    oldest_at = _oldest_unsynced(conn)
    recent = conn.execute(
        "SELECT at, kind, event_id, message FROM sync_errors ORDER BY error_id DESC LIMIT ?",
        (errors,),
    ).fetchall()
    (cursor,) = conn.execute("SELECT cursor FROM feed_cursor").fetchone()
    return {
        "last_push_at": moment(state.get("last_push_at")),
        "last_pull_at": moment(state.get("last_pull_at")),
        "last_credentials_at": moment(state.get("last_credentials_at")),
        "feed_cursor": cursor,
        "not_forwarded": counts.get("pending", 0),
        "not_synced": counts.get("pending", 0) + counts.get("forwarded", 0),
        "refused": counts.get("refused", 0),
        "refused_by_kind": refusals,
        "conflicts": refusals.get("conflict", 0),
        "stores_awaiting_handover": [r[0] for r in waiting],
        "oldest_unsynced_at": oldest_at,
        "oldest_unsynced_age_seconds": (now - oldest_at).total_seconds() if oldest_at else None,
        "last_errors": [
            dict(zip(("at", "kind", "event_id", "message"), r, strict=True)) for r in recent
        ],
    }


@dataclass(frozen=True)
class Backlog:
    """What the site recorded and has not forwarded yet: how many, and the oldest's time."""

    pending: int
    oldest: datetime | None


def backlog(conn: sqlite3.Connection) -> Backlog:
    """The backlog, from the (state, outbox_seq) index alone: forwarded events are not read."""
    (count,) = conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()
    first = conn.execute(
        "SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY outbox_seq LIMIT 1"
    ).fetchone()
    return Backlog(int(count), moment(first[0]) if first else None)


def _oldest_unsynced(conn: sqlite3.Connection) -> datetime | None:
    """When the oldest unsynced event was recorded: outbox order is recording order, so the
    lowest outbox_seq of each unsynced state, found in the (state, outbox_seq) index."""
    firsts = [
        conn.execute(
            "SELECT created_at FROM outbox WHERE state = ? ORDER BY outbox_seq LIMIT 1", (state,)
        ).fetchone()
        for state in ("pending", "forwarded")
    ]
    found = [moment(f[0]) for f in firsts if f is not None]
    return min((f for f in found if f is not None), default=None)
