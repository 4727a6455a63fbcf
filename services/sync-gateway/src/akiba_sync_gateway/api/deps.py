"""Dependencies routes share: the database, the site, the clock and the sign-in desk.

They are `async def` although they never await: FastAPI runs a plain `def` dependency on a
worker thread, a thread hop per dependency per request for a mere attribute read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.signin.flow import SignIn


@dataclass(frozen=True)
class Recorder:
    """What a write route needs, as one dependency: FastAPI's per-dependency cost is
    measurable on the local record path (the gateway bench), three of them more so."""

    db: Database
    site_id: UUID
    clock: Callable[[], datetime]
    # The programs the writer's right covers at the store (None: any item).
    programs: frozenset[UUID] | None = None


async def _recorder(request: Request) -> Recorder:
    state = request.app.state
    return Recorder(state.db, state.site_id, state.clock, getattr(request.state, "programs", None))


async def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def _site(request: Request) -> UUID:
    site: UUID = request.app.state.site_id
    return site


async def _clock(request: Request) -> Callable[[], datetime]:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


async def _signin(request: Request) -> SignIn:
    desk: SignIn = request.app.state.signin
    return desk


def utcnow() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)


Db = Annotated[Database, Depends(_db)]
Site = Annotated[UUID, Depends(_site)]
Clock = Annotated[Any, Depends(_clock)]
Record = Annotated[Recorder, Depends(_recorder)]
Desk = Annotated[SignIn, Depends(_signin)]
