"""docker-compose.yml and inventory's Dockerfile agree with the code they run.

Nothing here needs Docker: the files are read as data and checked against the settings,
roles and databases the services really use. The settings ignore unknown environment
names, so a misspelt variable would otherwise only show up as a wrong default at run time.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from akiba_inventory.bootstrap import ROLES
from akiba_inventory.settings import Settings
from akiba_platform.stack.state import SERVICE_DATABASES

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
INVENTORY = ROOT / "services" / "inventory"
DOCKERFILE = INVENTORY / "Dockerfile"

PREFIX = str(Settings.model_config.get("env_prefix", ""))
REQUIRED = ("AKIBA_DATABASE_URL", "AKIBA_KAFKA_BOOTSTRAP_SERVERS")
# The field's default, not Settings(): the developer's own AKIBA_* variables don't count.
HTTP_PORT = Settings.model_fields["http_port"].default
MIGRATE = "inventory-migrate"

# Compose interpolation: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, $NAME.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?::?-(?P<default>[^}]*))?\}|(?P<bare>\w+))"
)


def _substitute(match: re.Match[str]) -> str:
    if match["escaped"]:
        return "$"
    # Compose substitutes "" (with a warning) for an unset variable without a default.
    return match["default"] or ""


def _interpolate(value: Any) -> Any:
    """Resolve variables to their defaults, as a machine with no .env and no overrides would."""
    if isinstance(value, str):
        return _VARIABLE.sub(_substitute, value)
    if isinstance(value, dict):
        return {key: _interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item) for item in value]
    return value


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file with every variable at its default."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return dict(_interpolate(loaded))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services by name."""
    return dict(compose["services"])


