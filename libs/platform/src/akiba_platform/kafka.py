"""Kafka clients configured the way the messaging rules need them.

How clients authenticate (PLAINTEXT locally; SASL/SCRAM in the compose deployment) is set
once per process at start-up, from its settings (`configure`), and applies to every client
made here or through `options()`, so no call site can forget it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from aiokafka.partitioner import murmur2

from akiba_contracts.catalogue import Topic
from akiba_platform.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Security:
    """How this process's Kafka clients authenticate: PLAINTEXT (no auth) or SASL."""

    protocol: str = "PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = None

    @classmethod
    def of(cls, s: ServiceSettings) -> Security:
        """The security the settings describe."""
        password = s.kafka_sasl_password.get_secret_value() if s.kafka_sasl_password else None
        return cls(
            s.kafka_security_protocol, s.kafka_sasl_mechanism, s.kafka_sasl_username, password
        )

    def options(self) -> dict[str, Any]:
        """aiokafka keyword arguments (none for PLAINTEXT, aiokafka's default)."""
        if self.protocol == "PLAINTEXT":
            return {}
        found: dict[str, Any] = {"security_protocol": self.protocol}
        if self.protocol.startswith("SASL"):
            if not self.username or not self.password:
                raise ValueError(f"{self.protocol} needs a SASL username and password")
            found |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.protocol.endswith("SSL"):
            found["ssl_context"] = create_ssl_context()
        return found


_security = Security()
# Names this process's clients to the brokers (`client.id`): which replica holds a partition.
_client_id: str | None = None


def configure(settings: ServiceSettings) -> None:
    """Make every Kafka client of this process authenticate as the settings say."""
    global _security, _client_id
    _security = Security.of(settings)
    _security.options()  # a SASL protocol without credentials fails here, at start-up
    _client_id = settings.instance_name or settings.service_name


def options() -> dict[str, Any]:
    """The security keyword arguments for an aiokafka client made elsewhere."""
    return _security.options()


def _named() -> dict[str, str]:
    return {"client_id": _client_id} if _client_id else {}


def producer(bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    """An idempotent producer that waits for every in-sync replica (aiokafka's defaults don't)."""
    options: dict[str, Any] = {
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 30_000,
        **_named(),
    }
    options.update(overrides)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **_security.options(), **options)


