"""Synced events' bodies are forgotten after a while: a site keeps every row of its outbox,
not the kilobyte of JSON each one sent, which a tablet would otherwise keep for good."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database

log = logging.getLogger(__name__)
CHUNK = 5_000  # bodies looked at per write: the recording writes queued meanwhile wait this long


async def forget_synced_bodies(db: Database, synced_before: datetime) -> int:
    """One pass over the bodies kept, oldest first, deleting those synced before a time."""
    after: int | None = 0
    forgotten = 0
    while after is not None:
        gone, after = await db.write(partial(outbox.forget_bodies, synced_before=synced_before,
                                             after=after, limit=CHUNK))  # fmt: skip
        forgotten += gone
    if forgotten:
        log.info("synced event bodies forgotten", extra={"forgotten": forgotten})
    return forgotten
