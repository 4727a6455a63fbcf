"""Offline sign-in: the OAuth token and revocation endpoints over the sign-in flow.

Same paths, forms and answers as auth's (RFC 6749, 7009) for the grants a site serves:
password and refresh_token. Errors are OAuth's JSON, never problem documents.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from akiba_contracts.fields import FormText
from akiba_platform import idempotency
from akiba_platform.http import PUBLIC, oauth_errors
from akiba_sync_gateway.api.deps import Desk
from akiba_sync_gateway.signin.flow import RefreshRefused, SignInRefused, Token, TooManyFailures

router = APIRouter(tags=["sync"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Bounded like every field: a NUL or a megabyte in a form must not reach the database.
FormField = Annotated[FormText | None, Form()]
# Neither takes an Idempotency-Key, as at auth: each sign-in issues new tokens, which are not
# to be kept at rest; revoking twice is revoking once.
TOKEN_EXEMPT = idempotency.exempt("issues tokens; a retry signs in again")
REVOKE_EXEMPT = idempotency.exempt("revoking twice is revoking once (RFC 7009)")


def _error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def _tokens(issued: Token) -> JSONResponse:
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
    }
    return JSONResponse(body, headers=NO_STORE)


async def _password(
    desk: Desk, request: Request, username: str | None, password: str | None
) -> JSONResponse:
    if not username or not password:
        missing = [n for n, v in (("username", username), ("password", password)) if not v]
        return _error(400, "invalid_request", f"missing {', '.join(missing)}")
    address = request.client.host if request.client else "unknown"
    try:
        return _tokens(await desk.token(username, password, address))
    except TooManyFailures as exc:
        retry = {"Retry-After": str(exc.retry_after)}
        return _error(
            429, "temporarily_unavailable", "too many failed attempts; retry later", retry
        )
    except SignInRefused:
        return _error(400, "invalid_grant", "unknown user, wrong password or inactive user")


async def _refresh(desk: Desk, refresh_token: str | None) -> JSONResponse:
    if not refresh_token:
        return _error(400, "invalid_request", "missing refresh_token")
    try:
        return _tokens(await desk.refresh(refresh_token))
    except RefreshRefused:
        return _error(400, "invalid_grant", "the refresh token is not valid")


@router.post(
    "/oauth/token",
    openapi_extra={**PUBLIC, **TOKEN_EXEMPT},
    responses=oauth_errors(400, 429),
)
async def token(
    request: Request,
    desk: Desk,
    grant_type: FormField = None,
    username: FormField = None,
    password: FormField = None,
    refresh_token: FormField = None,
) -> JSONResponse:
    """Issue local tokens offline: password or refresh_token grant (form-encoded).

    As at auth, too many recent failures for the user or the address answer 429 with
    Retry-After, whatever the password; a refresh token is spent by its use, and one used
    twice ends its whole family.
    """
    if grant_type == "password":
        return await _password(desk, request, username, password)
    if grant_type == "refresh_token":
        return await _refresh(desk, refresh_token)
    if not grant_type:
        return _error(400, "invalid_request", "missing grant_type")
    return _error(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported")


@router.post(
    "/oauth/revoke",
    openapi_extra={**PUBLIC, **REVOKE_EXEMPT},
    response_class=Response,
    responses=oauth_errors(400),
)
async def revoke(desk: Desk, token: FormField = None) -> Response:
    """Revoke a refresh token and its family (RFC 7009: unknown tokens also get 200)."""
    if not token:
        return _error(400, "invalid_request", "missing token")
    await desk.revoke(token)
    return Response(status_code=200, headers=NO_STORE)
