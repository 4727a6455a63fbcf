"""The site's link to central: push up through the hub, pull the feed, fetch credentials.

`Uplink` is the seam the forwarder depends on; `HttpUplink` pushes to the sync hub. A Kafka
uplink (producing the same CloudEvents, keyed by store, with the site's SASL credentials)
would implement the same Protocol and nothing else would change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel, Field, ValidationError

from akiba_contracts.sync import (
    BACKLOG_HEADER,
    OLDEST_UNFORWARDED_HEADER,
    FeedPage,
    PushResponse,
    SiteCredentials,
)
from akiba_sync_gateway.adapters.outbox import Backlog

__all__ = [
    "Downlink",
    "HttpDownlink",
    "HttpUplink",
    "LinkDown",
    "PushTooLarge",
    "ReadBacklog",
    "RecentBacklog",
    "SiteTokens",
    "UnreadableAnswer",
    "Uplink",
]

REFRESH_BEFORE_SECONDS = 60  # renew a site token this long before it expires
M = TypeVar("M", bound=BaseModel)
ReadBacklog = Callable[[], Awaitable[Backlog]]
"""Reads the site's backlog as it stands, to report it to the hub with a push or a pull."""


RETRY_AFTER_MAX_SECONDS = 600.0


class RecentBacklog:
    """The backlog read at most once every `seconds`, shared by the requests made meanwhile.

    Every push reports the backlog, and counting a million pending events once per push (four
    lanes at a time) took a fifth of the gateway's CPU during a month's catch-up; a second-old
    figure tells the hub as much.
    """

    def __init__(
        self,
        read: ReadBacklog,
        seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read, self._seconds, self._monotonic = read, seconds, monotonic
        self._last: asyncio.Future[Backlog] | None = None
        self._at = 0.0

    async def __call__(self) -> Backlog:
        now, last = self._monotonic(), self._last
        if last is None or now - self._at >= self._seconds or _failed(last):
            self._at, last = now, asyncio.ensure_future(self._read())
            self._last = last
        return await asyncio.shield(last)


def _failed(read: asyncio.Future[Backlog]) -> bool:
    return read.done() and (read.cancelled() or read.exception() is not None)


class LinkDown(Exception):
    """Central could not be reached or answered with an error worth retrying later.

    `retry_after`: the seconds central asked the site to wait (a 503 or 429's Retry-After).
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after(r: httpx.Response) -> float | None:
    """The wait a 503 or 429 asks for, in seconds (capped); None if it asks none or in a form
    not read here (an HTTP date)."""
    value = r.headers.get("retry-after", "").strip()
    if r.status_code not in (429, 503) or not value.isdigit():
        return None
    return min(float(value), RETRY_AFTER_MAX_SECONDS)


class UnreadableAnswer(LinkDown):
    """A 2xx whose body is not the document asked for: a captive portal, a proxy's page."""


class PushTooLarge(LinkDown):
    """413: whatever answered (the hub or a proxy before it) takes no push this large."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class _TokenAnswer(BaseModel):
    access_token: str = Field(min_length=1)
    expires_in: float = Field(300.0, gt=0)


def _read(model: type[M], r: httpx.Response, what: str) -> M:
    """The answer as `model`, or UnreadableAnswer saying what came instead."""
    try:
        return model.model_validate_json(r.content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        kind = r.headers.get("content-type", "no content-type")
        start = r.content[:200].decode("utf-8", "replace")
        raise UnreadableAnswer(
            f"{r.request.method} {r.request.url}: {r.status_code} {kind} is not {what}"
            f" ({where}: {first['msg']}): {start!r}"
        ) from None


class Uplink(Protocol):
    """Where recorded events go: every id comes back in `accepted` or `refused`, or it raises."""

    async def push(self, events: list[bytes]) -> PushResponse:
        """Deliver encoded CloudEvents in order; LinkDown (413: PushTooLarge) if none settled."""
        ...


class Downlink(Protocol):
    """What central sends the site."""

    async def feed(self, after: int, limit: int) -> FeedPage:
        """Feed entries after a cursor."""
        ...

    async def credentials(self) -> SiteCredentials:
        """The site's users, hashes and permissions."""
        ...


class SiteTokens:
    """The site's access token from auth (client_credentials), renewed before it expires."""

    def __init__(self, client: httpx.AsyncClient, auth_url: str, site_id: UUID, secret: str):
        self._client, self._url = client, auth_url.rstrip("/") + "/oauth/token"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": str(site_id),
            "client_secret": secret,
        }
        self._token: str | None = None
        self._expires = 0.0

    async def get(self) -> str:
        """A token valid for at least a minute more."""
        if self._token is None or time.monotonic() > self._expires - REFRESH_BEFORE_SECONDS:
            await self._renew()
        assert self._token is not None
        return self._token

    def forget(self) -> None:
        """Central refused the token: get a new one next time."""
        self._token = None

    async def _renew(self) -> None:
        try:
            r = await self._client.post(self._url, data=self._form)
        except httpx.HTTPError as exc:
            raise LinkDown(f"auth: {type(exc).__name__}: {exc}") from None
        if r.status_code != 200:
            raise LinkDown(f"auth refused the site's credentials: {r.status_code} {r.text[:200]}")
        answer = _read(_TokenAnswer, r, "a token")
        self._token = answer.access_token
        self._expires = time.monotonic() + answer.expires_in


