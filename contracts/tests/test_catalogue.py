"""The topic catalogue, the payload registry and the rights catalogue."""

from __future__ import annotations

import re

import pytest

from akiba_contracts import (
    PAYLOADS,
    RIGHT_TYPES,
    TOPICS,
    Right,
    RightType,
    StockLevelChanged,
    StockMovementRecorded,
    all_topics,
    dlq_name,
    dlq_topic,
    payload_model,
    right_type,
    rights_of_type,
    stock_level_key,
    topic,
)


def test_the_catalogue_has_no_duplicate_topic_names() -> None:
    names = [t.name for t in all_topics()]
    assert len(names) == len(set(names))


def test_every_event_type_on_a_topic_has_a_payload_model() -> None:
    for t in all_topics():
        for event_type in t.event_types:
            assert payload_model(event_type).event_type == event_type


def test_every_payload_model_is_published_on_some_topic() -> None:
    published = {e for t in TOPICS for e in t.event_types}
    assert published == set(PAYLOADS)


def test_event_types_are_versioned_reverse_dns_names() -> None:
    for event_type in PAYLOADS:
        assert re.fullmatch(r"org\.akiba(\.[a-z][a-z0-9-]*)+\.v\d+", event_type), event_type


def test_topic_names_start_with_their_owning_service() -> None:
    for t in TOPICS:
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9-]+)+", t.name), t.name
        assert t.name.split(".")[0] == t.owner


def test_dead_letter_topics_are_named_topic_dot_dlq() -> None:
    for t in TOPICS:
        assert dlq_name(t) == dlq_name(t.name) == f"{t.name}.dlq"
        assert dlq_topic(t).name == f"{t.name}.dlq"
        assert topic(f"{t.name}.dlq") == dlq_topic(t.name)


def test_dead_letter_topics_are_small_and_never_compacted() -> None:
    for t in TOPICS:
        dead = dlq_topic(t)
        assert dead.is_dlq and not t.is_dlq
        assert dead.cleanup_policy == "delete" and 1 <= dead.partitions <= 3


def test_all_topics_without_dead_letters_is_the_catalogue() -> None:
    assert all_topics(include_dlq=False) == TOPICS
    assert len(all_topics()) == 2 * len(TOPICS)


def test_compacted_topics_have_no_time_retention() -> None:
    for t in all_topics():
        assert (t.cleanup_policy == "compact") <= (t.retention_ms is None)
        assert t.partitions >= 1


def test_looking_up_an_unknown_topic_names_it_and_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no topic named 'inventory\.nope'.*stock-levels"):
        topic("inventory.nope")


def test_looking_up_an_unknown_event_type_fails_clearly() -> None:
    with pytest.raises(KeyError, match=r"unknown event type 'org\.akiba\.nope\.v1'"):
        payload_model("org.akiba.nope.v1")


def test_stock_movements_are_keyed_by_store(movement: StockMovementRecorded) -> None:
    assert topic("inventory.stock-movements").key == "store_id"
    assert movement.partition_key() == str(movement.store_id)


def test_stock_levels_are_keyed_by_stock_line(level: StockLevelChanged) -> None:
    assert topic("inventory.stock-levels").cleanup_policy == "compact"
    assert level.partition_key() == f"{level.store_id}:{level.item_id}:{level.batch_id}:"
    assert stock_level_key(level.store_id, level.item_id, None, None).endswith("::")


def test_a_store_sequence_starts_at_one(movement: StockMovementRecorded) -> None:
    data = {**movement.model_dump(), "store_sequence": 0}
    with pytest.raises(ValueError, match="store_sequence"):
        StockMovementRecorded.model_validate(data)


def test_every_right_has_a_type() -> None:
    assert set(RIGHT_TYPES) == set(Right)


@pytest.mark.parametrize(
    ("kind", "count"),
    [
        (RightType.SUPERVISION, 12),
        (RightType.ORDER_FULFILLMENT, 4),
        (RightType.GENERAL_ADMIN, 11),
        (RightType.REPORTS, 1),
    ],
)
def test_each_right_type_holds_its_rights(kind: RightType, count: int) -> None:
    assert len(rights_of_type(kind)) == count


def test_stock_rights_are_supervision_rights() -> None:
    assert right_type(Right.STOCK_ADJUST) is RightType.SUPERVISION
    assert right_type(Right.SHIPMENTS_EDIT) is RightType.ORDER_FULFILLMENT


def test_receiving_stock_has_no_right_of_its_own() -> None:
    assert "STOCK_RECEIVE" not in Right.__members__


def test_rights_are_named_by_their_values() -> None:
    assert all(right.value == right.name for right in Right)


def test_dead_letters_are_kept_until_an_operator_removes_them() -> None:
    for t in all_topics():
        if t.is_dlq:
            assert (t.retention_ms, t.cleanup_policy) == (-1, "delete"), t.name
