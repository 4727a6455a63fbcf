"""`akiba run --instances`: which processes each service gets, on which ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from akiba_devtools import devrun
from akiba_devtools.devrun import plan as plan_run
from akiba_devtools.discovery import discover, discover_apps, discover_sites
from akiba_devtools.scale import Instance, Scale, ScaleError, instances, metrics_ports
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.stack.state import StackConfig, StackPaths

ROLES = ("api", "relay", "project", "ingest")


def plan(*values: str, port: int = 8101) -> list[Instance]:
    return instances(
        "inventory", ROLES, Scale.parse(values), http_port=port, metrics=metrics_ports()
    )


def test_by_default_a_service_is_one_process_running_every_role_on_its_port() -> None:
    assert plan() == [Instance("inventory", "inventory", ROLES, http_port=8101)]


def test_n_instances_are_n_named_processes_with_every_role_on_ports_100_apart() -> None:
    found = plan("3")
    assert [(p.name, p.roles, p.http_port) for p in found] == [
        ("inventory-1", ROLES, 8101),
        ("inventory-2", ROLES, 8201),
        ("inventory-3", ROLES, 8301),
    ]


def test_a_count_for_the_service_wins_over_the_count_for_every_service() -> None:
    assert len(plan("3", "inventory=2")) == 2
    assert len(plan("inventory=2", "3")) == 2
    assert len(plan("auth=4")) == 1


def test_a_role_split_out_runs_in_processes_of_its_own_with_metrics_ports() -> None:
    found = plan("2", "inventory.project=3")
    assert [(p.name, p.roles) for p in found] == [
        ("inventory-1", ("api", "relay", "ingest")),
        ("inventory-2", ("api", "relay", "ingest")),
        ("inventory-project-1", ("project",)),
        ("inventory-project-2", ("project",)),
        ("inventory-project-3", ("project",)),
    ]
    assert [p.metrics_port for p in found] == [None, None, 9464, 9465, 9466]
    assert [p.http_port for p in found] == [8101, 8201, None, None, None]


def test_apis_split_out_get_the_service_port_first_and_the_rest_metrics() -> None:
    found = plan("inventory.api=2")
    assert [(p.name, p.http_port, p.metrics_port) for p in found] == [
        ("inventory", None, 9464),
        ("inventory-api-1", 8101, None),
        ("inventory-api-2", 8201, None),
    ]


def test_every_role_split_out_leaves_no_process_without_roles() -> None:
    found = plan(*(f"inventory.{r}=1" for r in ROLES))
    assert [p.roles for p in found] == [(r,) for r in ROLES]


def test_an_instance_names_itself_and_its_ports_in_its_settings() -> None:
    api, relay = plan("inventory.relay=1")
    assert api.env() == {"AKIBA_INSTANCE_NAME": "inventory", "AKIBA_HTTP_PORT": "8101"}
    assert relay.env() == {"AKIBA_INSTANCE_NAME": "inventory-relay", "AKIBA_METRICS_PORT": "9464"}
    assert relay.argv() == ["serve", "--roles", "relay"]
    assert api.url == "http://127.0.0.1:8101"


def test_comma_separated_values_are_values_of_their_own() -> None:
    assert Scale.parse(["2,inventory=3", "auth.relay=2"]) == Scale(
        2, {"inventory": 3}, {("auth", "relay"): 2}
    )


@pytest.mark.parametrize("value", ["0", "-1", "two", "inventory=", "17", "inventory.api=0"])
def test_a_count_that_is_not_1_to_16_is_refused(value: str) -> None:
    with pytest.raises(ScaleError, match="whole number from 1 to 16"):
        Scale.parse([value])


def test_unknown_services_and_roles_are_refused_with_the_known_ones() -> None:
    known = {"inventory": ROLES}
    with pytest.raises(ScaleError, match=r"no service 'stock'.*inventory"):
        Scale.parse(["stock=2"]).check(known)
    with pytest.raises(ScaleError, match=r"no role 'feed'.*project"):
        Scale.parse(["inventory.feed=2"]).check(known)
    Scale.parse(["inventory.ingest=2"]).check(known)


def test_two_of_every_installed_service_split_anyhow_never_share_a_port() -> None:
    specs = discover()
    processes = plan_run(specs, Scale.parse(["2", "inventory.project=2", "auth.api=3"]))
    ports = [p.http_port or p.metrics_port for ps in processes.values() for p in ps]
    ports += [s.http_port for s in (*discover_sites(), *discover_apps())]
    assert len(ports) == len(set(ports)), sorted(p or 0 for p in ports)
    assert {name for name, ps in processes.items() if len(ps) >= 2} == {s.name for s in specs}


def test_akiba_run_refuses_an_unknown_role_before_starting_anything() -> None:
    with pytest.raises(ScaleError, match="inventory has no role 'feed'"):
        plan_run(discover(), Scale.parse(["inventory.feed=2"]))


class RecordingChildren:
    """Children that record what they were asked to run instead of running it."""

    def __init__(self) -> None:
        self.ran: list[list[str]] = []
        self.started: dict[str, tuple[list[str], dict[str, str]]] = {}

    def run(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> int:
        self.ran.append(argv[2:])
        return 0

    def start(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        assert log.name == f"{name}.log"
        self.started[name] = (argv[2:], dict(env))


def test_akiba_run_seeds_once_then_starts_every_planned_instance_as_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (spec,) = (s for s in discover() if s.name == "inventory")
    planned = plan_run([spec], Scale.parse(["2", "inventory.alert=1"]))["inventory"]
    children = RecordingChildren()
    config = StackConfig(StackPaths(state_dir=tmp_path, repo_root=tmp_path))
    endpoints = StackEndpoints("postgresql://pg", "kafka:9092")
    devrun._start(children, spec, planned, endpoints, config)  # type: ignore[arg-type]
    assert children.ran == [["akiba_inventory", "seed-demo"]]
    assert list(children.started) == ["inventory-1", "inventory-2", "inventory-alert"]
    for p in planned:
        argv, env = children.started[p.name]
        assert argv == ["akiba_inventory", *p.argv()]
        assert env.items() >= p.env().items()
        assert env["AKIBA_DATABASE_URL"] == "postgresql://pg/akiba_inventory"
    devrun._announce(endpoints, planned, [], [], config)
    printed = capsys.readouterr().out
    assert "inventory-1 http://127.0.0.1:8101/docs" in printed.replace("  ", " ")
    assert "inventory-2 http://127.0.0.1:8201/docs" in printed.replace("  ", " ")
    assert "inventory-alert alert  (metrics: http://127.0.0.1:9464)" in printed
