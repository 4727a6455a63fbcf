"""Stored answers are sealed with a key derived from the Idempotency-Key, kept only hashed.

An answer can hold a secret shown once (a new site's or service client's secret); sealed,
the table gives nothing to whoever reads the database, and the client holding the key still
gets its answer back.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12
# A nonce never repeats under one key: a random per-process prefix and a counter. Not
# os.urandom per answer: its getrandom() syscall hands the GIL to the gateway's SQLite writer
# thread, a cost seen on every keyed receipt in the bench.
_PREFIX = secrets.token_bytes(_NONCE - 4)
_COUNTER = itertools.count()


def _cipher(key: str, scope: str) -> AESGCM:
    derived = hmac.new(key.encode(), b"akiba-answer|" + scope.encode(), hashlib.sha256)
    return AESGCM(derived.digest())


def seal(key: str, scope: str, body: bytes) -> bytes:
    """The body encrypted and authenticated (a random nonce, then the ciphertext)."""
    nonce = _PREFIX + (next(_COUNTER) % 2**32).to_bytes(4, "big")
    return nonce + _cipher(key, scope).encrypt(nonce, body, None)


def unseal(key: str, scope: str, sealed: bytes) -> bytes | None:
    """The body back; None if it was not sealed with this key and scope."""
    try:
        return _cipher(key, scope).decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
    except (InvalidTag, ValueError):
        return None
