"""The Backend port: the services' APIs, called with the signed-in user's token.

Paths are the APIs' own. Centrally each path goes to the service that owns it; at a site
every path goes to the gateway's app in process, so the pages work with no link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx


class ApiError(Exception):
    """An API answered with an error: its status and problem document."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.problem = dict(problem)
        self.title = str(problem.get("title") or problem.get("error") or status)
        self.detail = str(problem.get("detail") or problem.get("error_description") or "")
        super().__init__(f"{status} {self.title}: {self.detail}")


class Unreachable(ApiError):
    """The API did not answer (a service down, the link to central cut)."""

    def __init__(self, what: str) -> None:
        super().__init__(503, {"title": "Unreachable", "detail": what})


@dataclass(frozen=True)
class Route:
    """Paths under a prefix belong to the service at `base`."""

    prefix: str
    base: str


def route_of(routes: Sequence[Route], path: str) -> str:
    """The base URL of the first route whose prefix the path starts with (segment-wise)."""
    for r in routes:
        if path == r.prefix or path.startswith(r.prefix.rstrip("/") + "/"):
            return r.base
    raise LookupError(f"no service serves {path}")


class Backend:
    """Calls the APIs: JSON in and out, errors as ApiError."""

    def __init__(self, client: httpx.AsyncClient, routes: Sequence[Route] = ()) -> None:
        self._client = client
        self._routes = list(routes)

    def _url(self, path: str) -> str:
        return route_of(self._routes, path) + path if self._routes else path

    async def call(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; the decoded JSON answer (None for an empty one)."""
        sent = dict(headers or {})
        if token:
            sent["authorization"] = f"Bearer {token}"
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            r = await self._client.request(
                method, self._url(path), params=query, json=json, data=form, headers=sent
            )
        except httpx.TransportError as e:
            raise Unreachable(f"{method} {path}: {type(e).__name__}") from None
        if r.status_code >= 400:
            raise ApiError(r.status_code, _problem(r))
        return r.json() if r.content else None

    async def get(self, path: str, token: str | None, **params: Any) -> Any:
        """GET with query parameters (empty ones left out)."""
        return await self.call("GET", path, token, params=params)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()


def _problem(r: httpx.Response) -> Mapping[str, Any]:
    try:
        body = r.json()
    except ValueError:
        return {"title": r.reason_phrase or str(r.status_code)}
    return body if isinstance(body, dict) else {"title": str(body)}
