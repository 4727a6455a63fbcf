import subprocess
from pathlib import Path

import pytest

from akiba_devtools.stack import StackEndpoints, kafka
from akiba_devtools.stack.errors import KafkaStartError
from akiba_devtools.stack.state import (
    ComponentRecord,
    Ports,
    StackConfig,
    StackPaths,
    find_repo_root,
    read_records,
    write_record,
)


def test_service_database_urls_name_the_service_database() -> None:
    endpoints = StackEndpoints("postgresql://postgres@127.0.0.1:54329", "127.0.0.1:29092")

    assert (
        endpoints.database_url("inventory")
        == "postgresql://postgres@127.0.0.1:54329/akiba_inventory"
    )


def test_service_database_urls_keep_the_credentials_of_an_external_server() -> None:
    endpoints = StackEndpoints("postgresql://app:s3cret@db.internal:5432?sslmode=require", "k:9092")

    expected = "postgresql://app:s3cret@db.internal:5432/akiba_auth?sslmode=require"
    assert endpoints.database_url("auth") == expected


def test_config_reads_state_dir_ports_and_external_services_from_the_environment(
    tmp_path: Path,
) -> None:
    env = {
        "AKIBA_STATE_DIR": str(tmp_path),
        "AKIBA_PG_PORT": "6000",
        "AKIBA_PG_URL": "postgresql://u:p@h:5432",
        "AKIBA_KAFKA_BOOTSTRAP": "h:9092",
    }

    config = StackConfig.from_env(env)

    assert config.paths.state_dir == tmp_path.resolve()
    assert config.ports.postgres == 6000
    assert config.external_pg_url == "postgresql://u:p@h:5432"
    assert kafka.bootstrap(config) == "h:9092"


def test_the_default_state_dir_is_dot_akiba_in_the_repository_root() -> None:
    config = StackConfig.from_env({})

    assert config.paths.state_dir == find_repo_root() / ".akiba"
    assert config.paths.kafka_pom.is_file()
    assert config.paths.kafka_log4j2.is_file()


def test_stack_json_remembers_and_forgets_components(tmp_path: Path) -> None:
    paths = StackPaths(tmp_path, tmp_path)

    write_record(paths, "kafka", ComponentRecord("127.0.0.1:1", 42, False))
    write_record(paths, "postgres", ComponentRecord("postgresql://x", 43, False))
    write_record(paths, "kafka", None)

    assert read_records(paths) == {"postgres": ComponentRecord("postgresql://x", 43, False)}


def test_a_broker_that_exits_during_start_up_is_reported_with_its_log(tmp_path: Path) -> None:
    config = StackConfig(StackPaths(tmp_path, tmp_path), Ports(kafka=1, controller=2))
    config.paths.kafka_dir.mkdir()
    config.paths.kafka_log.write_text("INFO starting\nERROR Exiting Kafka due to fatal exception\n")
    exited = subprocess.Popen(["true"])
    exited.wait()  # reaped, so its pid no longer names a live process

    with pytest.raises(KafkaStartError) as caught:
        kafka._wait_ready(config, kafka.nodes(config), {1: exited.pid})

    assert caught.value.message == "Kafka broker exited during start-up"
    assert "Exiting Kafka due to fatal exception" in caught.value.detail


def test_the_number_of_brokers_up_started_is_remembered_for_down_and_status(
    tmp_path: Path,
) -> None:
    config = StackConfig(StackPaths(tmp_path, tmp_path), Ports(kafka=39092, controller=39093))
    write_record(config.paths, "kafka", ComponentRecord("127.0.0.1:39092", 42, False, nodes=3))

    assert kafka.brokers(config) == 3
    assert kafka.bootstrap(config) == "127.0.0.1:39092,127.0.0.1:39102,127.0.0.1:39112"
    assert [n.home for n in kafka.nodes(config)] == [
        tmp_path / "kafka" / f"node-{n}" for n in (1, 2, 3)
    ]


def test_a_stack_json_from_before_clusters_means_one_broker(tmp_path: Path) -> None:
    paths = StackPaths(tmp_path, tmp_path)
    tmp_path.joinpath("stack.json").write_text(
        '{"kafka": {"endpoint": "127.0.0.1:29092", "pid": 7, "external": false}}'
    )

    assert read_records(paths)["kafka"].nodes == 1
    assert kafka.brokers(StackConfig(paths)) == 1
    assert kafka.bootstrap(StackConfig(paths)) == "127.0.0.1:29092"


def test_asking_for_brokers_overrides_what_was_recorded(tmp_path: Path) -> None:
    paths = StackPaths(tmp_path, tmp_path)
    write_record(paths, "kafka", ComponentRecord("127.0.0.1:29092", 7, False, nodes=3))

    assert kafka.brokers(StackConfig(paths, brokers=1)) == 1