def backlog_headers(backlog: Backlog) -> dict[str, str]:
    """The backlog as the hub reads it from a push's or a pull's headers."""
    headers = {BACKLOG_HEADER: str(backlog.pending)}
    if backlog.oldest is not None:
        headers[OLDEST_UNFORWARDED_HEADER] = backlog.oldest.isoformat()
    return headers


class _Authorized:
    def __init__(
        self, client: httpx.AsyncClient, tokens: SiteTokens, backlog: ReadBacklog | None = None
    ) -> None:
        self._client, self._tokens, self._backlog = client, tokens, backlog

    async def _report(self) -> dict[str, str]:
        # Read per request, so the hub sees the backlog as it stands at each contact.
        return {} if self._backlog is None else backlog_headers(await self._backlog())

    async def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        params: dict[str, int] | None = None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send with the site token (and `extra` headers); on 401 renew it once and try again."""
        for attempt in (1, 2):
            headers = {**(extra or {}), "authorization": f"Bearer {await self._tokens.get()}"}
            if content is not None:
                headers["content-type"] = "application/json"
            try:
                r = await self._client.request(
                    method, url, content=content, params=params, headers=headers
                )
            except httpx.HTTPError as exc:
                raise LinkDown(f"{method} {url}: {type(exc).__name__}: {exc}") from None
            if r.status_code != 401 or attempt == 2:
                break
            self._tokens.forget()
        if r.status_code == 413:
            size = len(content or b"")
            raise PushTooLarge(f"{method} {url}: 413 for {size} bytes: {r.text[:300]}", size)
        if r.status_code >= 300:
            raise LinkDown(f"{method} {url}: {r.status_code} {r.text[:200]}", retry_after(r))
        return r


class HttpUplink(_Authorized):
    """Pushes to the sync hub: POST {hub}/sites/{site_id}/events, a JSON array of CloudEvents."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: SiteTokens, hub_url: str, site_id: UUID,
        backlog: ReadBacklog | None = None,
    ) -> None:  # fmt: skip
        super().__init__(client, tokens, backlog)
        self._url = f"{hub_url.rstrip('/')}/sites/{site_id}/events"

    async def push(self, events: list[bytes]) -> PushResponse:
        """One batch, with the backlog; the hub answers once every accepted event is on Kafka."""
        body = b"[" + b",".join(events) + b"]"
        r = await self.request("POST", self._url, content=body, extra=await self._report())
        return _read(PushResponse, r, "a push response")


class HttpDownlink(_Authorized):
    """Reads the site feed from the hub and the site's credentials from auth."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: SiteTokens, hub_url: str, auth_url: str,
        site_id: UUID, backlog: ReadBacklog | None = None,
    ) -> None:  # fmt: skip
        super().__init__(client, tokens, backlog)
        self._feed = f"{hub_url.rstrip('/')}/sites/{site_id}/feed"
        self._credentials = f"{auth_url.rstrip('/')}/sites/{site_id}/credentials"

    async def feed(self, after: int, limit: int) -> FeedPage:
        """GET the feed after a cursor, with the backlog."""
        params = {"after": after, "limit": limit}
        r = await self.request("GET", self._feed, params=params, extra=await self._report())
        return _read(FeedPage, r, "a feed page")

    async def credentials(self) -> SiteCredentials:
        """GET the site's cached-credentials document."""
        r = await self.request("GET", self._credentials)
        return _read(SiteCredentials, r, "the site's credentials")
