"""Versioned documents over HTTP: `ETag` carries the version, `If-Match` must send it back."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from akiba_platform.http.problems import Problem

# A weak tag is accepted too: a compressing proxy may weaken the one we sent.
_TAG = r'^(?:W/)?"?[0-9]{1,9}"?$'


def etag(version: int) -> str:
    """The ETag of a document at this version."""
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    """Say the document's version in the response's ETag."""
    response.headers["ETag"] = etag(version)


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=16,
            pattern=_TAG,
            description='The ETag of the version this write was made against, e.g. "3"'
            " (428 without it, 409 if stale).",
        ),
    ] = None,
) -> int:
    """The version the client saw (428 without If-Match; a malformed one is refused as 422)."""
    if if_match is None:
        raise Problem(
            428,
            "Precondition Required",
            "send If-Match with the ETag of the version you read, so no one's change is lost",
        )
    return int(if_match.removeprefix("W/").strip('"'))
