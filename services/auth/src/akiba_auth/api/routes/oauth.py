"""The OAuth 2 endpoints (RFC 6749, 7009) and the key set (RFC 7517): public by nature."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from akiba_auth.api.deps import GrantsDep, Uow
from akiba_auth.domain.errors import (
    GrantError,
    InvalidClient,
    InvalidRequest,
    TooManyAttempts,
    UnsupportedGrantType,
)
from akiba_auth.handlers import keys
from akiba_auth.handlers.grants import Grants
from akiba_auth.tokens import Tokens
from akiba_contracts.fields import FormText
from akiba_platform import idempotency
from akiba_platform.http import PUBLIC, oauth_errors

router = APIRouter(tags=["oauth"])
# Token answers must never be cached (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Bounded like every field: a NUL or a megabyte in a form must not reach the database.
FormField = Annotated[FormText | None, Form()]


def _oauth_error(e: GrantError) -> JSONResponse:
    headers = dict(NO_STORE)
    if isinstance(e, TooManyAttempts):
        headers["Retry-After"] = str(e.retry_after)
    if isinstance(e, InvalidClient):
        headers["WWW-Authenticate"] = 'Basic realm="akiba"'
    body = {"error": e.error, "error_description": str(e)}
    return JSONResponse(body, status_code=e.status, headers=headers)


def _tokens(t: Tokens) -> JSONResponse:
    body: dict[str, Any] = {
        "access_token": t.access_token,
        "token_type": "Bearer",
        "expires_in": t.expires_in,
    }
    if t.refresh_token is not None:
        body["refresh_token"] = t.refresh_token
    return JSONResponse(body, headers=NO_STORE)


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("malformed basic credentials") from None
    return unquote_plus(user), unquote_plus(secret)


def _required(**values: str | None) -> list[str]:
    missing = [name for name, v in values.items() if not v]
    if missing:
        raise InvalidRequest(f"missing {', '.join(missing)}")
    return [v or "" for v in values.values()]


async def _grant(grants: Grants, request: Request, form: dict[str, str | None]) -> Tokens:
    address = request.client.host if request.client else "unknown"
    grant = form["grant_type"]
    if grant == "password":
        username, password = _required(username=form["username"], password=form["password"])
        return await grants.password(username, password, address)
    if grant == "client_credentials":
        basic = _basic(request)
        cid, secret = basic or _required(
            client_id=form["client_id"], client_secret=form["client_secret"]
        )
        return await grants.client_credentials(cid, secret, address)
    if grant == "refresh_token":
        (token,) = _required(refresh_token=form["refresh_token"])
        return await grants.refresh(token)
    if not grant:
        raise InvalidRequest("missing grant_type")
    raise UnsupportedGrantType(f"grant_type {grant!r} is not supported")


# Sign-in is not a write a client retries for its effect: each call issues new tokens, and
# keeping the answer would store tokens at rest. Revocation is idempotent by itself (RFC 7009).
TOKEN_EXEMPT = idempotency.exempt("issues tokens; a retry signs in again")
REVOKE_EXEMPT = idempotency.exempt("revoking twice is revoking once (RFC 7009)")


@router.post(
    "/oauth/token",
    openapi_extra={**PUBLIC, **TOKEN_EXEMPT},
    responses=oauth_errors(400, 401, 429),
)
async def token(
    request: Request,
    grants: GrantsDep,
    grant_type: FormField = None,
    username: FormField = None,
    password: FormField = None,
    client_id: FormField = None,
    client_secret: FormField = None,
    refresh_token: FormField = None,
) -> Response:
    """Issue tokens: password, client_credentials or refresh_token grant (form-encoded)."""
    form = {
        "grant_type": grant_type,
        "username": username,
        "password": password,
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    try:
        return _tokens(await _grant(grants, request, form))
    except GrantError as e:
        return _oauth_error(e)


@router.post(
    "/oauth/revoke",
    openapi_extra={**PUBLIC, **REVOKE_EXEMPT},
    response_class=Response,
    responses=oauth_errors(400),
)
async def revoke(grants: GrantsDep, token: FormField = None) -> Response:
    """Revoke a refresh token and its family (RFC 7009: unknown tokens also get 200)."""
    if not token:
        return _oauth_error(InvalidRequest("missing token"))
    await grants.revoke(token)
    return Response(status_code=200, headers=NO_STORE)


@router.get("/.well-known/jwks.json", openapi_extra=PUBLIC)
async def jwks(uow: Uow) -> JSONResponse:
    """The public keys that verify access tokens."""
    body = await keys.jwks(uow)
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=60"})
