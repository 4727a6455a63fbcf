"""The middleware: a write carrying an Idempotency-Key has its effect once per caller and key.

Plain ASGI (not BaseHTTPMiddleware): a request without the header costs a method check and
a header scan. With it: one lookup before the route runs, the claim inserted by whatever
commits the effect (in its transaction), and the answer stored after it.
"""

from __future__ import annotations

import asyncio
import time

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from akiba_platform.auth.authorizer import Authorizer
from akiba_platform.auth.tokens import InvalidToken
from akiba_platform.faults import crash_point
from akiba_platform.http.asgi import header, read_body, replaying
from akiba_platform.http.problems import problem_response
from akiba_platform.idempotency._claim import (
    KEY,
    WRITE_METHODS,
    Claim,
    KeyAlreadyClaimed,
    _current,
    fingerprint,
)
from akiba_platform.idempotency._keeper import Keeper
from akiba_platform.idempotency._openapi import EXEMPT
from akiba_platform.idempotency._seal import seal, unseal
from akiba_platform.idempotency._store import Answer, Stored

REPLAYED = (b"idempotent-replayed", b"true")


class IdempotencyMiddleware:
    """Replays the first answer to a key's retries; refuses the key's reuse for another request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._exempt: list[RouteContext] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope)
        caller = None if key is None else _caller(scope)
        if key is None or caller is None or self._is_exempt(scope):
            # No key, or an unauthenticated caller (the route answers 401): nothing to keep.
            await self.app(scope, receive, send)
            return
        if not KEY.fullmatch(key):
            detail = "an Idempotency-Key is 1 to 255 visible ASCII characters (a UUID is good)"
            await _problem(scope, receive, send, 400, "Invalid Idempotency-Key", detail)
            return
        body, read = await read_body(receive)
        replay = replaying(read, receive)
        if body is None:  # the client went away before sending its body
            await self.app(scope, replay, send)
            return
        claim = Claim(caller, key, _fingerprint(scope, body))
        keeper: Keeper = scope["app"].state.idempotency
        stored = await keeper.store.find(claim.scope, claim.key_hash)
        if stored is None:
            await self._run(keeper, claim, scope, replay, send)
        else:
            await _settle(keeper, claim, stored, scope, replay, send)

    async def _run(
        self, keeper: Keeper, claim: Claim, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = _Buffered()
        token = _current.set(claim)
        try:
            await self.app(scope, receive, response.send)
        except KeyAlreadyClaimed:
            # A request with the same key committed first; this one's transaction rolled back.
            stored = await keeper.store.find(claim.scope, claim.key_hash)
            await _settle(keeper, claim, stored, scope, receive, send)
            return
        finally:
            _current.reset(token)
        if claim.recorded or 200 <= response.status < 300:
            crash_point("idempotency-before-answer")
            await _keep(keeper, claim, response)
        await response.forward(send)

    def _is_exempt(self, scope: Scope) -> bool:
        if self._exempt is None:  # the app's routes are all in place once requests arrive
            routes = iter_route_contexts(scope["app"].routes)
            self._exempt = [r for r in routes if EXEMPT in (_extra(r) or ())]
        return any(r.matches(scope)[0] == Match.FULL for r in self._exempt)


async def _keep(keeper: Keeper, claim: Claim, response: _Buffered) -> None:
    sealed = seal(claim.key, claim.scope, response.body)
    await keeper.keep(claim, Answer(response.status, response.content_type, sealed))


def _extra(route: RouteContext) -> dict[str, object] | None:
    # Plain Starlette routes (/docs, /openapi.json) have no openapi_extra.
    return getattr(route, "openapi_extra", None)


def _fingerprint(scope: Scope, body: bytes) -> bytes:
    return fingerprint(scope["method"], scope["path"], scope.get("query_string", b""), body)


def _key(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
        return None
    return header(scope, b"idempotency-key")


def _caller(scope: Scope) -> str | None:
    """Whose keys these are: the bearer's kind and subject, as the Authorizer verifies them."""
    authorizer: Authorizer | None = getattr(scope["app"].state, "authorizer", None)
    scheme, _, token = (header(scope, b"authorization") or "").partition(" ")
    if authorizer is None or scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = authorizer.authenticate(token.strip()).claims
    except InvalidToken:
        return None
    return f"{claims.kind}:{claims.subject}"


async def _settle(
    keeper: Keeper, claim: Claim, stored: Stored | None, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer a request whose key was recorded already: replay, or 409."""
    if stored is not None and stored.fingerprint != claim.fingerprint:
        detail = "this Idempotency-Key was used for another request; use a new key"
        await _problem(scope, receive, send, 409, "Idempotency-Key reused", detail)
        return
    answer = stored.answer if stored is not None else None
    if stored is not None and answer is None:
        answer = await _answer_of(keeper, claim)
    body = None if answer is None else unseal(claim.key, claim.scope, answer.body)
    if answer is None or body is None:
        detail = (
            "a request with this Idempotency-Key is in progress or its answer was lost;"
            " it was recorded once"
        )
        await _problem(scope, receive, send, 409, "Idempotency-Key in use", detail)
        return
    headers = {REPLAYED[0].decode(): REPLAYED[1].decode()}
    replayed = Response(body, answer.status, headers, media_type=answer.content_type)
    await replayed(scope, receive, send)


async def _answer_of(keeper: Keeper, claim: Claim) -> Answer | None:
    """Wait a little for the first request to store its answer."""
    deadline = time.monotonic() + keeper.wait_seconds
    pause = 0.02
    while time.monotonic() < deadline:
        await asyncio.sleep(pause)
        stored = await keeper.store.find(claim.scope, claim.key_hash)
        if stored is not None and stored.answer is not None:
            return stored.answer
        pause = min(pause * 2, 0.25)
    return None


async def _problem(
    scope: Scope, receive: Receive, send: Send, status: int, title: str, detail: str
) -> None:
    await problem_response(Request(scope), status, title, detail)(scope, receive, send)


class _Buffered:
    """The route's answer, held until it is stored (so a retry never misses it), then sent."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def status(self) -> int:
        return int(self.start["status"]) if self.start else 500

    @property
    def content_type(self) -> str | None:
        found = dict(self.start.get("headers", ())) if self.start else {}
        value = found.get(b"content-type")
        return None if value is None else bytes(value).decode("latin-1")

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def forward(self, send: Send) -> None:
        assert self.start is not None, "the route answered nothing"
        await send(self.start)
        await send({"type": "http.response.body", "body": self.body})
