"""Sign-in limits, as auth's: too many recent failures for a user or an address → 429.

Every attempt is kept as a failure, with the user (lower-cased) and the client's address,
before its password is checked: `claim` counts and records in one write on the single writer
thread, so concurrent guesses each see the ones before them and no more than the limit ever
reach the verifier. Once the user or the address has `per_user` / `per_address` failures
within the window, sign-in answers 429 with Retry-After (seconds until the oldest of those
failures leaves the window) without checking the password. A successful sign-in forgets the
user's failures, its own attempt included. Failures live in SQLite so a restart does not lift
a lockout; those older than the window are deleted as new ones come.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from akiba_sync_gateway.ids import at, moment


@dataclass(frozen=True)
class Limits:
    """How many failures a user and an address may have within the window."""

    per_user: int
    per_address: int
    window: timedelta


def subject_of(username: str) -> str:
    """The key failures of a username are counted under."""
    return f"user:{username.lower()}"


def retry_after(
    conn: sqlite3.Connection, subject: str, address: str, now: datetime, limits: Limits
) -> int:
    """Seconds to wait before trying again (0: sign-in may go ahead)."""
    since, waits = at(now - limits.window), [0.0]
    for column, value, limit in (
        ("subject", subject, limits.per_user),
        ("address", address, limits.per_address),
    ):
        count, oldest = conn.execute(
            f"SELECT count(*), min(failed_at) FROM signin_failures"
            f" WHERE {column} = ? AND failed_at > ?",
            (value, since),
        ).fetchone()
        first = moment(oldest)
        if count >= limit and first is not None:
            waits.append((first + limits.window - now).total_seconds())
    wait = max(waits)
    return max(1, math.ceil(wait)) if wait > 0 else 0


def claim(
    conn: sqlite3.Connection, subject: str, address: str, now: datetime, limits: Limits
) -> int:
    """Record an attempt as failed unless over a limit; return the seconds to wait (0: go on).

    Runs as one write: the count and the record cannot be split by another attempt.
    """
    wait = retry_after(conn, subject, address, now, limits)
    if not wait:
        add_failure(conn, subject, address, now, limits)
    return wait


def add_failure(
    conn: sqlite3.Connection, subject: str, address: str, now: datetime, limits: Limits
) -> None:
    """Keep a failed sign-in, and drop those older than the window."""
    conn.execute("DELETE FROM signin_failures WHERE failed_at <= ?", (at(now - limits.window),))
    conn.execute(
        "INSERT INTO signin_failures (subject, address, failed_at) VALUES (?, ?, ?)",
        (subject, address, at(now)),
    )


def clear_failures(conn: sqlite3.Connection, subject: str) -> None:
    """Forget a user's failures after a successful sign-in."""
    conn.execute("DELETE FROM signin_failures WHERE subject = ?", (subject,))
