"""Dependencies routes share: the database, the clock and the sign-in desk.

They are `async def` although they never await: FastAPI runs a plain `def` dependency on a
worker thread, a thread hop per dependency per request for a mere attribute read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.signin.flow import SignIn


async def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


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
Clock = Annotated[Any, Depends(_clock)]
Desk = Annotated[SignIn, Depends(_signin)]
