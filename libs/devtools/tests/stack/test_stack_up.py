"""One real start of the stack on a private state dir and private ports."""

import asyncio
import socket
import uuid
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from akiba_devtools.stack import down, status, up
from akiba_devtools.stack._process import pid_alive
from akiba_devtools.stack.state import Ports, StackConfig, StackPaths, find_repo_root

pytestmark = pytest.mark.stack


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


async def _kafka_round_trip(bootstrap: str) -> bytes:
    topic = f"stack-test-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    return bytes(message.value or b"")


async def _select_one(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("select 1"))
    finally:
        await conn.close()


async def test_up_starts_kafka_and_postgres_that_answer_and_down_stops_them(
    tmp_path: Path,
) -> None:
    pg, broker, controller = _free_ports(3)
    paths = StackPaths(tmp_path / "state", find_repo_root())
    config = StackConfig(paths, Ports(postgres=pg, kafka=broker, controller=controller))

    endpoints = up(config)
    try:
        assert endpoints.kafka_bootstrap == f"127.0.0.1:{broker}"
        assert await _kafka_round_trip(endpoints.kafka_bootstrap) == b"hello"
        assert await _select_one(endpoints.database_url("inventory")) == 1
        assert up(config) == endpoints
        components = status(config)
        assert all(component.healthy for component in components)
    finally:
        stopped = down(config)

    assert stopped == ["kafka", "postgres"]
    # A stopped postmaster may linger as a zombie until init reaps it: that counts as gone.
    assert not any(pid_alive(component.pid) for component in components)
    assert not any(component.running for component in status(config))
