"""Access tokens (RFC 9068 JWTs signed with Ed25519) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akiba_auth.keys import ALG, SigningKey, unseal


@dataclass(frozen=True)
class Bearer:
    """Who a token is for: `kind` is user, client or site; `extra` adds claims."""

    subject: str
    kind: str
    extra: dict[str, Any]


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint returns."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None


def new_refresh_token() -> tuple[str, bytes]:
    """A random opaque token and the digest stored for it."""
    token = secrets.token_urlsafe(32)
    return token, refresh_digest(token)


def refresh_digest(token: str) -> bytes:
    """How a refresh token is stored and looked up."""
    return hashlib.sha256(token.encode()).digest()


class TokenSigner:
    """Signs access tokens with the newest key; unsealed private keys are kept in memory."""

    def __init__(
        self, issuer: str, audience: str, lifetime_seconds: int, key_secret: str | None
    ) -> None:
        self.issuer, self.audience, self.lifetime = issuer, audience, lifetime_seconds
        self._secret = key_secret
        self._private: dict[str, Ed25519PrivateKey] = {}

    def _key(self, key: SigningKey) -> Ed25519PrivateKey:
        if key.kid not in self._private:
            self._private[key.kid] = unseal(key.private_key, key.encrypted, self._secret)
        return self._private[key.kid]

    def sign(self, key: SigningKey, bearer: Bearer, now: datetime) -> str:
        """A signed access token for the bearer, valid from now for the configured lifetime."""
        iat = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": bearer.subject,
            "iat": iat,
            "nbf": iat,
            "exp": iat + self.lifetime,
            "jti": str(uuid.uuid4()),
            "kind": bearer.kind,
            **bearer.extra,
        }
        headers = {"kid": key.kid, "typ": "at+jwt"}
        return jwt.encode(claims, self._key(key), algorithm=ALG, headers=headers)
