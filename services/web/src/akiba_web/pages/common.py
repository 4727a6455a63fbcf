"""What every page does: check the right at the store, read a posted form, refuse."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_web import forms
from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.render import render
from akiba_web.session import User, check_csrf, current_user

SignedIn = Annotated[User, Depends(current_user)]
"""A page parameter: the signed-in user (or off to sign in)."""
Page = Annotated[int, Query(ge=0, le=10_000)]
Status = Annotated[str | None, Query(max_length=30)]
Done = Annotated[str | None, Query(max_length=20)]
# A refusal the user can act on (stale version, wrong status, a value refused) is shown on the
# page; anything else is the error page (403, 404) or a service's failure.
SHOWN_ON_PAGE = (409, 422)


class NotAllowed(Exception):
    """The user lacks the right a page needs (the API would refuse it too)."""


async def store_of(request: Request, user: User, store_id: UUID, right: Right) -> Host:
    """The host, once the user is known to hold the right at the store."""
    if not user.may(right, store_id):
        raise NotAllowed(right)
    host: Host = request.app.state.host
    await host.refresh()
    return host


async def posted(request: Request) -> dict[str, Any]:
    """The posted form (CSRF checked), as a plain dict; every form carries an idempotency key."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, values)
    return values


def once(form: dict[str, Any]) -> dict[str, str]:
    """The form's idempotency key as a header: a double click or a re-post records once."""
    key = forms.text(form, "key")
    return {"Idempotency-Key": key} if key else {}


def refused(request: Request) -> Response:
    """The page for a post that cannot be what a form of ours sent."""
    return render(request, "error.html", 400, message_key="error.bad_form")


def central_only(host: Host) -> Host:
    """The host, if it is central's: a site's gateway holds no supplier's documents."""
    if not host.central:
        raise ApiError(404, {"title": "Not found", "detail": "served centrally only"})
    return host


def page_count(total: int, size: int) -> int:
    """How many pages of `size` rows hold `total` rows."""
    return -(-total // size)