@pytest.fixture(scope="module")
def inventory(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The containers that run inventory's image."""
    return {
        name: service
        for name, service in services.items()
        if str(service.get("build", {}).get("dockerfile", "")).endswith(
            "services/inventory/Dockerfile"
        )
    }


@pytest.fixture(scope="module")
def role_containers(inventory: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """The inventory containers that serve roles, with the roles each one serves."""
    return {name: roles for name, service in inventory.items() if (roles := _roles(service))}


def _roles(service: dict[str, Any]) -> list[str]:
    """The roles `akiba-inventory serve` runs in this container ([] for other commands)."""
    command = [str(part) for part in service.get("command", [])]
    if not command or command[0] != "serve":
        return []
    for i, part in enumerate(command):
        if part == "--roles":
            return command[i + 1].split(",")
        if part.startswith("--roles="):
            return part.removeprefix("--roles=").split(",")
    return list(ROLES)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(str(item).partition("=")[::2] for item in env)
    return {str(key): str(value) for key, value in env.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency -> condition (the list form means service_started)."""
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def _healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def _published(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(published, target) of each port, long or short syntax."""
    pairs = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            pairs.append((int(port["published"]), int(port["target"])))
        else:
            *_, published, target = str(port).split(":")
            pairs.append((int(published), int(target.split("/")[0])))
    return pairs


def _listeners(value: str) -> dict[str, tuple[str, int]]:
    """`NAME://host:port,...` -> {NAME: (host, port)}."""
    found = {}
    for listener in value.split(","):
        name, _, address = listener.partition("://")
        host, _, port = address.rpartition(":")
        found[name] = (host, int(port))
    return found


def _is_one_shot(name: str, service: dict[str, Any]) -> bool:
    return name == MIGRATE and service.get("command") == ["migrate"]


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_compose_file_parses_into_services_with_volumes_and_configs() -> None:
    loaded = yaml.safe_load(COMPOSE.read_text())

    assert isinstance(loaded["services"], dict)
    assert set(loaded["volumes"]) == {"kafka-data", "postgres-data"}
    assert "postgres-init" in loaded["configs"]


def test_every_variable_in_the_compose_file_has_a_default() -> None:
    for match in _VARIABLE.finditer(COMPOSE.read_text()):
        assert match["escaped"] or match["default"] is not None, match[0]


def test_the_stack_has_kafka_postgres_a_migrate_job_and_one_container_per_inventory_role(
    services: dict[str, dict[str, Any]], role_containers: dict[str, list[str]]
) -> None:
    assert {"kafka", "postgres", MIGRATE} <= set(services)
    assert all(len(roles) == 1 for roles in role_containers.values())
    assert sorted(roles[0] for roles in role_containers.values()) == sorted(ROLES)


def test_every_service_has_a_healthcheck_unless_it_is_the_one_shot_migrate(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        if _is_one_shot(name, service):
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert not service["healthcheck"].get("disable", False), name


def test_the_migrate_job_runs_once_and_is_never_restarted(
    services: dict[str, dict[str, Any]],
) -> None:
    migrate = services[MIGRATE]

    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert "ports" not in migrate


def test_every_command_serves_only_known_roles(role_containers: dict[str, list[str]]) -> None:
    for name, roles in role_containers.items():
        assert set(roles) <= set(ROLES), f"{name} serves unknown roles {roles}"


def test_every_akiba_variable_on_an_inventory_container_is_a_settings_field(
    inventory: dict[str, dict[str, Any]],
) -> None:
    fields = {PREFIX + name.upper() for name in Settings.model_fields}

    for name, service in inventory.items():
        unknown = {key for key in _environment(service) if key.startswith(PREFIX)} - fields
        assert not unknown, f"{name} sets variables Settings ignores: {sorted(unknown)}"


def test_every_inventory_container_sets_its_database_and_kafka(
    inventory: dict[str, dict[str, Any]],
) -> None:
    assert inventory
    for name, service in inventory.items():
        missing = set(REQUIRED) - set(_environment(service))
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_the_api_is_published_and_health_checked_on_the_settings_port(
    services: dict[str, dict[str, Any]], role_containers: dict[str, list[str]]
) -> None:
    (api,) = [services[name] for name, roles in role_containers.items() if "api" in roles]
    env = _environment(api)

    assert int(env.get("AKIBA_HTTP_PORT", HTTP_PORT)) == HTTP_PORT
    assert env["AKIBA_HTTP_HOST"] == "0.0.0.0"
    assert _published(api) == [(HTTP_PORT, HTTP_PORT)]
    assert f"127.0.0.1:{HTTP_PORT}/health" in _healthcheck_command(api)


def test_roles_without_http_are_health_checked_on_their_metrics_port(
    services: dict[str, dict[str, Any]], role_containers: dict[str, list[str]]
) -> None:
    for name, roles in role_containers.items():
        if "api" in roles:
            continue
        port = int(_environment(services[name]).get("AKIBA_METRICS_PORT", "0"))
        assert port, f"{name} has no metrics port to be health-checked on"
        assert f"127.0.0.1:{port}/metrics" in _healthcheck_command(services[name])


def test_kafka_bootstrap_servers_point_at_the_kafka_services_internal_listener(
    services: dict[str, dict[str, Any]], inventory: dict[str, dict[str, Any]]
) -> None:
    kafka = _environment(services["kafka"])
    bound = _listeners(kafka["KAFKA_LISTENERS"])
    advertised = _listeners(kafka["KAFKA_ADVERTISED_LISTENERS"])
    controllers = set(kafka["KAFKA_CONTROLLER_LISTENER_NAMES"].split(","))
    internal = {
        address
        for name, address in advertised.items()
        if name not in controllers and address[0] == "kafka" and bound[name][1] == address[1]
    }

    for name, service in inventory.items():
        for server in _environment(service)["AKIBA_KAFKA_BOOTSTRAP_SERVERS"].split(","):
            host, _, port = server.rpartition(":")
            assert (host, int(port)) in internal, f"{name}: {server} is no internal listener"


def test_kafka_is_one_combined_kraft_node_that_creates_no_topics_by_itself(
    services: dict[str, dict[str, Any]],
) -> None:
    kafka = _environment(services["kafka"])
    node, _, voter = kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].partition("@")
    controller = kafka["KAFKA_CONTROLLER_LISTENER_NAMES"]

    assert services["kafka"]["image"] == "apache/kafka:4.1.1"
    assert set(kafka["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert node == kafka["KAFKA_NODE_ID"]
    assert int(voter.rpartition(":")[2]) == _listeners(kafka["KAFKA_LISTENERS"])[controller][1]
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert kafka["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"
    assert "kafka-broker-api-versions.sh" in _healthcheck_command(services["kafka"])


def test_postgres_init_creates_the_same_databases_as_the_local_stack(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    init = compose["configs"]["postgres-init"]["content"]
    mounts = {mount["source"]: mount["target"] for mount in services["postgres"]["configs"]}

    assert set(re.findall(r"create database (\w+)", init, re.IGNORECASE)) == set(SERVICE_DATABASES)
    assert mounts["postgres-init"].startswith("/docker-entrypoint-initdb.d/")
    assert services["postgres"]["image"] == "postgres:18"
    assert "pg_isready" in _healthcheck_command(services["postgres"])


def test_the_database_url_points_at_the_postgres_service_and_a_database_the_init_creates(
    compose: dict[str, Any],
    services: dict[str, dict[str, Any]],
    inventory: dict[str, dict[str, Any]],
) -> None:
    postgres = _environment(services["postgres"])
    init = compose["configs"]["postgres-init"]["content"]
    created = set(re.findall(r"create database (\w+)", init, re.IGNORECASE))

    for name, service in inventory.items():
        url = urlsplit(_environment(service)["AKIBA_DATABASE_URL"])
        assert url.scheme in {"postgresql", "postgres"}, name
        assert (url.hostname, url.port or 5432) == ("postgres", 5432), name
        assert url.path.lstrip("/") == "akiba_inventory", name
        assert url.path.lstrip("/") in created, name
        assert url.username == postgres.get("POSTGRES_USER", "postgres"), name
        assert url.password == postgres.get("POSTGRES_PASSWORD"), name


def test_roles_start_after_the_migration_and_everything_after_healthy_kafka_and_postgres(
    services: dict[str, dict[str, Any]], inventory: dict[str, dict[str, Any]]
) -> None:
    for name, service in inventory.items():
        deps = _depends_on(service)
        assert deps.get("kafka") == "service_healthy", name
        assert deps.get("postgres") == "service_healthy", name
        if name != MIGRATE:
            assert deps.get(MIGRATE) == "service_completed_successfully", name


def test_inventory_containers_share_one_image_built_from_the_repository_root(
    inventory: dict[str, dict[str, Any]],
) -> None:
    images = {service["image"] for service in inventory.values()}
    contexts = {(ROOT / service["build"]["context"]).resolve() for service in inventory.values()}

    assert len(images) == 1
    assert contexts == {ROOT}
    assert all((ROOT / s["build"]["dockerfile"]).is_file() for s in inventory.values())


def test_the_dockerfile_exposes_the_settings_port() -> None:
    exposed = [args for instruction, args in _dockerfile() if instruction == "EXPOSE"]

    assert exposed == [str(HTTP_PORT)]


def test_the_dockerfile_runs_the_services_console_script_as_a_non_root_user() -> None:
    instructions = _dockerfile()
    scripts = tomllib.loads((INVENTORY / "pyproject.toml").read_text())["project"]["scripts"]
    (entrypoint,) = [args for instruction, args in instructions if instruction == "ENTRYPOINT"]
    user = [args for instruction, args in instructions if instruction == "USER"][-1]

    assert yaml.safe_load(entrypoint) == ["akiba-inventory"]
    assert "akiba-inventory" in scripts
    assert user.split(":")[0] not in {"root", "0"}


def test_akiba_variables_the_dockerfile_sets_are_settings_fields() -> None:
    fields = {PREFIX + name.upper() for name in Settings.model_fields}
    env = " ".join(args for instruction, args in _dockerfile() if instruction == "ENV")

    assert set(re.findall(rf"\b({PREFIX}\w+)=", env)) <= fields
