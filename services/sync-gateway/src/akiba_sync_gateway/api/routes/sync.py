"""Offline sign-in and the site's sync status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http.app import PUBLIC
from akiba_sync_gateway import metrics, outbox, signin
from akiba_sync_gateway.api.deps import Clock, Db
from akiba_sync_gateway.api.schemas import SyncStatus

router = APIRouter(tags=["sync"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FormField = Annotated[str | None, Form()]


def _error(status: int, error: str, description: str) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers=NO_STORE)


@router.post("/oauth/token", openapi_extra=PUBLIC)
async def token(
    request: Request,
    db: Db,
    grant_type: FormField = None,
    username: FormField = None,
    password: FormField = None,
) -> JSONResponse:
    """Sign a site user in offline (password grant) against the cached credentials."""
    if grant_type != "password":
        return _error(
            400, "unsupported_grant_type", "the gateway signs users in: grant_type=password"
        )
    if not username or not password:
        return _error(400, "invalid_request", "missing username or password")
    authority: signin.LocalAuthority = request.app.state.authority
    found = await db.read(lambda c: signin.user(c, username))
    if not await authority.check_password(found, password):
        return _error(400, "invalid_grant", "unknown user, wrong password or inactive user")
    assert found is not None
    body = {
        "access_token": authority.issue(found),
        "token_type": "Bearer",
        "expires_in": authority.lifetime,
    }
    return JSONResponse(body, headers=NO_STORE)


@router.get("/sync/status", response_model=SyncStatus, **requires(Right.STOCK_CARDS_VIEW))
async def sync_status(db: Db, clock: Clock) -> SyncStatus:
    """Last push and pull, backlog not forwarded and not synced, oldest unsynced, last errors."""
    found = await db.read(lambda c: outbox.status(c, clock()))
    metrics.publish(found)
    return SyncStatus.model_validate(found)
