"""The public keys that verify access tokens, as auth publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jwt import PyJWK

from akiba_contracts.payloads import SigningKeyPublished


@dataclass(frozen=True)
class PublicKey:
    """One verification key and the instant after which it verifies nothing."""

    kid: str
    alg: str
    key: Any
    retired_at: datetime | None


class KeyRing:
    """Keys by id; a key retired in the past verifies no token."""

    def __init__(self) -> None:
        self._keys: dict[str, PublicKey] = {}

    def add(self, published: SigningKeyPublished) -> None:
        """Learn (or update the retirement of) a key."""
        jwk = PyJWK(published.public_jwk, algorithm=published.alg)
        self._keys[published.kid] = PublicKey(
            published.kid, published.alg, jwk.key, published.retired_at
        )

    def get(self, kid: str) -> PublicKey | None:
        """The key with this id, if known."""
        return self._keys.get(kid)

    def __len__(self) -> int:
        return len(self._keys)
