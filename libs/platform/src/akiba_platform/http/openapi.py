"""What every service's OpenAPI says about refusals: each one is a problem document (RFC 9457).

FastAPI documents only a route's success and a 422 in its own validation format. Every Akiba
service answers refusals in problem+json (`problems.py`), so the published document says so:
the 422 is a problem, a protected route lists 401 and 403, a route with path parameters 404,
and `4XX` covers the rest (409 conflicts, 413, 429…). A route that documents a status itself
(OAuth's error format) keeps its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from akiba_platform.http.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "A problem document (RFC 9457); refusals of a request body list `errors`.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
WHY = {
    "401": "No valid bearer access token",
    "403": "The token does not hold the right (at this store)",
    "404": "Nothing with this id",
    "422": "The request does not match the schema, or breaks a rule",
    "4XX": "Any other refusal (a conflict, too large, too many attempts…)",
}


def problem(description: str) -> dict[str, Any]:
    """An OpenAPI response whose body is a problem document."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _REF}}}


def _statuses(path: str, operation: dict[str, Any]) -> list[str]:
    statuses = []
    if "x-akiba-right" in operation or "x-akiba-site" in operation:
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append("422")
    return [*statuses, "4XX"]


def _document(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    validation = responses.get("422", {}).get("content", {}).get("application/json", {})
    if validation.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]
    for status in _statuses(path, operation):
        responses.setdefault(status, problem(WHY[status]))


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every operation's refusals documented as problems."""
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            _document(path, operation)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in _FASTAPI_VALIDATION:
        schemas.pop(unused, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return document


def install_problem_documentation(app: FastAPI) -> None:
    """Make `app.openapi()` document refusals as problem documents."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "title": "OAuthError",
    "description": "An OAuth 2 error (RFC 6749 §5.2), as token clients expect it.",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


def oauth_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Route `responses` for an OAuth endpoint: these statuses answer in OAuth's error format."""
    content = {"application/json": {"schema": OAUTH_ERROR_SCHEMA}}
    return {s: {"description": "An OAuth error", "content": content} for s in statuses}
