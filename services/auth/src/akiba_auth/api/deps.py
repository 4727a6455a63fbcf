"""Dependencies routes share."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from akiba_auth.domain.escalation import Actor
from akiba_auth.handlers.grants import Grants
from akiba_auth.passwords import PasswordHasher
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_platform.auth import CurrentPrincipal


def _uow(request: Request) -> AuthUnitOfWork:
    return AuthUnitOfWork(request.app.state.pool)


def _state(name: str) -> Any:
    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


async def _actor(who: CurrentPrincipal) -> Actor:
    # async although it never awaits: FastAPI would run a plain def on a worker thread.
    c = who.claims
    if c.kind == "user":
        return Actor(user_id=UUID(c.subject))
    return Actor(client_rights=c.rights)


Uow = Annotated[AuthUnitOfWork, Depends(_uow)]
GrantsDep = Annotated[Grants, Depends(_state("grants"))]
Hasher = Annotated[PasswordHasher, Depends(_state("hasher"))]
SettingsDep = Annotated[Settings, Depends(_state("settings"))]
ActorDep = Annotated[Actor, Depends(_actor)]
