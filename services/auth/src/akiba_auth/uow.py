"""Auth's unit of work: every repository on one transaction with the outbox."""

from __future__ import annotations

from akiba_auth.adapters.credentials import AsyncpgCredentialRepository
from akiba_auth.adapters.roles import AsyncpgRoleRepository
from akiba_auth.adapters.sites import AsyncpgSiteRepository
from akiba_auth.adapters.tree import AsyncpgTreeRepository
from akiba_auth.adapters.users import AsyncpgUserRepository
from akiba_platform import UnitOfWork

# Every change that can alter someone's permissions takes this lock first, so the
# recomputations run one after another and each sees the previous one's commit: two admins
# editing the tree and an assignment at once cannot publish a stale result last.
PERMISSIONS_LOCK = 0x5045524D


class AuthUnitOfWork(UnitOfWork):
    """One transaction over auth's tables, the outbox and the inbox."""

    users: AsyncpgUserRepository
    roles: AsyncpgRoleRepository
    tree: AsyncpgTreeRepository
    sites: AsyncpgSiteRepository
    credentials: AsyncpgCredentialRepository

    def _open(self) -> None:
        self.users = AsyncpgUserRepository(self.conn)
        self.roles = AsyncpgRoleRepository(self.conn)
        self.tree = AsyncpgTreeRepository(self.conn)
        self.sites = AsyncpgSiteRepository(self.conn)
        self.credentials = AsyncpgCredentialRepository(self.conn)

    async def lock_permissions(self) -> None:
        """Serialise permission-changing transactions (held until commit or rollback)."""
        await self.conn.execute("select pg_advisory_xact_lock($1)", PERMISSIONS_LOCK)
