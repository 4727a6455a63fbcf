"""Stored answers are sealed with a key derived from the Idempotency-Key, kept only hashed.

An answer can hold a secret shown once (a new site's or service client's secret); sealed,
the table gives nothing to whoever reads the database, and the client holding the key still
gets its answer back.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


def _cipher(key: str, scope: str) -> AESGCM:
    derived = hmac.new(key.encode(), b"akiba-answer|" + scope.encode(), hashlib.sha256)
    return AESGCM(derived.digest())


def seal(key: str, scope: str, body: bytes) -> bytes:
    """The body encrypted and authenticated (a random nonce, then the ciphertext)."""
    nonce = os.urandom(_NONCE)
    return nonce + _cipher(key, scope).encrypt(nonce, body, None)


def unseal(key: str, scope: str, sealed: bytes) -> bytes | None:
    """The body back; None if it was not sealed with this key and scope."""
    try:
        return _cipher(key, scope).decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
    except (InvalidTag, ValueError):
        return None
