"""`akiba stack down --wipe`: the stack's data goes, what it fetched stays."""

from pathlib import Path

from akiba_devtools.cli import build_parser
from akiba_devtools.stack import wipe
from akiba_devtools.stack.state import Ports, StackConfig, StackPaths


def _config(tmp_path: Path) -> StackConfig:
    # Ports nobody listens on: nothing here is running, so `down` stops nothing.
    return StackConfig(StackPaths(tmp_path, tmp_path), Ports(postgres=1, kafka=2, controller=3))


def test_wipe_deletes_the_databases_and_every_nodes_topics_but_keeps_kafkas_jars(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    paths = config.paths
    kept = [paths.kafka_libs / "kafka.jar", paths.cluster_id_file]
    data = [paths.pg_data / "PG_VERSION", paths.kafka_data / "t-0" / "0.log",
            paths.kafka_dir / "node-2" / "data" / "t-1" / "0.log"]  # fmt: skip
    for f in [*kept, *data]:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x")

    gone = wipe(config)

    assert set(gone) == {paths.pg_data, paths.kafka_data, paths.kafka_dir / "node-2" / "data"}
    assert not any(f.exists() for f in data)
    assert all(f.exists() for f in kept)


def test_wipe_with_nothing_to_delete_deletes_nothing(tmp_path: Path) -> None:
    assert wipe(_config(tmp_path)) == []


def test_stack_down_takes_wipe() -> None:
    parser = build_parser()

    assert parser.parse_args(["stack", "down", "--wipe"]).wipe is True
    assert parser.parse_args(["stack", "down"]).wipe is False
