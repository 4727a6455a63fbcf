"""The hub's pure rules: which scopes a site reads, what it gains, which writes pass the door."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from akiba_sync_hub.domain.model import GLOBAL, FeedChange, SiteStores, latest
from akiba_sync_hub.domain.writes import (
    DirectoryBehind,
    SiteView,
    WriteRefused,
    check_site_write,
)


def test_an_active_site_reads_global_data_its_own_record_and_each_of_its_stores() -> None:
    site, a, b = uuid4(), uuid4(), uuid4()

    scopes = SiteStores(site, True, frozenset({a, b})).scopes()

    assert sorted(scopes) == sorted([GLOBAL, f"site:{site}", f"store:{a}", f"store:{b}"])


def test_an_inactive_site_reads_only_its_own_record() -> None:
    site = uuid4()

    assert SiteStores(site, False, frozenset({uuid4()})).scopes() == [f"site:{site}"]


def test_a_site_gains_the_stores_it_did_not_have_or_all_of_them_when_it_becomes_active() -> None:
    site, a, b = uuid4(), uuid4(), uuid4()
    before = SiteStores(site, True, frozenset({a}))

    assert SiteStores(site, True, frozenset({a, b})).gained(before) == {b}
    assert SiteStores(site, True, frozenset({a})).gained(None) == {a}
    assert SiteStores(site, True, frozenset({a})).gained(
        SiteStores(site, False, before.store_ids)
    ) == {a}
    assert SiteStores(site, False, frozenset({a, b})).gained(before) == frozenset()


def test_only_the_last_change_of_a_row_in_a_batch_is_kept() -> None:
    first = FeedChange(GLOBAL, "orderable", "1", "t", {"name": "a"})
    other = FeedChange(GLOBAL, "orderable", "2", "t", {"name": "b"})
    last = FeedChange(GLOBAL, "orderable", "1", "t", {"name": "c"})

    assert latest([first, other, last]) == [last, other]


def _seen(s: SiteStores) -> SiteView:
    """The site as the hub read it, at version 3 of its record."""
    return SiteView(s.active, s.store_ids, 3)


@pytest.mark.parametrize(
    ("claimed", "active", "stores", "reason"),
    [
        (None, True, "own", "has no siteid"),
        ("other", True, "own", "is not the authenticated site"),
        ("not-a-uuid", True, "own", "is not the authenticated site"),
        ("self", False, "own", "is inactive"),
        ("self", True, "foreign", "does not manage store"),
    ],
)
def test_a_site_write_is_refused_with_its_reason(
    claimed: str | None, active: bool, stores: str, reason: str
) -> None:
    site, own = uuid4(), uuid4()
    target = own if stores == "own" else uuid4()
    claim = {"self": str(site), "other": str(uuid4())}.get(claimed or "", claimed)

    with pytest.raises(WriteRefused, match=reason):
        check_site_write(
            site, claim, target, None, _seen(SiteStores(site, active, frozenset({own})))
        )


def test_a_write_of_a_site_the_hub_has_not_heard_of_is_deferred_not_refused() -> None:
    with pytest.raises(DirectoryBehind, match="not known here yet"):
        check_site_write(UUID(int=1), str(UUID(int=1)), uuid4(), None, None)


def test_a_write_recorded_under_a_newer_site_record_is_deferred_even_for_a_foreign_store() -> None:
    site = uuid4()
    seen = _seen(SiteStores(site, True, frozenset()))
    with pytest.raises(DirectoryBehind, match="version 4"):
        check_site_write(site, str(site), uuid4(), 4, seen)
    with pytest.raises(WriteRefused, match="does not manage"):
        check_site_write(site, str(site), uuid4(), 3, seen)


def test_the_active_site_writing_its_own_store_passes_whatever_the_case_of_its_id() -> None:
    site, store = uuid4(), uuid4()
    check_site_write(
        site,
        str(site).upper(),
        store,
        None,
        _seen(SiteStores(site, True, frozenset({store}))),
    )
