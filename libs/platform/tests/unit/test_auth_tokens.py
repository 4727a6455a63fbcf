"""Access tokens: only a well-formed, current token signed by a known key is accepted."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akiba_platform.auth import InvalidToken
from akiba_platform.auth import authorizer as authorizer_module
from akiba_platform.auth.authorizer import Authorizer
from akiba_platform.auth.permissions import PermissionStore
from akiba_platform.auth.tokens import LEEWAY_SECONDS, Claims, verify
from akiba_platform.testing.tokens import AUDIENCE, ISSUER, TestIssuer, published_key


@pytest.fixture
def issuer() -> TestIssuer:
    return TestIssuer()


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_signed_by_a_known_key_names_its_bearer(issuer: TestIssuer) -> None:
    who = issuer.authorizer.authenticate(issuer.token("abc", username="amina"))
    assert (who.claims.subject, who.claims.kind, who.actor) == ("abc", "user", "amina")


def test_an_unsigned_alg_none_token_is_refused(issuer: TestIssuer) -> None:
    good = issuer.token("abc")
    _, payload, _ = good.split(".")
    forged = f"{_b64({'alg': 'none', 'typ': 'at+jwt', 'kid': issuer.kid})}.{payload}."
    with pytest.raises(InvalidToken, match="algorithm 'none'"):
        issuer.authorizer.authenticate(forged)


def test_an_hmac_token_using_the_public_key_as_secret_is_refused(issuer: TestIssuer) -> None:
    forged = jwt.encode(
        {"sub": "abc"},
        "a-secret-long-enough-for-hs256-signing",
        algorithm="HS256",
        headers={"kid": issuer.kid, "typ": "at+jwt"},
    )
    with pytest.raises(InvalidToken, match="HS256"):
        issuer.authorizer.authenticate(forged)


def test_a_token_signed_by_another_key_under_our_kid_is_refused(issuer: TestIssuer) -> None:
    other = TestIssuer()
    other.kid = issuer.kid
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        issuer.authorizer.authenticate(other.token("abc"))


def test_a_token_whose_payload_was_modified_is_refused(issuer: TestIssuer) -> None:
    header, payload, signature = issuer.token("abc").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        issuer.authorizer.authenticate(f"{header}.{_b64(claims)}.{signature}")


def test_an_expired_token_is_refused(issuer: TestIssuer) -> None:
    past = int(time.time()) - 3600
    with pytest.raises(InvalidToken, match="expired"):
        issuer.authorizer.authenticate(issuer.token("abc", iat=past, nbf=past, exp=past + 300))


def test_a_token_not_yet_valid_is_refused(issuer: TestIssuer) -> None:
    later = int(time.time()) + 3600
    with pytest.raises(InvalidToken, match="not yet valid"):
        issuer.authorizer.authenticate(issuer.token("abc", nbf=later, exp=later + 300))


def test_a_token_for_another_audience_is_refused(issuer: TestIssuer) -> None:
    with pytest.raises(InvalidToken, match=r"[Aa]udience"):
        issuer.authorizer.authenticate(issuer.token("abc", aud="another-system"))


def test_a_token_from_another_issuer_is_refused(issuer: TestIssuer) -> None:
    with pytest.raises(InvalidToken, match=r"[Ii]ssuer"):
        issuer.authorizer.authenticate(issuer.token("abc", iss="someone-else"))


def test_a_token_missing_a_required_claim_is_refused(issuer: TestIssuer) -> None:
    token = issuer.token("abc")
    _, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    del claims["jti"]
    resigned = jwt.encode(
        claims, issuer.private, algorithm="EdDSA", headers={"kid": issuer.kid, "typ": "at+jwt"}
    )
    with pytest.raises(InvalidToken, match="jti"):
        issuer.authorizer.authenticate(resigned)


def test_an_id_token_or_other_jwt_type_is_refused(issuer: TestIssuer) -> None:
    claims = {"sub": "abc", "exp": int(time.time()) + 60}
    other = jwt.encode(claims, issuer.private, algorithm="EdDSA", headers={"kid": issuer.kid})
    with pytest.raises(InvalidToken, match=r"at\+jwt"):
        issuer.authorizer.authenticate(other)


def test_an_unknown_key_id_is_refused(issuer: TestIssuer) -> None:
    stranger = TestIssuer()
    with pytest.raises(InvalidToken, match="unknown key"):
        issuer.authorizer.authenticate(stranger.token("abc"))


def test_a_retired_key_verifies_nothing_while_its_successor_does(issuer: TestIssuer) -> None:
    old_token = issuer.token("abc")
    issuer.keys.add(
        published_key(issuer.kid, issuer.private).model_copy(
            update={"retired_at": datetime.now(UTC) - timedelta(seconds=1)}
        )
    )
    with pytest.raises(InvalidToken, match="retired"):
        issuer.authorizer.authenticate(old_token)
    successor = TestIssuer()
    successor.kid = uuid.uuid4().hex
    issuer.keys.add(published_key(successor.kid, successor.private))
    assert issuer.authorizer.authenticate(successor.token("abc")).claims.subject == "abc"


def test_a_cached_token_still_expires(issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch) -> None:
    now = time.time()
    token = issuer.token("abc", exp=int(now) + 60)
    issuer.authorizer.authenticate(token)
    monkeypatch.setattr(authorizer_module, "time", lambda: now + 60 + LEEWAY_SECONDS + 1)
    with pytest.raises(InvalidToken, match="expired"):
        issuer.authorizer.authenticate(token)


def test_the_tokens_used_least_recently_leave_the_cache_first(
    issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []

    def counting(token: str, *args: Any, **kwargs: Any) -> Claims:
        verified.append(token)
        return verify(token, *args, **kwargs)

    monkeypatch.setattr(authorizer_module, "verify", counting)
    auth = Authorizer(
        issuer.keys, PermissionStore(), issuer=ISSUER, audience=AUDIENCE, cache_size=2
    )
    a, b, c = (issuer.token(name) for name in "abc")
    for token in (a, b, a, c, a, b):  # c pushes b out, not a, which was used since
        auth.authenticate(token)
    assert verified == [a, b, c, b]


def test_a_key_unrelated_to_ed25519_cannot_be_smuggled_in_a_header(issuer: TestIssuer) -> None:
    attacker = Ed25519PrivateKey.generate()
    jwk = jwt.algorithms.OKPAlgorithm.to_jwk(attacker.public_key(), as_dict=True)
    token = jwt.encode(
        {"sub": "abc"},
        attacker,
        algorithm="EdDSA",
        headers={"kid": "attacker", "typ": "at+jwt", "jwk": jwk},
    )
    with pytest.raises(InvalidToken, match="unknown key"):
        issuer.authorizer.authenticate(token)
