"""Versioned documents over HTTP: `ETag` carries the version, `If-Match` must send it back."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from akiba_platform.http.problems import Problem

# A weak tag is accepted too: a compressing proxy may weaken the one we sent.
_TAG = r'^(?:W/)?"?[0-9]{1,9}"?$'


def etag(version: int) -> str:
    """The ETag of a document at this version."""
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    """Say the document's version in the response's ETag."""
    response.headers["ETag"] = etag(version)


_IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=16,
        pattern=_TAG,
        description='The ETag of the version this write was made against, e.g. "3" (409 if stale).',
    ),
]


def seen_version(if_match: _IfMatch = None) -> int | None:
    """The version an If-Match names, if one was sent (a malformed one is refused as 422)."""
    return None if if_match is None else int(if_match.removeprefix("W/").strip('"'))


def expected_version(if_match: _IfMatch = None) -> int:
    """The version the client saw: 428 without If-Match, so no one's change is lost."""
    seen = seen_version(if_match)
    if seen is None:
        raise Problem(
            428,
            "Precondition Required",
            "send If-Match with the ETag of the version you read, so no one's change is lost",
        )
    return seen


ExpectedVersion = Annotated[int, Depends(expected_version)]
"""A route parameter: the If-Match version a write requires."""
SeenVersion = Annotated[int | None, Depends(seen_version)]
"""A route parameter: the If-Match version, where sending one is optional."""
