"""A token's JOSE header is attacker input: any shape of it is a 401, never a server error."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akiba_contracts.rights import Right
from akiba_platform.auth import InvalidToken, requires
from akiba_platform.http import create_app
from akiba_platform.testing.tokens import TestIssuer

ISSUER = TestIssuer()
_WRONG_TYPES: list[Any] = [1, 1.5, True, None, [], ["at+jwt"], {}, {"typ": "at+jwt"}]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _with_header(header: Any) -> str:
    """A real signed token whose header segment is replaced by this JSON value."""
    _, payload, signature = ISSUER.token("abc").split(".")
    return f"{_b64(json.dumps(header).encode())}.{payload}.{signature}"


def _good_header() -> dict[str, Any]:
    return {"alg": "EdDSA", "typ": "at+jwt", "kid": ISSUER.kid}


def _headers_with_a_wrong_field() -> list[dict[str, Any]]:
    return [{**_good_header(), f: v} for f in ("typ", "alg", "kid") for v in _WRONG_TYPES]


def _wrong_fields() -> list[tuple[str, Any]]:
    return [(f, v) for f in ("typ", "alg", "kid") for v in _WRONG_TYPES]


_NOT_A_HEADER = [
    "",
    "!!!",
    _b64(b"not json"),
    _b64(b"\xff\xfe\x00"),
    _b64(b"[1, 2]"),
    _b64(b'"at+jwt"'),
    _b64(b"42"),
    _b64(b"null"),
    _b64(b'{"alg": "EdDSA", "typ": "at+jwt", "kid": '),
]


@pytest.mark.parametrize(("field", "value"), _wrong_fields())
def test_a_header_field_of_the_wrong_type_is_an_invalid_token(field: str, value: Any) -> None:
    with pytest.raises(InvalidToken, match="must be a string"):
        ISSUER.authorizer.authenticate(_with_header({**_good_header(), field: value}))


@pytest.mark.parametrize("segment", _NOT_A_HEADER)
def test_a_header_segment_that_is_not_a_json_object_is_an_invalid_token(segment: str) -> None:
    _, payload, signature = ISSUER.token("abc").split(".")
    with pytest.raises(InvalidToken):
        ISSUER.authorizer.authenticate(f"{segment}.{payload}.{signature}")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.dictionaries(st.sampled_from(["typ", "alg", "kid", "crit", "jwk", "x"]), _json),
)
def test_any_json_header_is_accepted_or_an_invalid_token(extra: dict[str, Any]) -> None:
    header = {**_good_header(), **extra}
    with contextlib.suppress(InvalidToken):
        ISSUER.authorizer.authenticate(_with_header(header))


router = APIRouter()


@router.get("/guarded", **requires(Right.STOCK_CARDS_VIEW))
async def guarded() -> dict[str, str]:
    return {"ok": "yes"}


@pytest.mark.parametrize("header", [*_headers_with_a_wrong_field(), [1], "x", 3])
async def test_an_unauthenticated_request_with_a_malformed_header_gets_401(header: Any) -> None:
    app = create_app(title="t", routers=[router])
    app.state.authorizer = ISSUER.authorizer
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bearer = {"authorization": f"Bearer {_with_header(header)}"}
        r = await client.get("/guarded", headers=bearer)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
