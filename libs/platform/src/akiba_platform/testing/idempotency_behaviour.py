"""One behaviour suite for every IdempotencyStore (the fake, PostgreSQL, the gateway's SQLite).

A test module imports these tests and provides an `idempotency` fixture: an
`IdempotencyHarness` over its store, able to claim inside a transaction it then commits or
rolls back, and to age the rows (for expiry).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Protocol

from akiba_platform.idempotency import Answer, Claim, IdempotencyStore, fingerprint

DAY = timedelta(hours=24)


class IdempotencyHarness(Protocol):
    """A store and the transaction control its tests need."""

    store: IdempotencyStore

    async def claim(self, claim: Claim, *, commit: bool) -> bool:
        """Claim in a transaction of its own, then commit it or roll it back."""
        ...

    async def age(self, by: timedelta) -> None:
        """Make every row older by this much."""
        ...


def a_claim(scope: str = "user:u1", key: str | None = None, body: bytes = b"{}") -> Claim:
    """A claim for a POST with this body (a fresh key unless one is given)."""
    return Claim(scope, key or str(uuid.uuid4()), fingerprint("POST", "/things", b"", body))


ANSWER = Answer(201, "application/json", b"sealed")


async def test_a_claimed_key_is_found_without_an_answer(idempotency: IdempotencyHarness) -> None:
    c = a_claim()
    assert await idempotency.claim(c, commit=True)
    found = await idempotency.store.find(c.scope, c.key_hash)
    assert found is not None and found.fingerprint == c.fingerprint and found.answer is None


async def test_a_key_is_claimed_once(idempotency: IdempotencyHarness) -> None:
    c = a_claim()
    assert await idempotency.claim(c, commit=True)
    assert not await idempotency.claim(a_claim(key=c.key), commit=True)
    assert not await idempotency.claim(a_claim(key=c.key, body=b"other"), commit=True)


async def test_a_claim_rolled_back_is_forgotten(idempotency: IdempotencyHarness) -> None:
    c = a_claim()
    assert await idempotency.claim(c, commit=False)
    assert await idempotency.store.find(c.scope, c.key_hash) is None
    assert await idempotency.claim(c, commit=True)


async def test_two_callers_may_use_the_same_key(idempotency: IdempotencyHarness) -> None:
    mine = a_claim("user:me")
    assert await idempotency.claim(mine, commit=True)
    assert await idempotency.claim(a_claim("user:you", key=mine.key), commit=True)


async def test_an_answer_is_kept_on_the_claimed_key(idempotency: IdempotencyHarness) -> None:
    c = a_claim()
    await idempotency.claim(c, commit=True)
    await idempotency.store.keep(c, ANSWER)
    found = await idempotency.store.find(c.scope, c.key_hash)
    assert found is not None and found.answer == ANSWER


async def test_an_answer_without_a_claim_is_kept_as_a_new_key(
    idempotency: IdempotencyHarness,
) -> None:
    c = a_claim()
    await idempotency.store.keep(c, ANSWER)
    found = await idempotency.store.find(c.scope, c.key_hash)
    assert found is not None and (found.fingerprint, found.answer) == (c.fingerprint, ANSWER)
    assert not await idempotency.claim(c, commit=True)


async def test_the_first_answer_stays(idempotency: IdempotencyHarness) -> None:
    c = a_claim()
    await idempotency.claim(c, commit=True)
    await idempotency.store.keep(c, ANSWER)
    await idempotency.store.keep(c, Answer(500, None, b"later"))
    found = await idempotency.store.find(c.scope, c.key_hash)
    assert found is not None and found.answer == ANSWER


async def test_another_requests_answer_never_lands_on_the_key(
    idempotency: IdempotencyHarness,
) -> None:
    c = a_claim()
    await idempotency.claim(c, commit=True)
    await idempotency.store.keep(a_claim(key=c.key, body=b"other"), ANSWER)
    found = await idempotency.store.find(c.scope, c.key_hash)
    assert found is not None and found.fingerprint == c.fingerprint and found.answer is None


async def test_keys_past_the_retention_are_purged_and_younger_ones_kept(
    idempotency: IdempotencyHarness,
) -> None:
    old, young = a_claim(), a_claim()
    await idempotency.claim(old, commit=True)
    await idempotency.age(DAY + timedelta(minutes=1))
    await idempotency.claim(young, commit=True)
    assert await idempotency.store.purge(DAY) == 1
    assert await idempotency.store.find(old.scope, old.key_hash) is None
    assert await idempotency.store.find(young.scope, young.key_hash) is not None
    assert await idempotency.claim(old, commit=True), "an expired key may be used again"
