"""docs/integrators.md tells integrators the truth about the topics: every catalogue topic in
a table with its key, partitions, retention and event types as the catalogue has them, and no
topic or event type the catalogue does not know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from akiba_contracts.catalogue import DAY_MS, TOPICS, Topic, all_topics
from akiba_contracts.payloads import PAYLOADS

DOC = Path(__file__).resolve().parents[1] / "docs" / "integrators.md"
PREFIX = "org.akiba."
# A table row about one topic: | `name` | key | partitions | retention | `type`, `type` |
ROW = re.compile(r"^\| `([^`]+)` \| (.+?) \| (\d+) \| ([^|]+?) \| (.+) \|$")
# Anything in the text shaped like a topic or an event type of one of the owners.
NAME = re.compile(
    r"\b(?:auth|inventory|requisition|fulfillment|sites|ops|sync-gateway|sync-hub)"
    r"\.[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*"
)
VERSIONED = re.compile(r"\.v\d+$")


def retention(t: Topic) -> str:
    """How the doc words a topic's retention."""
    if t.cleanup_policy == "compact":
        return "compacted"
    assert t.retention_ms is not None and t.retention_ms % DAY_MS == 0, t.name
    return f"{t.retention_ms // DAY_MS} days"


@pytest.fixture(scope="module")
def rows() -> dict[str, tuple[str, int, str, set[str]]]:
    """Topic -> (key, partitions, retention, event types) from the doc's tables."""
    found: dict[str, tuple[str, int, str, set[str]]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := ROW.match(line):
            name, key, partitions, kept, types = m.groups()
            assert name not in found, f"{name} has two rows"
            listed = {PREFIX + t for t in re.findall(r"`([^`]+)`", types)}
            found[name] = (key, int(partitions), kept.strip(), listed)
    return found


def test_every_catalogue_topic_has_a_row_and_no_other_topic_has_one(
    rows: dict[str, tuple[str, int, str, set[str]]],
) -> None:
    assert sorted(rows) == sorted(t.name for t in TOPICS)


@pytest.mark.parametrize("topic", TOPICS, ids=[t.name for t in TOPICS])
def test_each_row_says_what_the_catalogue_says(
    topic: Topic, rows: dict[str, tuple[str, int, str, set[str]]]
) -> None:
    assert rows[topic.name] == (
        topic.key,
        topic.partitions,
        retention(topic),
        set(topic.event_types),
    )


def test_the_text_names_no_topic_or_event_type_the_contracts_do_not_know() -> None:
    topics = {t.name for t in all_topics()}
    unknown = set()
    for name in NAME.findall(DOC.read_text(encoding="utf-8")):
        if VERSIONED.search(name):
            known = (name if name.startswith(PREFIX) else PREFIX + name) in PAYLOADS
        else:
            known = name in topics
        if not known:
            unknown.add(name)
    assert not unknown, sorted(unknown)
