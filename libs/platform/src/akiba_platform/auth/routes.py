"""Route dependencies: `**requires(Right.X, facility="store_id")`, `**requires_any(Right.X,
Right.Y)`, `**requires_site("site_id")`."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from akiba_contracts.rights import Right
from akiba_platform.auth.authorizer import Authorizer, Principal
from akiba_platform.auth.tokens import InvalidToken
from akiba_platform.http.problems import Problem

# Declared so OpenAPI shows the bearer scheme; the check itself is ours.
_bearer = HTTPBearer(auto_error=False, description="An access token from auth's /oauth/token")
Bearer = Annotated[Any, Depends(_bearer)]


def _unauthenticated(detail: str) -> Problem:
    return Problem(
        401, "Unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def authenticate(request: Request) -> Principal:
    """The request's verified principal (401 without a valid bearer token)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("a bearer access token is required")
    authorizer: Authorizer = request.app.state.authorizer
    try:
        return authorizer.authenticate(token.strip())
    except InvalidToken as exc:
        raise _unauthenticated(f"the access token is not valid: {exc}") from None


def _scope(request: Request, name: str | None) -> str | None:
    if name is None:
        return None
    value = request.path_params.get(name) or request.query_params.get(name)
    return None if value is None else str(value)


def requires(
    right: Right, *, facility: str | None = None, program: str | None = None
) -> dict[str, Any]:
    """Route keyword arguments that enforce `right` and declare it in OpenAPI.

    `facility`/`program` name the path or query parameter holding the scope to check.
    """

    async def check(request: Request, _: Bearer) -> None:
        who = authenticate(request)
        authorizer: Authorizer = request.app.state.authorizer
        scope = (_scope(request, facility), _scope(request, program))
        if not authorizer.allows(who, right, *scope):
            where = f" at {facility} {scope[0]}" if scope[0] else ""
            raise Problem(403, "Forbidden", f"this needs the right {right}{where}")
        request.state.principal = who
        # Which items it may touch there: those of these programs (None: any item).
        at = scope[0]
        request.state.programs = authorizer.programs_at(who, right, at) if at else None

    extra: dict[str, Any] = {"x-akiba-right": str(right)}
    if facility:
        extra["x-akiba-scope"] = {"facility": facility, "program": program}
    return {"dependencies": [Depends(check)], "openapi_extra": extra}


def requires_any(*rights: Right) -> dict[str, Any]:
    """Route keyword arguments for a route open to whoever holds any of `rights`, anywhere.

    The handler narrows what each caller sees (`Caller`). OpenAPI shows the first right as
    `x-akiba-right` and all of them as `x-akiba-any-right`.
    """

    async def check(request: Request, _: Bearer) -> None:
        who = authenticate(request)
        authorizer: Authorizer = request.app.state.authorizer
        if not any(authorizer.allows(who, right) for right in rights):
            names = " or ".join(str(r) for r in rights)
            raise Problem(403, "Forbidden", f"this needs the right {names}")
        request.state.principal = who

    extra = {"x-akiba-right": str(rights[0]), "x-akiba-any-right": [str(r) for r in rights]}
    return {"dependencies": [Depends(check)], "openapi_extra": extra}


def requires_site(param: str = "site_id") -> dict[str, Any]:
    """Route keyword arguments for a route only the site named by `param` may call.

    The bearer must be a site token (client_credentials, `kind: site`) for that very site:
    user, client and other sites' tokens are refused. OpenAPI shows it as `x-akiba-site`.
    """

    async def check(request: Request, _: Bearer) -> None:
        who = authenticate(request)
        if who.claims.kind != "site" or not _same_site(who.claims.site_id, _scope(request, param)):
            raise Problem(403, "Forbidden", f"only site {_scope(request, param)} may call this")
        request.state.principal = who

    return {"dependencies": [Depends(check)], "openapi_extra": {"x-akiba-site": param}}


def _same_site(claimed: str | None, wanted: str | None) -> bool:
    # Compared as UUIDs so the spelling of the path (case, braces) cannot matter.
    try:
        return claimed is not None and wanted is not None and UUID(claimed) == UUID(wanted)
    except ValueError:
        return False


async def _principal(request: Request) -> Principal:
    # async although it never awaits: FastAPI would run a plain def on a worker thread.
    principal: Principal = request.state.principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


async def _programs(request: Request) -> frozenset[UUID] | None:
    programs: frozenset[UUID] | None = getattr(request.state, "programs", None)
    return programs


# The programs the route's right is held for at its facility (None: no program limit).
ProgramScope = Annotated[frozenset[UUID] | None, Depends(_programs)]