@dataclass(frozen=True, slots=True)
class Record:
    """One message to produce: keyed, so it lands where the default partitioner puts the key."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] | None = None


_PARTITION_CACHE_LIMIT = 100_000
_partition_of: dict[tuple[str, int, bytes], int] = {}


def partition_for(topic: str, partitions: int, key: bytes) -> int:
    """The partition aiokafka's (and Java's) default partitioner picks for a key, memoised."""
    found = _partition_of.get((topic, partitions, key))
    if found is None:
        if len(_partition_of) >= _PARTITION_CACHE_LIMIT:
            _partition_of.clear()
        found = (murmur2(key) & 0x7FFFFFFF) % partitions
        _partition_of[(topic, partitions, key)] = found
    return found


async def send_batched(
    producer: AIOKafkaProducer, records: Iterable[Record]
) -> list[asyncio.Future[Any]]:
    """Queue records as whole batches, one per partition, in the order given.

    Same placement and per-partition order as a `send` per record, at a third of the CPU:
    no per-record coroutine, future or partitioner call (murmur2 is pure Python in
    aiokafka). The futures resolve when the broker has each batch.
    """
    counts: dict[str, int] = {}
    builders: dict[tuple[str, int], Any] = {}
    futures: list[asyncio.Future[Any]] = []
    for r in records:
        n = counts.get(r.topic)
        if n is None:
            n = counts[r.topic] = len(await producer.partitions_for(r.topic))
        tp = (r.topic, partition_for(r.topic, n, r.key))
        builder = builders.get(tp)
        if builder is None:
            builder = builders[tp] = producer.create_batch()
        if builder.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
            futures.append(await producer.send_batch(builder, tp[0], partition=tp[1]))
            builder = builders[tp] = producer.create_batch()
            # An empty batch takes any one record, however large (as the Java client does).
            builder.append(key=r.key, value=r.value, timestamp=None, headers=r.headers)
    for (topic, partition), builder in builders.items():
        futures.append(await producer.send_batch(builder, topic, partition=partition))
    return futures


def consumer(bootstrap: str, group: str, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
    """A group member that commits offsets only when told to, after the database commit."""
    options: dict[str, Any] = {
        "group_id": group,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "max_poll_records": 1000,
        "fetch_max_bytes": 16 * 1024 * 1024,
        "fetch_max_wait_ms": 100,
        **_named(),
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, **_security.options(), **options)


@dataclass(frozen=True, slots=True)
class Replication:
    """How many brokers hold each new topic, and how many must have a write before it counts.

    One broker: 1/1 (the local stack). A cluster: 3/2, so that with acks=all one broker may
    be lost without refusing writes, and no acknowledged write lives on a single disk.
    """

    factor: int = 1
    min_insync: int = 1

    @classmethod
    def of(cls, s: ServiceSettings) -> Replication:
        """The replication the settings ask for (AKIBA_KAFKA_REPLICATION_FACTOR and so on)."""
        return cls(s.kafka_replication_factor, s.kafka_min_insync_replicas)


async def ensure_topics(
    bootstrap: str, topics: Iterable[Topic], replication: Replication | None = None
) -> list[str]:
    """Create the catalogue's topics that don't exist yet; return the names created.

    New topics get `replication` (one replica by default). Existing dead-letter topics also
    get the catalogue's configuration (kept until an operator removes them) if they were
    created with another, e.g. before it said so.
    """
    replication = replication or Replication()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **_security.options())
    await admin.start()
    try:
        topics = list(topics)
        existing = set(await admin.list_topics())
        new = [_new_topic(t, replication) for t in topics if t.name not in existing]
        if new:
            # Another process may win the race; the topic is then what the catalogue says.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
        await _keep_dead_letters(admin, [t for t in topics if t.is_dlq and t.name in existing])
        if replication.factor > 1:
            await _warn_under_replicated(
                admin, [t.name for t in topics if t.name in existing], replication
            )
        return [t.name for t in new]
    finally:
        await admin.close()


async def _warn_under_replicated(
    admin: AIOKafkaAdminClient, names: list[str], replication: Replication
) -> None:
    """Say which existing topics have fewer replicas than asked: creating them again won't
    add any (that takes a partition reassignment; docs/operations.md, Broker loss)."""
    if not names:
        return
    fewer = sorted(
        t["topic"]
        for t in await admin.describe_topics(names)
        if t["partitions"] and min(len(p["replicas"]) for p in t["partitions"]) < replication.factor
    )
    if fewer:
        log.warning(
            "%d topic(s) have fewer than %d replicas, so losing a broker may lose or refuse"
            " their writes: %s",
            len(fewer),
            replication.factor,
            ", ".join(fewer),
        )


def topic_config(t: Topic) -> dict[str, str]:
    """A topic's configuration as the catalogue gives it."""
    config: dict[str, str] = {"cleanup.policy": t.cleanup_policy}
    if t.retention_ms is not None:
        config["retention.ms"] = str(t.retention_ms)
    return config


def _new_topic(t: Topic, replication: Replication) -> NewTopic:
    config = {**topic_config(t), "min.insync.replicas": str(replication.min_insync)}
    return NewTopic(t.name, t.partitions, replication.factor, topic_configs=config)


async def _keep_dead_letters(admin: AIOKafkaAdminClient, dlqs: list[Topic]) -> None:
    """Give existing dead-letter topics the catalogue's retention where theirs differs."""
    stale = await _stale_retention(admin, dlqs) if dlqs else []
    if not stale:
        return
    changes = [ConfigResource(ConfigResourceType.TOPIC, t.name, topic_config(t)) for t in stale]
    for response in await admin.alter_configs(changes):
        for error, message, _, name in (r[:4] for r in response.resources):
            if error:
                log.warning("could not set %s's retention (error %s: %s)", name, error, message)
            else:
                log.info("%s now keeps its records until an operator removes them", name)


async def _stale_retention(admin: AIOKafkaAdminClient, topics: list[Topic]) -> list[Topic]:
    """The topics whose retention.ms is not the catalogue's."""
    wanted = {t.name: t for t in topics}
    asked = [ConfigResource(ConfigResourceType.TOPIC, n, {"retention.ms": None}) for n in wanted]
    stale = []
    for response in await admin.describe_configs(asked):
        for error, _, _, name, entries in (r[:5] for r in response.resources):
            if error:
                continue  # denied: another service's topic, its own migration sees to it
            current = {e[0]: e[1] for e in entries}.get("retention.ms")
            if current != str(wanted[name].retention_ms):
                stale.append(wanted[name])
    return stale
