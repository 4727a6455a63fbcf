"""What a page needs from the process serving it: central's `web` or a site's gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from akiba_platform.auth import Authorizer
from akiba_web.backend import Backend
from akiba_web.changes import Changes
from akiba_web.i18n import Catalogues
from akiba_web.reference import Reference


async def _nothing() -> None:
    return None


@dataclass
class Host:
    """The APIs, rights, names and live changes of one place the app runs."""

    name: str
    backend: Backend
    authorizer: Authorizer
    reference: Reference
    changes: Changes = field(default_factory=Changes)
    catalogues: Catalogues = field(default_factory=Catalogues)
    # Central: one `GET /alerts` across stores and the hub's sites' sync status.
    central: bool = True
    secure_cookies: bool = False
    # A site re-reads its names from the gateway's database before a page (cheap, local).
    refresh: Callable[[], Awaitable[None]] = _nothing
