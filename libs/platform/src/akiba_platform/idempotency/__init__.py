"""Idempotent HTTP writes: the same Idempotency-Key and request record once, answer the same.

Flow: `IdempotencyMiddleware` looks the caller's key up (replay, 409, or run the route with
a `Claim` in a context variable); whatever commits the write's effect claims the key in
that transaction (`claim_or_raise`; the platform's `UnitOfWork` does it, the gateway's
SQLite writer too); the middleware then stores the answer.
"""

from akiba_platform.idempotency._claim import (
    KEY,
    WRITE_METHODS,
    Claim,
    KeyAlreadyClaimed,
    fingerprint,
    pending_claim,
)
from akiba_platform.idempotency._keeper import (
    IdempotencySettings,
    Keeper,
    keeping,
    purge_periodically,
)
from akiba_platform.idempotency._middleware import IdempotencyMiddleware
from akiba_platform.idempotency._openapi import EXEMPT, PARAMETER, declare, exempt
from akiba_platform.idempotency._seal import seal, unseal
from akiba_platform.idempotency._store import (
    Answer,
    AsyncpgIdempotencyStore,
    IdempotencyStore,
    Stored,
    claim_or_raise,
)

__all__ = [
    "EXEMPT",
    "KEY",
    "PARAMETER",
    "WRITE_METHODS",
    "Answer",
    "AsyncpgIdempotencyStore",
    "Claim",
    "IdempotencyMiddleware",
    "IdempotencySettings",
    "IdempotencyStore",
    "Keeper",
    "KeyAlreadyClaimed",
    "Stored",
    "claim_or_raise",
    "declare",
    "exempt",
    "fingerprint",
    "keeping",
    "pending_claim",
    "purge_periodically",
    "seal",
    "unseal",
]
