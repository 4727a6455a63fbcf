"""Dependencies routes share."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from akiba_sync_hub.ingress import Ingress
from akiba_sync_hub.settings import Settings


def state(name: str) -> Any:
    """A dependency giving the app state's `name`."""

    # async although it never awaits: FastAPI runs a plain def on a worker thread, a thread
    # hop per dependency per request (three per push).
    async def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


# asyncpg.Pool is generic only in its stubs; FastAPI needs no class for app state.
Pool = Annotated[Any, Depends(state("pool"))]
IngressDep = Annotated[Ingress, Depends(state("ingress"))]
SettingsDep = Annotated[Settings, Depends(state("settings"))]
