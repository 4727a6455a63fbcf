"""The caller's rights for the requisition steps, from the request's verified principal."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from akiba_platform.auth import CallerRights, CurrentPrincipal


class RequestGate(CallerRights):
    """A caller of central's API (auth's published permissions), not a site's gateway."""

    site_id: UUID | None = None


def _gate(request: Request, who: CurrentPrincipal) -> RequestGate:
    return RequestGate(request.app.state.authorizer, who)


Caller = Annotated[RequestGate, Depends(_gate)]
