"""Ed25519 signing keys: generation, JWK form, key id, encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALG = "EdDSA"
_NONCE = 12


@dataclass(frozen=True)
class SigningKey:
    """A key pair as stored: the private half possibly encrypted."""

    kid: str
    public_jwk: dict[str, Any]
    private_key: bytes
    encrypted: bool
    created_at: datetime
    retired_at: datetime | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(key: Ed25519PrivateKey) -> dict[str, Any]:
    """The public half as a JWK with its RFC 7638 thumbprint as `kid`."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    kid = _b64(hashlib.sha256(canonical).digest())
    return {**members, "kid": kid, "alg": ALG, "use": "sig"}


def _aead(secret: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"akiba-auth signing keys\x00" + secret.encode()).digest())


def seal(key: Ed25519PrivateKey, secret: str | None) -> tuple[bytes, bool]:
    """The private key as PKCS#8 DER, AES-GCM encrypted when a secret is given."""
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    if secret is None:
        return der, False
    nonce = os.urandom(_NONCE)
    return nonce + _aead(secret).encrypt(nonce, der, b"signing-key"), True


def unseal(stored: bytes, encrypted: bool, secret: str | None) -> Ed25519PrivateKey:
    """The private key back from its stored form."""
    der = stored
    if encrypted:
        if secret is None:
            raise RuntimeError("signing keys are encrypted but no key-encryption secret is set")
        der = _aead(secret).decrypt(stored[:_NONCE], stored[_NONCE:], b"signing-key")
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError("stored signing key is not Ed25519")
    return key


def generate(secret: str | None, now: datetime) -> tuple[SigningKey, Ed25519PrivateKey]:
    """A fresh key pair, ready to store."""
    key = Ed25519PrivateKey.generate()
    jwk = public_jwk(key)
    sealed, encrypted = seal(key, secret)
    return SigningKey(jwk["kid"], jwk, sealed, encrypted, now), key
