"""Dependencies routes share: the database, the site and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from akiba_sync_gateway.db import Database


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _site(request: Request) -> UUID:
    site: UUID = request.app.state.site_id
    return site


def _clock(request: Request) -> Callable[[], datetime]:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


def utcnow() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)


Db = Annotated[Database, Depends(_db)]
Site = Annotated[UUID, Depends(_site)]
Clock = Annotated[Any, Depends(_clock)]
