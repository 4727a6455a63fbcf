"""The integrator's principal signs in with SCRAM and may read what it was granted, nothing
more: no other topic, no write."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from .conftest import INTEGRATOR, Broker, EventCheck
from .test_java_consumer_refuses import movement, scratch_topic

pytestmark = pytest.mark.stack


async def test_the_integrator_reads_a_granted_topic_and_is_refused_another(
    event_check: EventCheck, integrator: Path
) -> None:
    granted = await scratch_topic(event_check.bootstrap, movement())
    other = await scratch_topic(event_check.bootstrap, movement())
    await event_check.broker.grant_read(granted)

    allowed = await event_check.run(granted, config=integrator)
    refused = await event_check.run(granted, other, config=integrator)

    assert allowed.status == 0 and allowed.report["valid"] == 1, allowed.output
    assert refused.status == 2, refused.output
    assert "Not authorized to access topics" in refused.output and other in refused.output


async def test_a_wrong_password_is_refused_at_sign_in(
    event_check: EventCheck, private_broker: Broker, tmp_path: Path
) -> None:
    topic = await scratch_topic(event_check.bootstrap, movement())
    await event_check.broker.grant_read(topic)
    wrong = private_broker.client_properties(tmp_path, password=uuid.uuid4().hex)

    check = await event_check.run(topic, config=wrong)

    assert check.status == 2, check.output
    assert "Authentication failed" in check.output


async def test_the_integrator_cannot_write_even_to_a_topic_it_reads(
    event_check: EventCheck, private_broker: Broker
) -> None:
    topic = await scratch_topic(event_check.bootstrap, movement())
    await event_check.broker.grant_read(topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=private_broker.sasl,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=INTEGRATOR,
        sasl_plain_password=private_broker.password,
        request_timeout_ms=10_000,
    )
    await producer.start()
    try:
        with pytest.raises(KafkaError, match="TopicAuthorizationFailed"):
            await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()
