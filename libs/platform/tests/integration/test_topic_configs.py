"""Topics get the catalogue's configuration on the real broker, dead letters kept for good."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from akiba_contracts.catalogue import TOPICS, dlq_topic
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Topics
from akiba_platform import kafka


async def _retention(bootstrap: str, topic: str) -> str:
    """The topic's retention.ms, once the broker knows the topic."""
    return await _config(bootstrap, topic, "retention.ms")


async def _config(bootstrap: str, topic: str, key: str) -> str:
    """One of the topic's configuration values, once the broker knows the topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()

    async def described() -> str | None:
        asked = [ConfigResource(ConfigResourceType.TOPIC, topic, {key: None})]
        [response] = await admin.describe_configs(asked)
        [(error, _, _, _, entries, *_)] = response.resources
        return None if error else str({e[0]: e[1] for e in entries}[key])

    try:
        found: str = await wait_until(described, what=f"{topic} to be described", timeout=10)
        return found
    finally:
        await admin.close()


async def test_a_new_dead_letter_topic_keeps_its_records_for_good(kafka_bootstrap: str) -> None:
    source = replace(TOPICS[0], name=f"test.{uuid.uuid4().hex[:10]}")
    created = await kafka.ensure_topics(kafka_bootstrap, [source, dlq_topic(source)])
    assert created == [source.name, f"{source.name}.dlq"]
    assert await _retention(kafka_bootstrap, f"{source.name}.dlq") == "-1"
    assert await _retention(kafka_bootstrap, source.name) == str(source.retention_ms)


async def test_an_existing_dead_letter_topic_gets_the_catalogue_retention(
    kafka_bootstrap: str, topics: Topics
) -> None:
    name = await topics.create()  # and name.dlq, at the broker's default retention
    assert await _retention(kafka_bootstrap, f"{name}.dlq") != "-1"
    source = replace(TOPICS[0], name=name)
    assert await kafka.ensure_topics(kafka_bootstrap, [source, dlq_topic(source)]) == []
    assert await _retention(kafka_bootstrap, f"{name}.dlq") == "-1"


async def test_topics_made_with_fewer_replicas_than_asked_are_named_in_a_warning(
    kafka_bootstrap: str, topics: Topics, caplog: pytest.LogCaptureFixture
) -> None:
    name = await topics.create()  # one replica: the only broker
    source = replace(TOPICS[0], name=name)

    with caplog.at_level(logging.WARNING, logger="akiba_platform.kafka"):
        created = await kafka.ensure_topics(kafka_bootstrap, [source], kafka.Replication(3, 2))

    assert created == []
    [warning] = [
        r.getMessage() for r in caplog.records if "fewer than 3 replicas" in r.getMessage()
    ]
    assert name in warning


async def test_new_topics_get_the_min_in_sync_replicas_asked_for(kafka_bootstrap: str) -> None:
    source = replace(TOPICS[0], name=f"test.{uuid.uuid4().hex[:10]}")

    # 2 on the one-broker stack (whose default is 1): the topic says what it was told. (No
    # write to it could succeed; settings refuse such a pair, the dataclass does not.)
    await kafka.ensure_topics(kafka_bootstrap, [source], kafka.Replication(1, 2))

    assert await _config(kafka_bootstrap, source.name, "min.insync.replicas") == "2"
