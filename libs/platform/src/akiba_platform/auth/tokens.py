"""Access-token verification (RFC 8725 / RFC 9068): explicit algorithms, every claim checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt

from akiba_platform.auth.keys import KeyRing

# The only algorithm auth signs with. Anything else (`none`, HS256 with a public key as the
# secret, RS256…) is refused before a key is even looked up.
ALGORITHMS = ("EdDSA",)
LEEWAY_SECONDS = 30
_REQUIRED = ["exp", "nbf", "iat", "iss", "aud", "sub", "jti"]


class InvalidToken(Exception):
    """The token is not one we accept; the message says why (never echoes the token)."""


@dataclass(frozen=True)
class Claims:
    """What a verified token says about its bearer."""

    subject: str
    kind: str
    exp: int
    jti: str
    username: str | None = None
    site_id: str | None = None
    rights: frozenset[str] = field(default_factory=frozenset)


def verify(token: str, keys: KeyRing, *, issuer: str, audience: str) -> Claims:
    """Check signature, algorithm, key, type, issuer, audience and times; return the claims."""
    header = _header(token)
    alg, typ, kid = (_text(header, name) for name in ("alg", "typ", "kid"))
    if alg not in ALGORITHMS:
        raise InvalidToken(f"algorithm {alg!r} is not accepted")
    if typ.lower() not in ("at+jwt", "application/at+jwt"):
        raise InvalidToken("not an access token (typ must be at+jwt)")
    key = keys.get(kid)
    if key is None:
        raise InvalidToken("signed with an unknown key")
    if key.retired_at is not None and key.retired_at <= datetime.now(UTC):
        raise InvalidToken("signed with a retired key")
    return _claims(_decode(token, key.key, issuer, audience))


def _header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"malformed token: {exc}") from None


def _text(header: dict[str, Any], name: str) -> str:
    # The header is the attacker's JSON: a number or list here must be a refusal, not a crash.
    value = header.get(name, "")
    if not isinstance(value, str):
        raise InvalidToken(f"header field {name} must be a string")
    return value


def _decode(token: str, key: Any, issuer: str, audience: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=list(ALGORITHMS),
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": _REQUIRED},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from None


def _claims(c: dict[str, Any]) -> Claims:
    kind = c.get("kind")
    if kind not in ("user", "client", "site"):
        raise InvalidToken("token names no known kind of bearer")
    return Claims(
        subject=str(c["sub"]),
        kind=str(kind),
        exp=int(c["exp"]),
        jti=str(c["jti"]),
        username=c.get("username"),
        site_id=c.get("site_id"),
        rights=frozenset(c.get("rights") or ()),
    )
