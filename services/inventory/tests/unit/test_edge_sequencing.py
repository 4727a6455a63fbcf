"""Edge ordering: a store's run applies from its next sequence; behind is skipped, ahead held."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akiba_contracts.envelope import new_event
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded, edge_batch_id
from akiba_inventory.adapters.edge import EdgeStore
from akiba_inventory.edge import EdgeRejected, authorize, check_content, document
from akiba_platform.auth.feed import SiteDirectory
from akiba_stock.edge import plan


@dataclass(frozen=True)
class Doc:
    first_sequence: int
    line_count: int = 1
    event_id: UUID = field(default_factory=uuid4)


def test_the_run_from_the_next_sequence_applies_in_order() -> None:
    a, b, c = Doc(3, 2), Doc(1, 2), Doc(5)
    p = plan(1, [a, b, c])
    assert p.apply == [b, a, c] and p.next_sequence == 6
    assert not p.held and not p.duplicates


def test_what_is_behind_the_next_sequence_is_a_duplicate() -> None:
    old, new = Doc(4, 2), Doc(6)
    p = plan(6, [old, new])
    assert p.duplicates == [old] and p.apply == [new]


def test_what_is_ahead_of_a_gap_is_held_and_nothing_after_the_gap_applies() -> None:
    first, after_gap, later = Doc(1), Doc(3), Doc(4)
    p = plan(1, [later, first, after_gap])
    assert p.apply == [first] and p.held == [after_gap, later] and p.next_sequence == 2


def test_the_first_of_two_documents_claiming_a_sequence_wins() -> None:
    first, second = Doc(1), Doc(1)
    p = plan(1, [first, second])
    assert p.apply == [first] and p.duplicates == [second]


def test_a_document_overlapping_an_applied_run_is_a_duplicate() -> None:
    whole, part = Doc(1, 3), Doc(2)
    p = plan(1, [whole, part])
    assert p.apply == [whole] and p.duplicates == [part] and not p.held


@given(st.lists(st.integers(1, 5), min_size=1, max_size=30), st.randoms())
def test_any_shuffle_with_duplicates_applies_each_run_once_in_order(
    sizes: list[int], rnd: random.Random
) -> None:
    docs, seq = [], 1
    for n in sizes:
        docs.append(Doc(seq, n))
        seq += n
    arrivals = docs + rnd.sample(docs, k=len(docs) // 2)
    rnd.shuffle(arrivals)
    next_sequence, applied, held = 1, list[Doc](), list[Doc]()
    for cut in range(0, len(arrivals), 4):  # consumer batches of four, pending carried over
        p = plan(next_sequence, held + arrivals[cut : cut + 4])
        applied += p.apply
        held, next_sequence = p.held, p.next_sequence
    assert applied == docs and not held and next_sequence == seq


def _event(store: UUID, site: UUID | None, seq: int | None = 1, **line: object) -> object:
    now = datetime.now(UTC)
    item = uuid4()
    payload = SiteStockRecorded(
        document_id=uuid4(),
        store_id=store,
        document_type="receipt",
        occurred_at=now,
        recorded_at=now,
        actor="nurse-1",
        lines=[
            {
                "movement_id": uuid4(),
                "item_id": item,
                "lot_code": "L1",
                "movement_type": "receipt",
                "quantity": 5,
                **line,
            }
        ],
    )
    return new_event(
        source="/akiba/sites/x",
        type=payload.event_type,
        subject=str(store),
        data=payload,
        partitionkey=str(store),
        siteid=str(site) if site else None,
        storeseq=seq,
    )


def test_a_document_numbers_its_lines_from_the_events_storeseq() -> None:
    store = uuid4()
    doc = document(_event(store, uuid4(), seq=7))  # type: ignore[arg-type]
    assert doc.first_sequence == 7 and doc.line_count == 1 and doc.store_id == store


@pytest.mark.parametrize(("site", "seq"), [(None, 1), (uuid4(), None)])
def test_an_event_without_its_site_or_sequence_is_unreadable(
    site: UUID | None, seq: int | None
) -> None:
    with pytest.raises(EdgeRejected, match="siteid and storeseq"):
        document(_event(uuid4(), site, seq))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"quantity": -5}, "cannot have quantity"),
        ({"movement_type": "adjustment_positive"}, "needs a reason"),
    ],
)
def test_a_rule_breaking_document_reads_but_its_content_is_refused(
    line: dict[str, object], reason: str
) -> None:
    doc = document(_event(uuid4(), uuid4(), 1, **line))  # type: ignore[arg-type]
    everything = ({ln.item_id for ln in doc.lines}, set(), {None})
    with pytest.raises(EdgeRejected, match=reason):
        check_content(doc, everything)  # type: ignore[arg-type]


def _directory(site: UUID, store: UUID, active: bool = True) -> SiteDirectory:
    sites = SiteDirectory()
    now = datetime.now(UTC)
    sites.apply(
        SiteChanged(site_id=site, name="s", active=active, store_ids=[store], changed_at=now)
    )
    return sites


@pytest.mark.parametrize(
    ("known_site", "active", "managed_by", "reason"),
    [
        (False, True, "site", "is unknown"),
        (True, False, "site", "is inactive"),
        (True, True, "central", "not a site-managed store"),
    ],
)
def test_only_an_active_site_writes_a_site_managed_store_it_manages(
    known_site: bool, active: bool, managed_by: str, reason: str
) -> None:
    site, store = uuid4(), uuid4()
    doc = document(_event(store, site))  # type: ignore[arg-type]
    sites = _directory(site if known_site else uuid4(), store, active)
    with pytest.raises(EdgeRejected, match=reason):
        authorize(doc, sites, EdgeStore(store, 1, managed_by, True))


def test_a_site_cannot_write_a_store_it_does_not_manage() -> None:
    site, store = uuid4(), uuid4()
    doc = document(_event(store, site))  # type: ignore[arg-type]
    with pytest.raises(EdgeRejected, match="does not manage"):
        authorize(doc, _directory(site, uuid4()), EdgeStore(store, 1, "site", True))


def test_a_lot_created_offline_gets_the_same_batch_id_everywhere() -> None:
    item = uuid4()
    assert edge_batch_id(item, "L1") == edge_batch_id(item, "L1") != edge_batch_id(item, "L2")
