"""Ids of new ledger entries: version 7 UUIDs, so the ledger's key grows with time.

A national ledger holds billions of movements keyed by their id. A random id (version 4)
puts each new entry on a random page of that key's index, which stops fitting in memory long
before the ledger does: every movement then reads a page from disk and, after a checkpoint,
logs all of it. Ids that grow with time go where the last ones went; a site's month offline
arrives as a run of its own, a month back.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from time import time_ns
from uuid import UUID

_RAND_A = 0xFFF  # the 12 random bits after the version
_RAND_B = (1 << 62) - 1  # the 62 random bits after the variant


def new_id(ms: int | None = None, randbytes: Callable[[int], bytes] = os.urandom) -> UUID:
    """A version 7 UUID (RFC 9562): the Unix millisecond (now, unless given), then 74 random
    bits (from `randbytes`: a seeded generator's make a repeatable run)."""
    if ms is None:
        ms = time_ns() // 1_000_000
    rand = int.from_bytes(randbytes(10), "big")
    value = (
        (ms & (1 << 48) - 1) << 80
        | 0x7 << 76
        | (rand >> 62 & _RAND_A) << 64
        | 0b10 << 62
        | rand & _RAND_B
    )
    return UUID(int=value)
