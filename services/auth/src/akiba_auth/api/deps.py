"""Dependencies routes share."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from akiba_auth.handlers.grants import Grants
from akiba_auth.passwords import PasswordHasher
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork


def _uow(request: Request) -> AuthUnitOfWork:
    return AuthUnitOfWork(request.app.state.pool)


def _state(name: str) -> Any:
    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


Uow = Annotated[AuthUnitOfWork, Depends(_uow)]
GrantsDep = Annotated[Grants, Depends(_state("grants"))]
Hasher = Annotated[PasswordHasher, Depends(_state("hasher"))]
SettingsDep = Annotated[Settings, Depends(_state("settings"))]
