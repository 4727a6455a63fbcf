import os
import socket

import pytest

from akiba_devtools.stack._process import ensure_port_free, port_is_free
from akiba_devtools.stack.errors import PortInUseError, StackError
from akiba_devtools.stack.state import Ports


def test_a_taken_port_is_reported_with_its_number_and_owner() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        with pytest.raises(PortInUseError) as caught:
            ensure_port_free("127.0.0.1", port, "Kafka broker", "AKIBA_KAFKA_PORT")

    message = caught.value.message
    assert f"port {port} (Kafka broker)" in message
    assert f"pid {os.getpid()}" in message
    assert "AKIBA_KAFKA_PORT" in message
    assert "\n" not in message


def test_a_port_nobody_listens_on_is_free() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert port_is_free("127.0.0.1", port)
    ensure_port_free("127.0.0.1", port, "PostgreSQL", "AKIBA_PG_PORT")


def test_ports_default_to_the_documented_values() -> None:
    assert Ports.from_env({}) == Ports(postgres=54329, kafka=29092, controller=29093)


def test_ports_can_be_overridden_from_the_environment() -> None:
    env = {
        "AKIBA_PG_PORT": "1111",
        "AKIBA_KAFKA_PORT": "2222",
        "AKIBA_KAFKA_CONTROLLER_PORT": "3333",
    }

    assert Ports.from_env(env) == Ports(postgres=1111, kafka=2222, controller=3333)


def test_a_port_variable_that_is_not_a_port_is_rejected_with_its_name() -> None:
    with pytest.raises(StackError, match="AKIBA_PG_PORT"):
        Ports.from_env({"AKIBA_PG_PORT": "lots"})
