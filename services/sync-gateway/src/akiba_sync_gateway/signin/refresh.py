"""Refresh tokens, as auth's: opaque, stored as digests, rotated on use, one family per sign-in.

A family is the chain of tokens one password sign-in starts; each refresh spends its token
and issues the next, expiring when the family does (so refreshing never extends a sign-in).
A spent token coming back means a copy exists somewhere: the whole family is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class StoredRefresh:
    """A refresh token as the gateway keeps it."""

    token_hash: bytes
    family_id: str
    user_id: str
    expires_at: datetime
    spent: bool
    revoked: bool


class Verdict(Enum):
    """What a refresh grant does with the token it presents."""

    ROTATE = "rotate"  # spend it, issue the next one
    REFUSE = "refuse"  # unknown, expired or revoked: invalid_grant, nothing changes
    END_FAMILY = "end_family"  # replayed, or its user is gone: revoke the family, then refuse


def new_token() -> tuple[str, bytes]:
    """A random opaque token and the digest stored for it."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> bytes:
    """How a refresh token is stored and looked up: the file never holds a usable one."""
    return hashlib.sha256(token.encode()).digest()


def judge(found: StoredRefresh | None, user_active: bool, now: datetime) -> Verdict:
    """What to do with a presented token, given whether its user is still cached and active."""
    if found is None or found.revoked or found.expires_at <= now:
        return Verdict.REFUSE
    if found.spent or not user_active:
        return Verdict.END_FAMILY
    return Verdict.ROTATE
