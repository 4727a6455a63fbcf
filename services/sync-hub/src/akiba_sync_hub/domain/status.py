"""A site's sync status: what the hub saw of it, and the state that makes it in; no I/O here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from akiba_sync_hub.domain.model import site_scope, store_scope


class SyncState(StrEnum):
    """How a site is keeping up, worst first where several would apply."""

    NEVER = "never"  # the hub never heard from it
    SILENT = "silent"  # no push or pull for longer than `silent_after`
    BEHIND = "behind"  # in touch, but its backlog is too large or too old
    OK = "ok"


@dataclass(frozen=True)
class Thresholds:
    """Where a site stops being ok (the hub's settings)."""

    silent_after: timedelta
    behind_after: timedelta
    behind_backlog: int


INT8_MAX = 2**63 - 1


@dataclass(frozen=True)
class Reported:
    """The backlog a gateway reported with a push or a pull; None: it reported none."""

    backlog: int | None = None
    oldest_unsynced_at: datetime | None = None


@dataclass(frozen=True)
class Contact:
    """One push or pull: the site, which it was, what it reported, what the door refused."""

    site_id: UUID
    push: bool
    reported: Reported = Reported()
    refused: int = 0


@dataclass(frozen=True)
class Seen:
    """What the hub saw of a site since its status was last written: its contacts, folded."""

    site_id: UUID
    last_contact_at: datetime
    last_push_at: datetime | None = None
    last_pull_at: datetime | None = None
    backlog: int | None = None
    oldest_unsynced_at: datetime | None = None
    backlog_at: datetime | None = None  # when the backlog was reported; None: it was not
    refusals: int = 0
    last_refusal_at: datetime | None = None


def seen(c: Contact, at: datetime) -> Seen:
    """One contact, made at `at`."""
    r, reported = c.reported, c.reported.backlog is not None
    return Seen(
        c.site_id,
        at,
        last_push_at=at if c.push else None,
        last_pull_at=None if c.push else at,
        backlog=r.backlog,
        oldest_unsynced_at=r.oldest_unsynced_at,
        backlog_at=at if reported else None,
        refusals=c.refused,
        last_refusal_at=at if c.refused else None,
    )


def then(before: Seen | None, after: Seen) -> Seen:
    """What was seen of a site before, then after: the latest of each, refusals added up.

    A report left out keeps the last one (an older gateway sends none).
    """
    if before is None:
        return after
    reported = after.backlog_at is not None
    return Seen(
        after.site_id,
        max(before.last_contact_at, after.last_contact_at),
        last_push_at=after.last_push_at or before.last_push_at,
        last_pull_at=after.last_pull_at or before.last_pull_at,
        backlog=after.backlog if reported else before.backlog,
        oldest_unsynced_at=after.oldest_unsynced_at if reported else before.oldest_unsynced_at,
        backlog_at=after.backlog_at if reported else before.backlog_at,
        refusals=before.refusals + after.refusals,
        last_refusal_at=after.last_refusal_at or before.last_refusal_at,
    )


def read_report(backlog: str | None, oldest: str | None) -> Reported:
    """The report in a push's or a pull's headers; what does not read is left out, since a
    status report must never stand in the way of the sync it rides on."""
    if backlog is None or not backlog.isdigit() or int(backlog) > INT8_MAX:
        return Reported()
    count = int(backlog)
    return Reported(count, _moment(oldest) if count else None)


def _moment(text: str | None) -> datetime | None:
    try:
        found = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if found is None or found.tzinfo is not None:
        return found
    return found.replace(tzinfo=UTC)  # the gateway records in UTC


def sync_state(
    last_contact_at: datetime | None,
    backlog: int | None,
    oldest_unsynced_at: datetime | None,
    now: datetime,
    limits: Thresholds,
) -> SyncState:
    """The state of a site from its last contact and the backlog it last reported."""
    if last_contact_at is None:
        return SyncState.NEVER
    if now - last_contact_at > limits.silent_after:
        return SyncState.SILENT
    if (backlog or 0) > limits.behind_backlog:
        return SyncState.BEHIND
    if oldest_unsynced_at is not None and now - oldest_unsynced_at > limits.behind_after:
        return SyncState.BEHIND
    return SyncState.OK


def count_states(
    sites: Iterable[Mapping[str, Any]], now: datetime, limits: Thresholds
) -> dict[SyncState, int]:
    """How many active sites are in each state, every state named (a retired site is none)."""
    counts = dict.fromkeys(SyncState, 0)
    for s in sites:
        if s["active"]:
            state = sync_state(
                s["last_contact_at"], s["backlog"], s["oldest_unsynced_at"], now, limits
            )
            counts[state] += 1
    return counts


def refused_in(scope: str) -> tuple[UUID | None, UUID | None]:
    """Whose refusal a feed row of this scope is: (site, None) or (None, store)."""
    _, _, rest = scope.partition(":")
    try:
        found = UUID(rest)
    except ValueError:
        return (None, None)
    if scope == site_scope(found):
        return (found, None)
    return (None, found) if scope == store_scope(found) else (None, None)
