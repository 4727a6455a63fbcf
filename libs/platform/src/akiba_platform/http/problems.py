"""Errors as problem+json (RFC 9457), mapped in one place."""

from __future__ import annotations

import logging
import re
from typing import Any

from asyncpg.exceptions import DataError as DatabaseDataError
from asyncpg.exceptions._base import DataError as ArgumentDataError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

# Values a client sent that the database cannot hold: PostgreSQL's data exceptions (class 22: a
# NUL in text, a number out of range, an impossible date) and asyncpg's refusal to encode an
# argument (an int beyond int4/int8), plus text Python cannot encode (a lone surrogate). The
# contract's bounds should refuse them first; this keeps any it misses a 4xx, not a 500.
DATA_ERRORS: tuple[type[Exception], ...] = (
    DatabaseDataError,
    ArgumentDataError,
    UnicodeEncodeError,
)


class Problem(Exception):
    """An error a route or a domain mapping turns into a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.headers = headers or {}
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(
    request: Request, status: int, title: str, detail: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem document about this request."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def title_of(exc_type: type[Exception]) -> str:
    """A readable title from an error's class name: StoreNotFound -> "Store not found"."""
    words = re.findall(r"[A-Z][a-z0-9]*", exc_type.__name__)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else exc_type.__name__


def install_problem_handlers(app: FastAPI, mapping: dict[type[Exception], int]) -> None:
    """Route validation, HTTP and domain errors to problem+json; `mapping` gives domain statuses."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        response = problem_response(request, exc.status, exc.title, exc.detail, **exc.extra)
        response.headers.update(exc.headers)
        return response

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            request,
            422,
            "Invalid request",
            "The request does not match the schema.",
            errors=_validation_errors(exc),
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem_response(request, exc.status_code, str(exc.detail))

    def on_domain(status: int) -> Any:
        async def handle(request: Request, exc: Exception) -> JSONResponse:
            return problem_response(request, status, title_of(type(exc)), str(exc))

        return handle

    async def on_data(request: Request, exc: Exception) -> JSONResponse:
        # Logged: each one is a bound missing from the contract, worth adding there.
        log.warning("unstorable value in %s %s: %r", request.method, request.url.path, exc)
        return problem_response(
            request, 422, "Invalid value", "a value in the request is outside what can be stored"
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    for data_error in DATA_ERRORS:
        app.add_exception_handler(data_error, on_data)
    for exc_type, status in mapping.items():
        app.add_exception_handler(exc_type, on_domain(status))
