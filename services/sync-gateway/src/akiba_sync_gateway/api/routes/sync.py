"""Offline sign-in and the site's sync status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from akiba_contracts.fields import FormText
from akiba_contracts.rights import Right
from akiba_platform import idempotency
from akiba_platform.auth import requires
from akiba_platform.http.app import PUBLIC
from akiba_platform.http.openapi import oauth_errors
from akiba_sync_gateway import metrics
from akiba_sync_gateway.api.deps import Clock, Db
from akiba_sync_gateway.api.schemas import SyncStatus
from akiba_sync_gateway.signin import authority as signin
from akiba_sync_gateway.signin import limits
from akiba_sync_gateway.sync import health

router = APIRouter(tags=["sync"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Bounded like every field: a NUL or a megabyte in a form must not reach the database.
FormField = Annotated[FormText | None, Form()]


def _error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


# Sign-in takes no Idempotency-Key: each call issues a new token, which is not to be kept.
@router.post(
    "/oauth/token",
    openapi_extra={**PUBLIC, **idempotency.exempt("issues tokens; a retry signs in again")},
    responses=oauth_errors(400, 429),
)
async def token(
    request: Request,
    db: Db,
    clock: Clock,
    grant_type: FormField = None,
    username: FormField = None,
    password: FormField = None,
) -> JSONResponse:
    """Sign a site user in offline (password grant) against the cached credentials.

    As at auth, too many recent failures for the user or the address answer 429 with
    Retry-After, whatever the password.
    """
    if grant_type != "password":
        return _error(
            400, "unsupported_grant_type", "the gateway signs users in: grant_type=password"
        )
    if not username or not password:
        return _error(400, "invalid_request", "missing username or password")
    authority: signin.LocalAuthority = request.app.state.authority
    rules: limits.Limits = request.app.state.limits
    subject = limits.subject_of(username)
    address = request.client.host if request.client else "unknown"
    wait = await db.write(lambda c: limits.claim(c, subject, address, clock(), rules))
    if wait:
        retry = {"Retry-After": str(wait)}
        return _error(
            429, "temporarily_unavailable", "too many failed attempts; retry later", retry
        )
    found = await db.read(lambda c: signin.user(c, username))
    if not await authority.check_password(found, password):
        return _error(400, "invalid_grant", "unknown user, wrong password or inactive user")
    assert found is not None
    await db.write(lambda c: limits.clear_failures(c, subject))
    body = {
        "access_token": authority.issue(found),
        "token_type": "Bearer",
        "expires_in": authority.lifetime,
    }
    return JSONResponse(body, headers=NO_STORE)


@router.get("/sync/status", response_model=SyncStatus, **requires(Right.STOCK_CARDS_VIEW))
async def sync_status(db: Db, clock: Clock) -> SyncStatus:
    """Last push and pull, backlog, oldest unsynced, failing loops, blocked events, last errors."""
    found = await db.read(lambda c: health.status(c, clock()))
    metrics.publish(found)
    return SyncStatus.model_validate(found)
