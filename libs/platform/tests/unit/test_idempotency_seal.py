"""Stored answers are sealed with the Idempotency-Key: only its holder reads them."""

from __future__ import annotations

from akiba_platform.idempotency import seal, unseal


def test_a_sealed_answer_opens_with_its_key_and_caller() -> None:
    assert unseal("k", "user:a", seal("k", "user:a", b'{"secret":"s3"}')) == b'{"secret":"s3"}'


def test_a_sealed_answer_hides_its_body_and_opens_for_no_one_else() -> None:
    sealed = seal("k", "user:a", b'{"secret":"s3"}')
    assert b"s3" not in sealed
    assert unseal("other", "user:a", sealed) is None
    assert unseal("k", "user:b", sealed) is None
    assert unseal("k", "user:a", sealed[:-1] + bytes([sealed[-1] ^ 1])) is None


def test_two_seals_of_one_answer_differ() -> None:
    assert seal("k", "user:a", b"{}") != seal("k", "user:a", b"{}")
