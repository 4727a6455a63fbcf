from akiba_devtools import devrun
from akiba_devtools.stack import StackEndpoints
from akiba_platform.services import ServiceSpec

SPEC = ServiceSpec(name="inventory", module="akiba_inventory", http_port=8101, database="inventory")
PG = "postgresql://postgres@127.0.0.1:54329"


def test_akiba_run_tells_services_of_a_three_broker_stack_to_replicate_three_times() -> None:
    servers = "127.0.0.1:29092,127.0.0.1:29102,127.0.0.1:29112"
    env = devrun._env(SPEC, StackEndpoints(PG, servers, kafka_brokers=3))

    assert env["AKIBA_KAFKA_BOOTSTRAP_SERVERS"] == servers
    assert env["AKIBA_KAFKA_REPLICATION_FACTOR"] == "3"
    assert env["AKIBA_KAFKA_MIN_INSYNC_REPLICAS"] == "2"


def test_akiba_run_on_one_broker_keeps_one_replica() -> None:
    env = devrun._env(SPEC, StackEndpoints(PG, "127.0.0.1:29092"))

    assert env["AKIBA_KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:29092"
    assert env["AKIBA_KAFKA_REPLICATION_FACTOR"] == "1"
    assert env["AKIBA_KAFKA_MIN_INSYNC_REPLICAS"] == "1"
