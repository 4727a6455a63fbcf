"""Who is calling, and may they: token → principal → right at a facility for a program."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from hashlib import blake2b
from time import time
from uuid import UUID

from akiba_contracts.rights import Right, RightType, right_type
from akiba_platform.auth.keys import KeyRing
from akiba_platform.auth.permissions import PermissionStore
from akiba_platform.auth.tokens import LEEWAY_SECONDS, Claims, InvalidToken, verify

_GLOBAL = (RightType.GENERAL_ADMIN, RightType.REPORTS)


@dataclass(frozen=True)
class Principal:
    """The verified bearer of a request."""

    claims: Claims

    @property
    def actor(self) -> str:
        """How the ledger names who did it: the username, else the client or site id."""
        return self.claims.username or f"{self.claims.kind}:{self.claims.subject}"


class Authorizer:
    """Verifies tokens against the key ring and checks rights in the permission store."""

    def __init__(
        self,
        keys: KeyRing,
        permissions: PermissionStore,
        *,
        issuer: str,
        audience: str,
        cache_size: int = 50_000,
    ) -> None:
        self.keys = keys
        self.permissions = permissions
        self._issuer, self._audience = issuer, audience
        # Verifying a token costs about 180 µs (Ed25519 and the claims); a token is reused for
        # minutes. Least recently used first out, sized for every site of a country (40,000)
        # pushing to each hub process within a token's life: smaller, each push would miss.
        # Keyed by a 16-byte digest of the token, not the token (~600 bytes): ~0.7 kB a token.
        self._cache: OrderedDict[bytes, Claims] = OrderedDict()
        self._cache_size = cache_size

    def authenticate(self, token: str) -> Principal:
        """The principal a token names; InvalidToken if it is not acceptable."""
        key = blake2b(token.encode(), digest_size=16).digest()
        claims = self._cache.get(key)
        if claims is None:
            claims = verify(token, self.keys, issuer=self._issuer, audience=self._audience)
            self._remember(key, claims)
        elif claims.exp + LEEWAY_SECONDS < time():
            self._cache.pop(key, None)
            raise InvalidToken("Signature has expired")
        else:
            self._cache.move_to_end(key)
        return Principal(claims)

    def allows(
        self, who: Principal, right: Right, facility: str | None = None, program: str | None = None
    ) -> bool:
        """Whether the principal holds the right (at the facility, for the program, if given)."""
        c = who.claims
        if c.kind == "client":
            return str(right) in c.rights
        if c.kind != "user":
            return False  # sites write through edge ingestion, never through user routes
        perms = self.permissions.get(UUID(c.subject))
        if perms is None:
            return False
        if right_type(right) in _GLOBAL:
            facility = program = None
        return perms.allows(str(right), facility, program)

    def programs_at(self, who: Principal, right: Right, facility: str) -> frozenset[UUID] | None:
        """The programs the principal holds the right for at the facility: its items' scope.

        None means no program limit: a service client, a global right, or a right held at
        the facility without a program. A user holding it for no program there gets none.
        """
        if who.claims.kind != "user" or right_type(right) in _GLOBAL:
            return None
        perms = self.permissions.get(UUID(who.claims.subject))
        held = perms.programs_at(str(right), facility) if perms is not None else frozenset()
        return None if held is None else frozenset(_uuids(held))

    def facilities_of(self, who: Principal, right: Right) -> frozenset[UUID] | None:
        """The facilities where the principal holds the right; None: everywhere (a service
        client holding it, or a global right held)."""
        if who.claims.kind != "user" or right_type(right) in _GLOBAL:
            return None if self.allows(who, right) else frozenset()
        perms = self.permissions.get(UUID(who.claims.subject))
        if perms is None or not perms.active:
            return frozenset()
        return frozenset(_uuids(frozenset(f for r, f in perms.by_facility if r == str(right))))

    def allows_at_node(self, who: Principal, right: Right, node_id: UUID, program_id: UUID) -> bool:
        """Whether the user holds a supervision right at this very node for the program.

        Approval is checked here, at the node where a requisition waits: a right held at a
        child node does not let its holder act while the requisition waits at the parent.
        """
        if who.claims.kind != "user":
            return False
        perms = self.permissions.get(UUID(who.claims.subject))
        return (
            perms is not None
            and perms.active
            and ((str(right), node_id, program_id) in perms.node_scopes)
        )

    def nodes_of(self, who: Principal, right: Right) -> list[tuple[UUID, UUID]]:
        """The (node, program) pairs where the user holds a supervision right (work waiting
        for them); none for anyone but an active user."""
        if who.claims.kind != "user":
            return []
        perms = self.permissions.get(UUID(who.claims.subject))
        if perms is None or not perms.active:
            return []
        return [(node, program) for r, node, program in perms.node_scopes if r == str(right)]

    def _remember(self, key: bytes, claims: Claims) -> None:
        self._cache[key] = claims
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _uuids(values: frozenset[str]) -> list[UUID]:
    found = []
    for v in values:
        try:
            found.append(UUID(v))
        except ValueError:
            continue  # not a program id: it matches no item
    return found
