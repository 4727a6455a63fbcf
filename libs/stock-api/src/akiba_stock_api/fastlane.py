"""The stock writes' fast lane: the write routes' success path without FastAPI's machinery.

Recording a document is the hot path of both the gateway and inventory, and FastAPI's
per-request work (dependency solving, request and response objects, its exception layers)
cost about half of the CPU of a receipt in the gateway bench. This plain ASGI middleware,
inside the platform's telemetry and idempotency middleware, takes
`POST /stores/{id}/receipts|issues|adjustments|location-moves` only when the request is
plainly fine: a JSON body that the route's own pydantic model accepts, and a bearer token
that the same Authorizer verifies and that holds STOCK_ADJUST at that store. It then records
with the routes' own code (`WRITES` over the desk the service gives) and answers 201 with
the same JSON. Anything else (no or bad token, no right, invalid body, another content type) goes
on to the FastAPI route untouched, body replayed, so every refusal keeps its one canonical
form; errors of the write itself are rendered by the app's own exception handlers.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import State
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import MovementResponse
from akiba_platform.auth import Authorizer, InvalidToken
from akiba_platform.http import read_body, replaying
from akiba_stock_api.desk import MovementDesk
from akiba_stock_api.requests import WRITES, Write

_PATH = re.compile(r"/stores/([0-9a-fA-F-]{36})/(receipts|issues|adjustments|location-moves)")
_MOVEMENTS = TypeAdapter(list[MovementResponse])
_JSON = (b"application/json",)


@dataclass(frozen=True)
class _Route:
    """What the platform's telemetry reads of a matched route: its path template."""

    path: str


_ROUTES = {kind: _Route(f"/stores/{{store_id}}/{kind}") for kind in WRITES}


class FastLane:
    """Records well-formed, authorised write requests directly; passes on everything else."""

    def __init__(
        self,
        app: ASGIApp,
        desk_of: Callable[[State], MovementDesk],
    ) -> None:
        self.app, self._desk_of = app, desk_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _match(scope)
        if match is None:
            await self.app(scope, receive, send)
            return
        body, read = await read_body(receive)
        replay = replaying(read, receive)
        planned = None if body is None else self._plan(scope, match, body)
        if planned is None:
            await self.app(scope, replay, send)
            return
        write, desk, store_id, request, actor, programs = planned
        # As FastAPI's router would: the route names the request in the latency metric
        # (its template, not the path with the store's id in it).
        scope["route"] = _ROUTES[match.group(2)]
        try:
            result = await write(desk, store_id, request, actor, programs)
        except Exception as exc:
            # The app's own handler, picked as Starlette picks it: the nearest class in the MRO.
            handlers = scope["app"].exception_handlers
            handler = next((handlers[t] for t in type(exc).__mro__ if t in handlers), None)
            if handler is None:
                raise
            answer = handler(Request(scope), exc)
            problem = await answer if inspect.isawaitable(answer) else answer
            await problem(scope, replay, send)
            return
        await _created(send, _json(result))

    def _plan(
        self, scope: Scope, match: re.Match[str], body: bytes
    ) -> tuple[Write, MovementDesk, UUID, BaseModel, str, frozenset[UUID] | None] | None:
        """What to record, if the request is authorised and valid; None to let FastAPI answer."""
        store, kind = match.group(1), match.group(2)
        headers = dict(scope["headers"])
        if headers.get(b"content-type", b"application/json").split(b";")[0] not in _JSON:
            return None
        state = scope["app"].state
        authorizer: Authorizer = state.authorizer
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            who = authorizer.authenticate(token.strip())
            store_id = UUID(store)
        except (InvalidToken, ValueError):
            return None
        if not authorizer.allows(who, Right.STOCK_ADJUST, store):
            return None
        model, write = WRITES[kind]
        try:
            request = model.model_validate_json(body)
        except ValidationError:
            return None
        programs = authorizer.programs_at(who, Right.STOCK_ADJUST, store)
        return write, self._desk_of(state), store_id, request, who.actor, programs


def _match(scope: Scope) -> re.Match[str] | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    return _PATH.fullmatch(scope["path"])


def _json(result: Any) -> bytes:
    if isinstance(result, list):
        return _MOVEMENTS.dump_json(result)
    assert isinstance(result, BaseModel)
    return result.model_dump_json().encode()


async def _created(send: Send, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": body})
