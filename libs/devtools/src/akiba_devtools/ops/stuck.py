"""`akiba stuck`: stores whose site documents wait in inventory's database, the longest first.

Reads inventory's `edge_pending` (documents held until the store's `next_sequence` reaches
them) and `edge_stalls` (stores announced stalled on `inventory.edge-stalls`); read only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

_WAITING = """
select p.store_id, s.code, s.next_sequence, count(*) as held,
       (array_agg(p.first_sequence order by p.received_at, p.first_sequence))[1] as oldest_sequence,
       (array_agg(p.event_id order by p.received_at, p.first_sequence))[1] as oldest_event_id,
       (array_agg(p.site_id order by p.received_at, p.first_sequence))[1] as site_id,
       min(p.received_at) as oldest_since, min(p.first_sequence) as lowest_sequence,
       bool_or(p.awaiting) as awaiting, st.announced_at as stalled_since
  from edge_pending p join stores s using (store_id) left join edge_stalls st using (store_id)
 group by p.store_id, s.code, s.next_sequence, st.announced_at
 order by oldest_since
"""


@dataclass(frozen=True)
class StuckStore:
    """A store holding site documents: what it waits for and its oldest waiting document."""

    store_id: UUID
    code: str
    next_sequence: int
    held: int
    oldest_sequence: int
    oldest_event_id: UUID
    site_id: UUID
    oldest_since: datetime
    lowest_sequence: int
    awaiting: bool
    stalled_since: datetime | None

    @property
    def waits_for(self) -> str:
        """The gap (the sequences missing) or the site's right to write, in words."""
        if self.lowest_sequence > self.next_sequence:
            return f"gap: {self.next_sequence}..{self.lowest_sequence - 1} missing"
        if self.awaiting:
            return f"site {self.site_id}'s right to write the store"
        return "the keeper's next round"


async def stuck_stores(database_url: str) -> list[StuckStore]:
    """Every store that holds documents, the longest waiting first."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(database_url)
    try:
        return [StuckStore(**dict(r)) for r in await conn.fetch(_WAITING)]
    finally:
        await conn.close()


def lines(found: list[StuckStore], now: datetime | None = None) -> list[str]:
    """`akiba stuck`'s output."""
    if not found:
        return ["no store has site documents waiting"]
    now = now or datetime.now(UTC)
    head = "store\tcode\tnext\theld\toldest-seq\toldest-event\twaiting\tstalled\twaits-for"
    return [head, *(_line(s, now) for s in found)]


def _line(s: StuckStore, now: datetime) -> str:
    waited = timedelta(seconds=int((now - s.oldest_since).total_seconds()))
    stalled = "yes" if s.stalled_since else "no"
    return "\t".join(
        str(v)
        for v in (
            s.store_id,
            s.code,
            s.next_sequence,
            s.held,
            s.oldest_sequence,
            s.oldest_event_id,
            waited,
            stalled,
            s.waits_for,
        )
    )
