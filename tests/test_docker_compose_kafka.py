"""Kafka in docker-compose.yml is part of the trust base: SASL/SCRAM for every client, ACLs
so that each service writes only its own topics (only auth writes auth.*).

Checked against the topic catalogue (who owns each topic) and against what each service
consumes in its code (whose dead letters it writes, which groups it joins), and what each
front process (the web app) follows in its code: it reads those topics and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from akiba_contracts.catalogue import all_topics, dlq_name
from akiba_fulfillment.consumers import orders as fulfillment_orders
from akiba_fulfillment.consumers import sites as fulfillment_sites
from akiba_fulfillment.consumers import stock as fulfillment_stock
from akiba_inventory.consumers import alerting, edge, projector, shipments
from akiba_inventory.outbound import MOVEMENTS
from akiba_platform.auth import feed as auth_feed
from akiba_requisition.consumers import ledger, read_models, sites
from akiba_sync_hub import consumers as hub_consumers
from akiba_sync_hub import feed as hub_feed
from akiba_web import feeds as web_feeds

from .test_docker_compose import (  # the fixtures too: pytest finds them by name here
    APPS,
    KAFKA_NODES,
    PROCESSES,
    SPECS,
    Service,
    _environment,
    _kafka_password,
    _listeners,
    compose,
    containers,
    raw_compose,
    service,
    services,
)

__all__ = ["compose", "containers", "raw_compose", "service", "services"]

# The catalogue names a topic's owner; the sync hub writes the sites' topics for them.
WRITER_OF_OWNER = {
    "auth": "auth",
    "inventory": "inventory",
    "fulfillment": "fulfillment",
    "requisition": "requisition",
    "sites": "sync-hub",
}
# Consumer groups (named after their consumer) and the topics each reads, from the code.
CONSUMERS: dict[str, dict[str, tuple[str, ...]]] = {
    "auth": {},
    "fulfillment": {
        fulfillment_orders.NAME: (fulfillment_orders.TOPIC,),
        fulfillment_stock.NAME: tuple(fulfillment_stock.TOPICS),
        fulfillment_sites.NAME: (fulfillment_sites.TOPIC,),
    },
    "inventory": {
        projector.NAME: (MOVEMENTS,),
        alerting.NAME: (MOVEMENTS,),
        edge.NAME: tuple(edge.TOPICS),
        shipments.NAME: (shipments.TOPIC,),
    },
    "requisition": {
        read_models.NAME: tuple(read_models.TOPICS),
        ledger.NAME: (ledger.TOPIC,),
        sites.NAME: (sites.TOPIC,),
    },
    "sync-hub": {hub_feed.NAME: tuple(hub_consumers.TOPICS)},
}
# What each front process follows from its code, without a consumer group (group_id=None:
# no group to join, no offsets to commit): it needs Read on these topics, and nothing else.
FOLLOWS: dict[str, tuple[str, ...]] = {
    "web": (*auth_feed.TOPICS, *web_feeds.REFERENCE_TOPICS, web_feeds.ALERTS_TOPIC),
}


@dataclass(frozen=True)
class Acl:
    """One line of the kafka-acls table."""

    principal: str
    operations: frozenset[str]
    kind: str
    name: str
    pattern: str

    def covers(self, kind: str, name: str) -> bool:
        """Whether this ACL applies to the resource."""
        if self.kind != kind:
            return False
        if self.pattern == "prefixed":
            return name.startswith(self.name)
        return self.name in (name, "*")


@pytest.fixture(scope="module")
def acls(compose: dict[str, Any]) -> list[Acl]:
    """The kafka-acls table kafka-setup applies."""
    found = []
    for line in compose["configs"]["kafka-acls"]["content"].splitlines():
        if line.strip() and not line.startswith("#"):
            principal, operations, kind, name, pattern = line.split()
            found.append(Acl(principal, frozenset(operations.split(",")), kind, name, pattern))
    return found


def _allowed(acls: list[Acl], operation: str, kind: str, name: str) -> set[str]:
    return {a.principal for a in acls if operation in a.operations and a.covers(kind, name)}


def test_the_acl_table_is_well_formed(acls: list[Acl]) -> None:
    assert acls
    for a in acls:
        assert a.kind in {"topic", "group", "cluster"} and a.pattern in {"literal", "prefixed"}
        assert a.principal in {spec.name for spec in PROCESSES}, a


@pytest.mark.parametrize("node", KAFKA_NODES)
def test_the_broker_authenticates_every_client_and_authorizes_by_acl(
    services: dict[str, dict[str, Any]], raw_compose: dict[str, Any], node: str
) -> None:
    kafka = _environment(services[node])
    raw = _environment(raw_compose["services"][node])
    protocols = dict(p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    bound = _listeners(kafka["KAFKA_LISTENERS"])
    # Nodes sign in to each other (replication, the quorum) with PLAIN as `broker`.
    between_nodes = {
        kafka["KAFKA_INTER_BROKER_LISTENER_NAME"],
        kafka["KAFKA_CONTROLLER_LISTENER_NAMES"],
    }

    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert kafka["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    for name, (host, _) in bound.items():
        if protocols[name] == "PLAINTEXT":
            # Unauthenticated callers are ANONYMOUS, the super user: loopback only.
            assert host == "localhost", f"{name} is PLAINTEXT on {host or 'every interface'}"
        elif name in between_nodes:
            assert protocols[name] == "SASL_PLAINTEXT", name
            assert kafka[f"KAFKA_LISTENER_NAME_{name}_SASL_ENABLED_MECHANISMS"] == "PLAIN", name
            jaas = raw[f"KAFKA_LISTENER_NAME_{name}_PLAIN_SASL_JAAS_CONFIG"]
            assert 'username="broker"' in jaas, name
            # Its password is a required secret, never a default in the file.
            secret = "${AKIBA_KAFKA_BROKER_PASSWORD:?set AKIBA_KAFKA_BROKER_PASSWORD}"
            assert jaas.count(secret) == 2, name
        else:
            assert protocols[name] == "SASL_PLAINTEXT", name
            assert f"KAFKA_LISTENER_NAME_{name}_SASL_ENABLED_MECHANISMS" not in kafka, name
            jaas = f"KAFKA_LISTENER_NAME_{name}_SCRAM___SHA___512_SASL_JAAS_CONFIG"
            assert "ScramLoginModule required" in kafka[jaas], name
    assert kafka["KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL"] == "PLAIN"
    assert kafka["KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL"] == "PLAIN"
    assert set(kafka["KAFKA_SUPER_USERS"].split(";")) == {"User:broker", "User:ANONYMOUS"}
    # No service principal may be called `broker`: it would be a super user.
    assert "broker" not in {spec.name for spec in PROCESSES}


def test_kafka_setup_runs_once_on_the_brokers_loopback_with_every_services_password(
    services: dict[str, dict[str, Any]], raw_compose: dict[str, Any]
) -> None:
    setup = services["kafka-setup"]
    raw_env = _environment(raw_compose["services"]["kafka-setup"])

    assert setup["network_mode"] == "service:kafka" and setup["restart"] == "no"
    assert "localhost:9094" in services["kafka"]["healthcheck"]["test"]
    for spec in PROCESSES:
        variable = _kafka_password(Service(spec))
        assert raw_env[variable] == f"${{{variable}:?set {variable}}}", spec.name
    script = raw_compose["configs"]["kafka-setup"]["content"]
    assert "kafka-configs.sh" in script and "SCRAM-SHA-512=[password=" in script


def test_every_service_container_signs_in_to_kafka_as_its_service(
    service: Service, containers: dict[str, dict[str, Any]], raw_compose: dict[str, Any]
) -> None:
    for name, container in containers.items():
        env = _environment(container)
        raw = _environment(raw_compose["services"][name]) or _environment(container)
        assert env["AKIBA_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT", name
        assert env["AKIBA_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512", name
        assert env["AKIBA_KAFKA_SASL_USERNAME"] == service.spec.name, name
        assert _kafka_password(service) in raw.get("AKIBA_KAFKA_SASL_PASSWORD", ""), name


def test_every_topic_is_written_by_its_owner_alone_and_dead_letters_by_its_consumers(
    acls: list[Acl],
) -> None:
    consumers_of: dict[str, set[str]] = {}
    for principal, groups in CONSUMERS.items():
        for topics in groups.values():
            for t in topics:
                consumers_of.setdefault(t, set()).add(principal)
    for t in all_topics():
        writers = _allowed(acls, "Write", "topic", t.name)
        # ops.* (`akiba dlq` decisions) is written by operators as the broker's super user.
        expected = set() if t.owner == "ops" else {WRITER_OF_OWNER[t.owner]}
        if t.is_dlq:
            expected |= consumers_of.get(t.name.removesuffix(".dlq"), set())
        assert writers == expected, f"{t.name} is written by {sorted(writers)}"


def test_only_auth_writes_auth_topics_other_than_dead_letters(acls: list[Acl]) -> None:
    for t in all_topics():
        if t.name.startswith("auth.") and not t.is_dlq:
            assert _allowed(acls, "Write", "topic", t.name) == {"auth"}, t.name


def test_every_service_reads_what_it_consumes_in_its_groups(acls: list[Acl]) -> None:
    for principal, groups in CONSUMERS.items():
        for group, topics in groups.items():
            assert principal in _allowed(acls, "Read", "group", group), (principal, group)
            for t in topics:
                assert principal in _allowed(acls, "Read", "topic", t), (principal, t)
                assert principal in _allowed(acls, "Write", "topic", dlq_name(t)), (principal, t)
        # Every API authorizes from auth's topics, read without a group.
        for t in auth_feed.TOPICS:
            assert principal in _allowed(acls, "Read", "topic", t), (principal, t)


def test_every_service_may_create_the_catalogues_topics_at_migration(acls: list[Acl]) -> None:
    for spec in SPECS:
        assert spec.name in _allowed(acls, "Create", "cluster", "kafka-cluster"), spec.name
        assert spec.name in _allowed(acls, "Describe", "topic", "any.topic"), spec.name


def test_every_front_process_reads_what_it_follows_and_nothing_else(acls: list[Acl]) -> None:
    assert set(FOLLOWS) == {app.name for app in APPS}
    catalogue = {t.name for t in all_topics()}
    for principal, followed in FOLLOWS.items():
        assert set(followed) <= catalogue, sorted(set(followed) - catalogue)
        own = [a for a in acls if a.principal == principal]
        # Read implies the Describe its metadata and offset lookups need; no group, no
        # cluster, no Write, no prefix that a new topic could fall under.
        assert {(a.operations, a.kind, a.pattern) for a in own} == {
            (frozenset({"Read"}), "topic", "literal")
        }, own
        assert sorted(a.name for a in own) == sorted(set(followed)), principal
