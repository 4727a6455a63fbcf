"""The Idempotency-Key in every write route's OpenAPI, so clients and fuzzers see it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from akiba_platform.idempotency._claim import WRITE_METHODS

# A write route that does not take the header says why (`exempt("...")` in openapi_extra).
EXEMPT = "x-akiba-idempotency-exempt"

PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe: the same key with the same request answers the first answer again"
        " (header Idempotent-Replayed: true) and records nothing new; with another request it is"
        " 409. Keys belong to the caller and are kept at least 24 hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
RESPONSES: dict[str, Any] = {
    "400": {"description": "The Idempotency-Key is not 1 to 255 visible ASCII characters",
            "content": _PROBLEM},
    "409": {"description": "Conflict; also: the Idempotency-Key was used for another request,"
            " or its first request is still in progress", "content": _PROBLEM},
}  # fmt: skip


def exempt(reason: str) -> dict[str, Any]:
    """openapi_extra of a write route that does not take an Idempotency-Key, and why."""
    return {EXEMPT: reason}


def declare(routers: Iterable[APIRouter]) -> None:
    """Add the header and its answers to every write route that is not exempt.

    Call it before the routers are included: FastAPI copies a route's openapi_extra into
    the app when it first resolves an included router.
    """
    for route in _api_routes(routers):
        extra = route.openapi_extra or {}
        if EXEMPT in extra or PARAMETER in extra.get("parameters", ()):
            continue  # exempt, or declared by an earlier app built from the same router
        if not (route.methods or set()) & WRITE_METHODS:
            continue
        # A new dict: routes share the one `requires(...)` returned, reads included.
        route.openapi_extra = {
            **extra,
            "parameters": [*extra.get("parameters", []), PARAMETER],
            "responses": {**RESPONSES, **extra.get("responses", {})},
        }


def _api_routes(routers: Iterable[APIRouter]) -> Iterator[APIRoute]:
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                yield route
            inner = getattr(route, "original_router", None)  # a router included in this one
            if isinstance(inner, APIRouter):
                yield from _api_routes([inner])
