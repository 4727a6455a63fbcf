"""The local record's fast lane: the write routes' success path without FastAPI's machinery.

Recording a document is the gateway's hot path, and FastAPI's per-request work (dependency
solving, request and response objects, its exception layers) cost about half of the CPU of
a receipt in the gateway bench. This plain ASGI middleware, inside the platform's telemetry
middleware, takes `POST /stores/{id}/receipts|issues|adjustments|location-moves` only when
the request is plainly fine: a JSON body that the route's own pydantic model accepts, and a
bearer token that the same Authorizer verifies and that holds STOCK_ADJUST at that store.
It then records with the routes' own code (`akiba_stock_api.WRITES` over the site's desk)
and answers 201 with the same
JSON. Anything else (no or bad token, no right, invalid body, another content type) goes
on to the FastAPI route untouched, body replayed, so every refusal keeps its one canonical
form; domain errors of the write itself are rendered by the same problem+json mapping.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import MovementResponse
from akiba_platform.auth import Authorizer, InvalidToken
from akiba_platform.http import problem_response, read_body, replaying, title_of
from akiba_stock_api import WRITES, Write
from akiba_sync_gateway.api.desk import SiteDesk, desk_of

_PATH = re.compile(r"/stores/([0-9a-fA-F-]{36})/(receipts|issues|adjustments|location-moves)")
_MOVEMENTS = TypeAdapter(list[MovementResponse])
_JSON = (b"application/json",)


class FastLane:
    """Records well-formed, authorised write requests directly; passes on everything else."""

    def __init__(self, app: ASGIApp, errors: dict[type[Exception], int]) -> None:
        self.app, self._errors = app, errors

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
        try:
            result = await write(desk, store_id, request, actor, programs)
        except Exception as exc:
            # As Starlette picks an exception handler: the nearest class in the MRO.
            status = next((self._errors[t] for t in type(exc).__mro__ if t in self._errors), None)
            if status is None:
                raise
            problem = problem_response(Request(scope), status, title_of(type(exc)), str(exc))
            await problem(scope, replay, send)
            return
        await _created(send, _json(result))

    def _plan(
        self, scope: Scope, match: re.Match[str], body: bytes
    ) -> tuple[Write, SiteDesk, UUID, BaseModel, str, frozenset[UUID] | None] | None:
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
        return write, desk_of(state), store_id, request, who.actor, programs


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
