"""Sign in (the OAuth2 password grant), sign out (revoking the refresh token), the language."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.i18n import remember
from akiba_web.render import BASE, redirect, render
from akiba_web.session import (
    LANG,
    REFRESH,
    SignedOut,
    User,
    check_csrf,
    current_user,
    forget_tokens,
    keep_tokens,
    set_cookie,
)

router = APIRouter()
Text = Annotated[str, Form(max_length=200)]


async def _signed_in_or_none(request: Request) -> User | None:
    try:
        return await current_user(request)
    except SignedOut:
        return None


def _safe_next(target: str | None) -> str:
    # Only our own pages: an open redirect would hand a phishing page a signed-in user.
    if target and target.startswith(f"{BASE}/") and not target.startswith("//"):
        return target
    return f"{BASE}/"


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "sign_in.html", next=_safe_next(next), failed=None)


@router.post("/sign-in")
async def sign_in(
    request: Request, username: Text, password: Text, csrf: Text = "", next: Text = ""
) -> Response:
    """Exchange the credentials for tokens, kept in HttpOnly cookies."""
    check_csrf(request, {"csrf": csrf})
    host: Host = request.app.state.host
    form = {"grant_type": "password", "username": username, "password": password}
    # The auth API limits failures per address: it sees the browser's, not ours.
    forwarded = {"x-forwarded-for": request.client.host} if request.client else {}
    try:
        answer = await host.backend.call("POST", "/oauth/token", None, form=form, headers=forwarded)
    except ApiError as e:
        if e.status not in (400, 401, 429):
            raise
        key = "signin.locked" if e.status == 429 else "signin.failed"
        return render(
            request, "sign_in.html", 401, next=_safe_next(next), failed=key, username=username
        )
    keep_tokens(request, answer)
    return redirect(request, _safe_next(next))


@router.post("/sign-out")
async def sign_out(request: Request, csrf: Text = "") -> Response:
    """Revoke the refresh token, forget both tokens."""
    check_csrf(request, {"csrf": csrf})
    host: Host = request.app.state.host
    refresh = request.cookies.get(REFRESH)
    if refresh:
        form = {"token": refresh, "token_type_hint": "refresh_token"}
        # Signed out here either way; a token the API did not revoke expires on its own.
        with contextlib.suppress(ApiError):
            await host.backend.call("POST", "/oauth/revoke", None, form=form)
    forget_tokens(request)
    return redirect(request, f"{BASE}/sign-in")


@router.post("/language")
async def language(request: Request, code: Text, csrf: Text = "", back: Text = "") -> Response:
    """Remember the language chosen (a year), then show the same page again."""
    check_csrf(request, {"csrf": csrf})
    host: Host = request.app.state.host
    if code in host.catalogues.messages:
        user = await _signed_in_or_none(request)
        kept = remember(request.cookies.get(LANG), user.name if user else None, code)
        set_cookie(request, LANG, kept, 365 * 24 * 3600)
    return redirect(request, _safe_next(back))
