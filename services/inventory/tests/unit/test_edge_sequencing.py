"""Edge ordering: a store's run applies from its next sequence; behind is skipped, ahead held."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from akiba_contracts.envelope import decode, encode, new_event
from akiba_contracts.payloads.edge import SiteStockRecorded, edge_batch_id
from akiba_inventory.adapters.edge import EdgeStore
from akiba_inventory.adapters.writers import SiteState
from akiba_inventory.consumers.edge.rules import (
    Identity,
    SiteEvent,
    UnreadableDocument,
    Verdict,
    authorize,
    check_content,
    identify,
    read_document,
    store_of,
)
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
    assert not p.held and not p.taken


def test_what_starts_behind_the_next_sequence_is_on_a_taken_sequence() -> None:
    old, new = Doc(4, 2), Doc(6)
    p = plan(6, [old, new])
    assert p.taken == [old] and p.apply == [new]


def test_what_is_ahead_of_a_gap_is_held_and_nothing_after_the_gap_applies() -> None:
    first, after_gap, later = Doc(1), Doc(3), Doc(4)
    p = plan(1, [later, first, after_gap])
    assert p.apply == [first] and p.held == [after_gap, later] and p.next_sequence == 2


def test_the_first_of_two_documents_claiming_a_sequence_keeps_it() -> None:
    first, second = Doc(1), Doc(1)
    p = plan(1, [first, second])
    assert p.apply == [first] and p.taken == [second]


def test_a_document_starting_inside_an_applied_run_is_on_a_taken_sequence() -> None:
    whole, part = Doc(1, 3), Doc(2)
    p = plan(1, [whole, part])
    assert p.apply == [whole] and p.taken == [part] and not p.held


def test_a_document_that_is_not_ready_stops_the_run_and_is_held_with_what_follows() -> None:
    waiting, after = Doc(1), Doc(2)
    p = plan(1, [waiting, after], ready=lambda d: d is not waiting)
    assert not p.apply and p.held == [waiting, after] and p.next_sequence == 1


@given(st.lists(st.integers(1, 5), min_size=1, max_size=30), st.randoms())
def test_any_shuffle_with_resends_applies_each_run_once_in_order(
    sizes: list[int], rnd: random.Random
) -> None:
    docs, seq = [], 1
    for n in sizes:
        docs.append(Doc(seq, n))
        seq += n
    arrivals = docs + rnd.sample(docs, k=len(docs) // 2)
    rnd.shuffle(arrivals)
    next_sequence, applied, held = 1, list[Doc](), list[Doc]()
    for cut in range(0, len(arrivals), 4):  # consumer batches of four, held ones carried over
        p = plan(next_sequence, held + arrivals[cut : cut + 4])
        applied += p.apply
        assert all(t in docs for t in p.taken)  # only resends land on taken sequences here
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
    event = _event(store, uuid4(), seq=7)
    ident = identify(event)  # type: ignore[arg-type]
    doc = read_document(ident, event)  # type: ignore[arg-type]
    assert (doc.first_sequence, doc.line_count, doc.store_id) == (7, 1, store)
    assert (ident.first_sequence, ident.line_count, ident.store_id) == (7, 1, store)


def test_a_document_decoded_with_its_envelope_reads_as_the_same_one_decoded_through_a_dict() -> (
    None
):
    store = uuid4()
    raw = encode(_event(store, uuid4(), seq=3))  # type: ignore[arg-type]
    typed, plain = decode(raw, SiteEvent), decode(raw)
    assert isinstance(typed.data, SiteStockRecorded) and isinstance(plain.data, dict)
    ident = identify(typed)
    assert ident == identify(plain) and ident.store_id == store
    assert read_document(ident, typed) == read_document(ident, plain)
    assert store_of(typed) == store_of(plain) == store


def test_a_payload_the_contract_refuses_stays_a_dict_and_is_refused_with_its_reason() -> None:
    store = uuid4()
    body = orjson.loads(encode(_event(store, uuid4(), seq=1)))  # type: ignore[arg-type]
    body["data"]["lines"][0]["quantity"] = 2**31  # beyond the ledger's 32-bit column
    event = decode(orjson.dumps(body), SiteEvent)
    assert isinstance(event.data, dict) and store_of(event) == store
    with pytest.raises(UnreadableDocument, match=r"invalid site document: lines\.0\.quantity"):
        read_document(identify(event), event)


@pytest.mark.parametrize(("site", "seq"), [(None, 1), (uuid4(), None)])
def test_an_event_without_its_site_or_sequence_cannot_be_placed(
    site: UUID | None, seq: int | None
) -> None:
    with pytest.raises(UnreadableDocument, match="siteid and storeseq"):
        identify(_event(uuid4(), site, seq))  # type: ignore[arg-type]


def test_a_site_id_that_is_not_a_uuid_cannot_be_placed_however_often_it_comes() -> None:
    body = orjson.loads(encode(_event(uuid4(), uuid4(), seq=1)))  # type: ignore[arg-type]
    body["siteid"] = "site-7"
    event = decode(orjson.dumps(body), SiteEvent)
    for _ in range(2):  # site ids are parsed once and remembered: a bad one never is
        with pytest.raises(UnreadableDocument, match="cannot place the document"):
            identify(event)


def test_the_consumers_parsed_event_id_is_the_documents_identity() -> None:
    event = _event(uuid4(), uuid4(), seq=1)
    parsed = UUID(event.id)  # type: ignore[attr-defined]
    assert identify(event, parsed).event_id is parsed  # type: ignore[arg-type]
    assert identify(event).event_id == parsed  # type: ignore[arg-type]


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
    event = _event(uuid4(), uuid4(), 1, **line)
    doc = read_document(identify(event), event)  # type: ignore[arg-type]
    everything = ({ln.item_id for ln in doc.lines}, set(), {None})
    with pytest.raises(UnreadableDocument, match=reason):
        check_content(doc, everything)  # type: ignore[arg-type]


def _ident(site: UUID, store: UUID, version: int | None = None) -> Identity:
    return Identity(uuid4(), site, store, 1, 1, version)


def _store(store: UUID, writer: UUID | None) -> EdgeStore:
    return EdgeStore(store, 1, writer)


def test_the_stores_writer_applies_when_it_is_active() -> None:
    site, store = uuid4(), uuid4()
    verdict, _ = authorize(_ident(site, store), _store(store, site), SiteState(site, True, 3))
    assert verdict is Verdict.APPLY


@pytest.mark.parametrize(
    ("case", "known", "active", "writes", "doc_version", "expected"),
    [
        ("a site central has not heard of", False, True, False, None, Verdict.WAIT),
        ("a newer record than central's", True, True, False, 4, Verdict.WAIT),
        ("the writer, inactive", True, False, True, None, Verdict.WAIT),
        ("another site, as recent as central's word", True, True, False, 3, Verdict.REFUSE),
        ("another site, from before versions", True, True, False, None, Verdict.REFUSE),
    ],
)
def test_a_site_central_may_be_behind_on_waits_and_any_other_is_refused(
    case: str, known: bool, active: bool, writes: bool, doc_version: int | None, expected: Verdict
) -> None:
    site, store = uuid4(), uuid4()
    writer = site if writes else uuid4()
    state = SiteState(site, active, 3) if known else None
    verdict, why = authorize(_ident(site, store, doc_version), _store(store, writer), state)
    assert verdict is expected, case
    assert why


def test_a_refusal_names_who_writes_the_store() -> None:
    site, store, writer = uuid4(), uuid4(), uuid4()
    _, why = authorize(_ident(site, store), _store(store, writer), SiteState(site, True, 1))
    assert str(writer) in why
    _, why = authorize(_ident(site, store), _store(store, None), SiteState(site, True, 1))
    assert "central does" in why


def test_a_lot_created_offline_gets_the_same_batch_id_everywhere() -> None:
    item = uuid4()
    assert edge_batch_id(item, "L1") == edge_batch_id(item, "L1") != edge_batch_id(item, "L2")
