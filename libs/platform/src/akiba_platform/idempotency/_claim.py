"""What a write request carrying an Idempotency-Key claims, and where the claim travels.

The middleware puts the claim in a context variable; whatever commits the write's effect
(the platform's unit of work, the gateway's SQLite writer) inserts the key in that very
transaction and marks the claim recorded, so the key and the effect commit together or not
at all.
"""

from __future__ import annotations

import hashlib
import re
from contextvars import ContextVar
from dataclasses import dataclass, field

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# 1 to 255 visible ASCII characters (no spaces): a UUID is a good key.
KEY = re.compile(r"[!-~]{1,255}")


class KeyAlreadyClaimed(Exception):
    """Another request recorded this key first; the transaction holding the claim rolls back."""


@dataclass(eq=False)
class Claim:
    """One caller's key for one request (method, path, query and body, as a fingerprint)."""

    scope: str
    key: str
    fingerprint: bytes
    recorded: bool = False
    key_hash: bytes = field(init=False)

    def __post_init__(self) -> None:
        # Only the hash is stored: the key itself seals the stored answer (`_seal.py`).
        self.key_hash = hashlib.sha256(self.key.encode()).digest()


_current: ContextVar[Claim | None] = ContextVar("akiba_idempotency_claim", default=None)


def pending_claim() -> Claim | None:
    """The running request's claim, if no transaction has recorded it yet."""
    claim = _current.get()
    return None if claim is None or claim.recorded else claim


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> bytes:
    """SHA-256 over what makes two requests the same request."""
    h = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()
