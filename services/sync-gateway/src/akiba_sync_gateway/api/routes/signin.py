"""Offline sign-in: the OAuth token endpoint over the sign-in flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from akiba_contracts.fields import FormText
from akiba_platform import idempotency
from akiba_platform.http import PUBLIC, oauth_errors
from akiba_sync_gateway.api.deps import Desk
from akiba_sync_gateway.signin.flow import SignInRefused, TooManyFailures

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
    desk: Desk,
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
    address = request.client.host if request.client else "unknown"
    try:
        issued = await desk.token(username, password, address)
    except TooManyFailures as exc:
        retry = {"Retry-After": str(exc.retry_after)}
        return _error(
            429, "temporarily_unavailable", "too many failed attempts; retry later", retry
        )
    except SignInRefused:
        return _error(400, "invalid_grant", "unknown user, wrong password or inactive user")
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
    }
    return JSONResponse(body, headers=NO_STORE)
