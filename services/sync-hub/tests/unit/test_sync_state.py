"""A site's sync state from what the hub saw of it, and the report a gateway sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from akiba_sync_hub.domain.status import (
    Contact,
    Reported,
    SyncState,
    Thresholds,
    count_states,
    read_report,
    refused_in,
    seen,
    sync_state,
    then,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
LIMITS = Thresholds(
    silent_after=timedelta(hours=1), behind_after=timedelta(minutes=30), behind_backlog=100
)


def _ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def test_a_site_never_heard_from_is_never_whatever_else_is_known() -> None:
    assert sync_state(None, None, None, NOW, LIMITS) == SyncState.NEVER
    assert sync_state(None, 5_000, _ago(days=3), NOW, LIMITS) == SyncState.NEVER


def test_a_site_in_touch_with_a_small_fresh_backlog_is_ok() -> None:
    assert sync_state(_ago(seconds=5), 3, _ago(minutes=2), NOW, LIMITS) == SyncState.OK


def test_a_site_that_never_reported_a_backlog_is_ok_while_in_touch() -> None:
    assert sync_state(_ago(seconds=5), None, None, NOW, LIMITS) == SyncState.OK


def test_a_site_not_heard_from_for_longer_than_silent_after_is_silent() -> None:
    assert sync_state(_ago(hours=1, seconds=1), 0, None, NOW, LIMITS) == SyncState.SILENT
    assert sync_state(_ago(hours=1), 0, None, NOW, LIMITS) == SyncState.OK


def test_silent_comes_before_behind() -> None:
    assert sync_state(_ago(days=2), 5_000, _ago(days=3), NOW, LIMITS) == SyncState.SILENT


def test_a_site_in_touch_with_a_backlog_over_the_limit_is_behind() -> None:
    assert sync_state(_ago(seconds=5), 101, _ago(minutes=1), NOW, LIMITS) == SyncState.BEHIND
    assert sync_state(_ago(seconds=5), 100, _ago(minutes=1), NOW, LIMITS) == SyncState.OK


def test_a_site_in_touch_whose_oldest_unsynced_record_is_too_old_is_behind() -> None:
    assert sync_state(_ago(seconds=5), 1, _ago(minutes=31), NOW, LIMITS) == SyncState.BEHIND


def test_a_report_reads_the_count_and_the_oldest_time() -> None:
    oldest = datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
    assert read_report("12", oldest.isoformat()) == Reported(12, oldest)


def test_a_report_without_a_count_or_with_a_count_that_does_not_read_is_no_report() -> None:
    assert read_report(None, NOW.isoformat()) == Reported()
    assert read_report("-1", None) == Reported()
    assert read_report("twelve", None) == Reported()
    assert read_report(str(2**63), None) == Reported()


def test_an_empty_backlog_has_no_oldest_record_and_a_bad_time_is_left_out() -> None:
    assert read_report("0", NOW.isoformat()) == Reported(0, None)
    assert read_report("4", "yesterday") == Reported(4, None)


def test_a_time_without_an_offset_is_taken_as_utc() -> None:
    assert read_report("1", "2024-05-31T08:00:00") == Reported(
        1, datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
    )


def test_a_refusal_in_a_site_scope_is_the_sites_and_in_a_store_scope_the_stores() -> None:
    site, store = uuid4(), uuid4()
    assert refused_in(f"site:{site}") == (site, None)
    assert refused_in(f"store:{store}") == (None, store)
    assert refused_in("global") == (None, None)


def _site(contact: datetime | None, active: bool = True) -> dict[str, object]:
    return {"active": active, "last_contact_at": contact, "backlog": 0, "oldest_unsynced_at": None}


def test_the_active_sites_are_counted_by_state_and_every_state_is_named() -> None:
    sites = [_site(None), _site(_ago(hours=2)), _site(_ago(hours=3)), _site(_ago(seconds=5))]
    assert count_states(sites, NOW, LIMITS) == {
        SyncState.NEVER: 1, SyncState.SILENT: 2, SyncState.BEHIND: 0, SyncState.OK: 1
    }  # fmt: skip


def test_a_retired_site_is_not_counted_however_long_it_has_been_silent() -> None:
    counts = count_states([_site(_ago(days=30), active=False)], NOW, LIMITS)
    assert set(counts.values()) == {0}


def test_contacts_folded_keep_the_latest_of_each_and_add_up_refusals() -> None:
    site = uuid4()
    push = seen(
        Contact(site, push=True, reported=Reported(7, _ago(hours=2)), refused=2), _ago(seconds=3)
    )
    pull = seen(Contact(site, push=False, reported=Reported(0)), _ago(seconds=2))
    push_again = seen(Contact(site, push=True, refused=1), _ago(seconds=1))

    folded = then(then(push, pull), push_again)

    assert folded.last_contact_at == folded.last_push_at == _ago(seconds=1)
    assert folded.last_pull_at == _ago(seconds=2)
    # The pull's report of an empty backlog stands: the last push reported nothing.
    assert (folded.backlog, folded.oldest_unsynced_at, folded.backlog_at) == (
        0,
        None,
        _ago(seconds=2),
    )
    assert (folded.refusals, folded.last_refusal_at) == (3, _ago(seconds=1))


def test_a_contact_folded_into_nothing_is_itself() -> None:
    one = seen(Contact(uuid4(), push=False), NOW)
    assert then(None, one) == one
    assert (one.last_push_at, one.backlog_at, one.refusals) == (None, None, 0)
