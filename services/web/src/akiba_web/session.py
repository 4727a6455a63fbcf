"""Who is signed in: tokens in HttpOnly cookies, refreshed before they expire.

The browser never sees a token it could leak to a script: the access and refresh tokens live
in HttpOnly, SameSite=Strict cookies, and every form carries the session's CSRF token too.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_platform.auth import InvalidToken, Principal
from akiba_web.backend import ApiError
from akiba_web.host import Host

ACCESS, REFRESH, CSRF, LANG = "akiba_at", "akiba_rt", "akiba_csrf", "akiba_lang"
# Refresh this long before the access token expires: a form posted just then still passes.
REFRESH_AHEAD_SECONDS = 60


class SignedOut(Exception):
    """No usable session: the page sends the browser to sign in."""


class BadCsrf(Exception):
    """A form without the session's CSRF token (a cross-site or stale post)."""


@dataclass
class User:
    """The signed-in user of a request, with what their rights allow."""

    token: str
    principal: Principal
    csrf: str
    host: Host = field(repr=False)
    _stores: dict[Right, list[UUID]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The username."""
        return self.principal.actor

    def may(self, right: Right, store: UUID | str | None = None) -> bool:
        """Whether the user holds the right (at the store, if given)."""
        where = None if store is None else str(store)
        return self.host.authorizer.allows(self.principal, right, where)

    def stores(self, right: Right = Right.STOCK_CARDS_VIEW) -> list[UUID]:
        """The stores where the user holds the right, by name (worked out once per request)."""
        if right not in self._stores:
            self._stores[right] = self._find_stores(right)
        return self._stores[right]

    def _find_stores(self, right: Right) -> list[UUID]:
        # A service client or a global right has no stores of its own to list.
        found = self.host.authorizer.facilities_of(self.principal, right) or frozenset()
        return sorted(found, key=lambda s: self.host.reference.store_name(s).lower())


def secure(request: Request) -> bool:
    """Cookies are Secure when the page came over HTTPS (or the settings say so)."""
    host: Host = request.app.state.host
    return host.secure_cookies or request.url.scheme == "https"


def set_cookie(request: Request, name: str, value: str, max_age: int | None = None) -> None:
    """Queue a cookie for the response (`finish` writes it)."""
    request.state.cookies = [*getattr(request.state, "cookies", []), (name, value, max_age)]


def finish(request: Request, response: Response) -> Response:
    """Write the cookies queued during the request onto its response."""
    for name, value, max_age in getattr(request.state, "cookies", []):
        if value == "":
            response.delete_cookie(name, path="/", samesite="strict")
            continue
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=name != LANG,
            secure=secure(request),
            samesite="strict",
        )
    return response


def csrf_token(request: Request) -> str:
    """The browser's CSRF token, made (and queued as a cookie) on first use."""
    token = request.cookies.get(CSRF) or getattr(request.state, "csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        set_cookie(request, CSRF, token)
    request.state.csrf = token
    return str(token)


def check_csrf(request: Request, form: Any) -> None:
    """Refuse a post whose form token is not the cookie's."""
    sent, kept = str(form.get("csrf") or ""), request.cookies.get(CSRF) or ""
    if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
        raise BadCsrf()


def keep_tokens(request: Request, answer: dict[str, Any]) -> str:
    """Queue the token answer's cookies; the access token."""
    access = str(answer["access_token"])
    set_cookie(request, ACCESS, access, int(answer.get("expires_in") or 900))
    if answer.get("refresh_token"):
        # A session cookie: the browser forgets it when closed; the server expires it anyway.
        set_cookie(request, REFRESH, str(answer["refresh_token"]))
    return access


def forget_tokens(request: Request) -> None:
    """Queue the removal of the token cookies."""
    set_cookie(request, ACCESS, "")
    set_cookie(request, REFRESH, "")


async def current_user(request: Request) -> User:
    """The signed-in user, refreshing the access token when it is about to expire."""
    host: Host = request.app.state.host
    token = request.cookies.get(ACCESS) or ""
    principal = _principal(host, token)
    if principal is None or principal.claims.exp - time.time() < REFRESH_AHEAD_SECONDS:
        token = await _refresh(request, host)
        principal = _principal(host, token)
        if principal is None:
            raise SignedOut()
    user = User(token, principal, csrf_token(request), host)
    request.state.user = user
    return user


def _principal(host: Host, token: str) -> Principal | None:
    if not token:
        return None
    try:
        return host.authorizer.authenticate(token)
    except InvalidToken:
        return None


async def _refresh(request: Request, host: Host) -> str:
    refresh = request.cookies.get(REFRESH)
    if not refresh:
        raise SignedOut()
    form = {"grant_type": "refresh_token", "refresh_token": refresh}
    try:
        answer = await host.backend.call("POST", "/oauth/token", None, form=form)
    except ApiError as e:
        if e.status in (400, 401):
            forget_tokens(request)
            raise SignedOut() from None
        raise
    return keep_tokens(request, answer)
