"""ASGI middleware: a server span, a request id and a latency metric per request."""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any

from opentelemetry import context, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from akiba_platform import metrics
from akiba_platform.logs import request_id
from akiba_platform.telemetry import context_from, spans_exported, telemetry_on, tracer

# A request id is a random per-process prefix and a counter (32 hex digits, like a uuid4's):
# as unique, without a getrandom() syscall per request, which also handed the GIL to other
# threads (the sync gateway's SQLite writer) in the middle of every request.
_PREFIX = secrets.token_hex(8)
_COUNTER = itertools.count(1)


def _new_request_id() -> str:
    return f"{_PREFIX}{next(_COUNTER):016x}"


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return str(v.decode("latin-1"))
    return None


class TelemetryMiddleware:
    """Plain ASGI (not BaseHTTPMiddleware) so it adds microseconds, not a task per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _header(scope, b"x-request-id") or _new_request_id()
        token = request_id.set(rid)
        status = {"code": 500}
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        if not spans_exported():
            # No span: one that goes nowhere cost a twentieth of a receipt. Without a tracer
            # and meter installed at all (the sync gateway) no metric either: no-ops that
            # still cost about a tenth of a small request's CPU. With them, the latency metric,
            # and a caller's trace still reaches the events this request writes.
            measured = telemetry_on()
            incoming = _header(scope, b"traceparent") if measured else None
            attached = context.attach(context_from(incoming)) if incoming else None
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if measured:
                    _measure(scope, start, status["code"])
                if attached is not None:
                    context.detach(attached)
                request_id.reset(token)
            return
        name = f"{scope['method']} {scope['path']}"
        parent = context_from(_header(scope, b"traceparent"))
        with tracer.start_as_current_span(name, context=parent, kind=trace.SpanKind.SERVER) as span:
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = _measure(scope, start, status["code"])
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.response.status_code", status["code"])
                request_id.reset(token)


def _measure(scope: Scope, start: float, status: int) -> str:
    """Record the request's latency under its route's template; the template."""
    route = _route(scope)
    metrics.http_duration.record(
        time.perf_counter() - start, {"method": scope["method"], "route": route, "status": status}
    )
    return route


def _route(scope: Scope) -> str:
    route: Any = scope.get("route")
    return str(getattr(route, "path", scope["path"]))
