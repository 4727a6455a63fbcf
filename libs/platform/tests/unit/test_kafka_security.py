"""Kafka clients authenticate as the settings say: PLAINTEXT by default, SASL/SCRAM in compose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from akiba_platform import kafka
from akiba_platform.settings import ServiceSettings

SASL = {
    "kafka_security_protocol": "SASL_PLAINTEXT",
    "kafka_sasl_username": "inventory",
    "kafka_sasl_password": "s3cret",
}


@pytest.fixture(autouse=True)
def _plaintext_again() -> Iterator[None]:
    yield
    kafka.configure(ServiceSettings())


def test_the_default_is_plaintext_with_no_options() -> None:
    kafka.configure(ServiceSettings())
    assert kafka.options() == {}


def test_sasl_settings_reach_every_client_made_here() -> None:
    kafka.configure(ServiceSettings(**SASL))
    assert kafka.options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "inventory",
        "sasl_plain_password": "s3cret",
    }


async def test_a_producer_and_a_consumer_are_built_with_them() -> None:
    kafka.configure(ServiceSettings(**SASL))
    producer = kafka.producer("127.0.0.1:1")
    consumer = kafka.consumer("127.0.0.1:1", "g", "t")
    for client in (producer.client, consumer._client):
        assert (client._security_protocol, client._sasl_mechanism) == (
            "SASL_PLAINTEXT",
            "SCRAM-SHA-512",
        )
        assert client._sasl_plain_username == "inventory"
    await producer.stop()
    await consumer.stop()


def test_sasl_without_credentials_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="SASL username and password"):
        kafka.configure(ServiceSettings(kafka_security_protocol="SASL_PLAINTEXT"))


async def test_clients_are_named_after_the_instance_else_after_the_service() -> None:
    kafka.configure(ServiceSettings(service_name="inventory", instance_name="inventory-2"))
    producer = kafka.producer("127.0.0.1:1")
    consumer = kafka.consumer("127.0.0.1:1", "g", "t")
    assert [c._client_id for c in (producer.client, consumer._client)] == ["inventory-2"] * 2
    await producer.stop()
    await consumer.stop()
    kafka.configure(ServiceSettings(service_name="inventory"))
    producer = kafka.producer("127.0.0.1:1")
    assert producer.client._client_id == "inventory"
    await producer.stop()
