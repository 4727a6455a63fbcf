"""Read-only views of edge ingestion for operators: stores that hold documents, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from akiba_platform import Connection

_HELD = """
select p.store_id, s.next_sequence, s.site_id as writer_id, count(*) as held,
       min(p.first_sequence) as oldest_sequence, min(p.received_at) as oldest_since,
       (array_agg(p.awaiting order by p.first_sequence))[1] as head_awaiting,
       (array_agg(p.site_id order by p.first_sequence))[1] as site_id
  from edge_pending p join stores s using (store_id)
 group by p.store_id, s.next_sequence, s.site_id
 order by oldest_since
"""


@dataclass(frozen=True)
class HeldStore:
    """A store holding site documents: where it waits and for how long."""

    store_id: UUID
    next_sequence: int
    writer_id: UUID | None
    held: int
    oldest_sequence: int
    oldest_since: datetime
    head_awaiting: bool
    site_id: UUID | None

    @property
    def waits_for(self) -> str:
        """What the store's next document waits for, in words."""
        if self.head_awaiting:
            return f"central to see site {self.site_id}'s right to write it (or reactivation)"
        if self.oldest_sequence > self.next_sequence:
            return f"sequence {self.next_sequence} (held from {self.oldest_sequence} on)"
        return "the keeper's next round"


async def held_stores(conn: Connection) -> list[HeldStore]:
    """Every store that holds documents, the longest waiting first."""
    return [HeldStore(**dict(r)) for r in await conn.fetch(_HELD)]


async def store_report(conn: Connection, store_id: UUID, limit: int = 20) -> dict[str, Any]:
    """One store's edge state: its writer, next sequence, held documents and recent refusals."""
    store = await conn.fetchrow(
        "select store_id, code, next_sequence, managed_by, site_id from stores where store_id = $1",
        store_id,
    )
    held = await conn.fetch(
        "select first_sequence, line_count, event_id, site_id, awaiting, voided, received_at"
        " from edge_pending where store_id = $1 order by first_sequence limit $2",
        store_id,
        limit,
    )
    refused = await conn.fetch(
        "select event_id, site_id, store_sequence, kind, voided, reason, rejected_at"
        " from edge_rejections where store_id = $1 order by rejected_at desc limit $2",
        store_id,
        limit,
    )
    return {
        "store": dict(store) if store else None,
        "held": [dict(r) for r in held],
        "refused": [dict(r) for r in refused],
    }
