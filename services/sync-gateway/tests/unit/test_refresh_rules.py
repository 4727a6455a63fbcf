"""Refresh token rules, as auth's: rotate a live token, refuse a dead one, end a replayed family."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from akiba_sync_gateway.signin.refresh import StoredRefresh, Verdict, digest, judge, new_token

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIVE = StoredRefresh(
    token_hash=b"h", family_id="f", user_id="u", expires_at=NOW + timedelta(days=1),
    spent=False, revoked=False,
)  # fmt: skip


def test_a_live_token_of_an_active_user_is_rotated() -> None:
    assert judge(LIVE, True, NOW) is Verdict.ROTATE


def test_an_unknown_token_is_refused() -> None:
    assert judge(None, True, NOW) is Verdict.REFUSE


def test_a_token_is_refused_from_the_moment_its_family_expires() -> None:
    assert judge(LIVE, True, LIVE.expires_at) is Verdict.REFUSE


def test_a_revoked_token_is_refused_even_when_it_was_also_spent() -> None:
    assert judge(replace(LIVE, revoked=True, spent=True), True, NOW) is Verdict.REFUSE


def test_a_spent_token_presented_again_ends_its_family() -> None:
    assert judge(replace(LIVE, spent=True), True, NOW) is Verdict.END_FAMILY


def test_a_token_of_a_user_no_longer_cached_as_active_ends_its_family() -> None:
    assert judge(LIVE, False, NOW) is Verdict.END_FAMILY


def test_an_expired_token_is_only_refused_even_when_replayed() -> None:
    assert judge(replace(LIVE, spent=True), True, NOW + timedelta(days=2)) is Verdict.REFUSE


def test_new_tokens_are_random_and_stored_as_their_digest_only() -> None:
    (first, stored), (second, _) = new_token(), new_token()
    assert first != second and len(first) >= 43
    assert stored == digest(first) and first.encode() not in stored
