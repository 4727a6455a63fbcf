"""Tokens and permissions for tests: a real Ed25519 key, real JWTs, the real read model."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akiba_contracts.payloads import ApprovalScope, SigningKeyPublished, UserPermissionsChanged
from akiba_platform.auth import Authorizer, KeyRing, PermissionStore

ISSUER, AUDIENCE = "akiba-auth", "akiba"
NodeScope = tuple[str, UUID, UUID]


class TestIssuer:
    """Signs access tokens like auth does and feeds the permission store directly."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex
        self.private = Ed25519PrivateKey.generate()
        self.keys = KeyRing()
        self.keys.add(published_key(self.kid, self.private))
        self.permissions = PermissionStore()
        self.authorizer = Authorizer(self.keys, self.permissions, issuer=ISSUER, audience=AUDIENCE)
        self._version = 0

    def token(self, subject: str, *, kind: str = "user", **overrides: Any) -> str:
        """A signed access token; overrides replace or add claims."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "kind": kind,
            "username": f"u-{subject[:8]}",
        }
        claims.update(overrides)
        headers = {"kid": self.kid, "typ": "at+jwt"}
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers=headers)

    def user(
        self, *permissions: str, active: bool = True, nodes: Sequence[NodeScope] = ()
    ) -> tuple[UUID, str]:
        """A user holding these permission strings (and rights at nodes), and a token."""
        user_id = uuid.uuid4()
        self.grant(user_id, *permissions, active=active, nodes=nodes)
        return user_id, self.token(str(user_id))

    def grant(
        self, user_id: UUID, *permissions: str, active: bool = True, nodes: Sequence[NodeScope] = ()
    ) -> None:
        """Publish (to the store) the user's complete permissions; `nodes` holds (right, node,
        program) for supervision rights held at a supervisory node."""
        self._version += 1
        self.permissions.apply(
            UserPermissionsChanged(
                user_id=user_id,
                username=f"u-{user_id.hex[:8]}",
                active=active,
                home_facility_id=None,
                version=self._version,
                permissions=list(permissions),
                node_scopes=[ApprovalScope(right=r, node_id=n, program_id=p) for r, n, p in nodes],
                changed_at=datetime.now(UTC),
            )
        )


def published_key(kid: str, private: Ed25519PrivateKey) -> SigningKeyPublished:
    """The SigningKeyPublished record auth would publish for a key."""
    jwk = jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return SigningKeyPublished(
        kid=kid,
        alg="EdDSA",
        public_jwk={**jwk, "kid": kid, "use": "sig"},
        created_at=datetime.now(UTC),
    )
