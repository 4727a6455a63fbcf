"""Each user's effective permissions, as auth last published them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from akiba_contracts.payloads import UserPermissionsChanged


@dataclass(frozen=True)
class UserPermissions:
    """One user's rights, indexed for constant-time checks."""

    version: int
    active: bool
    exact: frozenset[str]
    by_facility: frozenset[tuple[str, str]]
    by_right: frozenset[str]
    node_scopes: frozenset[tuple[str, UUID, UUID]]
    # (right, facility) -> the programs it is held for there; "" stands for no program.
    programs: dict[tuple[str, str], frozenset[str]]

    @classmethod
    def of(cls, p: UserPermissionsChanged) -> UserPermissions:
        """Index `RIGHT|facility|program` strings by right and by (right, facility)."""
        parts = [s.split("|") for s in p.permissions]
        programs: dict[tuple[str, str], set[str]] = {}
        for x in parts:
            if len(x) > 1:
                programs.setdefault((x[0], x[1]), set()).add(x[2] if len(x) > 2 else "")
        return cls(
            version=p.version,
            active=p.active,
            exact=frozenset(p.permissions),
            by_facility=frozenset((x[0], x[1]) for x in parts if len(x) > 1),
            by_right=frozenset(x[0] for x in parts),
            node_scopes=frozenset((s.right, s.node_id, s.program_id) for s in p.node_scopes),
            programs={k: frozenset(v) for k, v in programs.items()},
        )

    def allows(self, right: str, facility: str | None, program: str | None) -> bool:
        """Whether the right is held, at the facility and for the program when given."""
        if not self.active:
            return False
        if facility is None:
            return right in self.by_right
        if program is None:
            return (right, facility) in self.by_facility
        return f"{right}|{facility}|{program}" in self.exact

    def programs_at(self, right: str, facility: str) -> frozenset[str] | None:
        """The programs the right is held for at the facility; None if held without one."""
        held = self.programs.get((right, facility), frozenset()) if self.active else frozenset()
        return None if "" in held else held


class PermissionStore:
    """The read model: latest permissions per user; stale versions are ignored."""

    def __init__(self) -> None:
        self._users: dict[UUID, UserPermissions] = {}

    def apply(self, p: UserPermissionsChanged) -> bool:
        """Take a newer record; return whether it changed anything."""
        known = self._users.get(p.user_id)
        if known is not None and known.version >= p.version:
            return False
        self._users[p.user_id] = UserPermissions.of(p)
        return True

    def get(self, user_id: UUID) -> UserPermissions | None:
        """The user's permissions, or None if auth never published any."""
        return self._users.get(user_id)

    def __len__(self) -> int:
        return len(self._users)
