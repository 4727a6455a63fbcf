"""docker-compose.yml and the Dockerfile agree with the code they run.

Nothing here needs Docker: the files are read as data and checked against the settings,
roles, commands and databases the services really use. The settings ignore unknown
environment names, so a misspelt variable would otherwise only show up as a wrong default
at run time.

The per-service checks run for every service `akiba_devtools.discovery.discover()` finds
(the `akiba.services` entry point), so a service with code and no containers, or with build
arguments copied from another service and not fully adapted, fails here. They run for every
front process `discover_apps()` finds too (the `akiba.apps` entry point: the web app), which
is built and run the same way but has no database, so no migration and no database URL. There
is one Dockerfile; each image is it with the compose file's build arguments (SERVICE,
HTTP_PORT), and the checks read it with those arguments substituted.
"""

from __future__ import annotations

import importlib
import re
import shlex
import tomllib
import typing
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import entry_points
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from akiba_devtools.discovery import discover, discover_apps
from akiba_devtools.stack.state import SERVICE_DATABASES
from akiba_platform.services import ServiceSpec, SiteSpec

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SPECS = discover()
# Front processes (the web app): an image and containers of their own, no database.
APPS = discover_apps()
PROCESSES: list[ServiceSpec | SiteSpec] = [*SPECS, *APPS]

# The only compose variables without a default: secrets nobody should get by accident.
# They must be written `${NAME:?message}`, so compose refuses to start without them.
REQUIRED_VARIABLES = frozenset(
    {
        "AKIBA_ADMIN_PASSWORD",
        "AKIBA_KEY_ENCRYPTION_SECRET",
        "AKIBA_KAFKA_BROKER_PASSWORD",
        *(f"AKIBA_KAFKA_{spec.name.upper().replace('-', '_')}_PASSWORD" for spec in PROCESSES),
    }
)
# Read once by a one-shot command (`create-admin`); no long-running container gets them.
ONE_SHOT_ONLY = frozenset({"AKIBA_ADMIN_PASSWORD"})
# Every container needs Kafka to reach anything, and a service's its database too.
REQUIRED = ("AKIBA_KAFKA_BOOTSTRAP_SERVERS",)
DATABASE_URL = "AKIBA_DATABASE_URL"
KAFKA_NODES = ("kafka", "kafka-2", "kafka-3")
INFRA = (*KAFKA_NODES, "kafka-setup", "postgres")

# Compose interpolation: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
# ${NAME?error}, ${NAME:+alternative}, ${NAME+alternative}, $NAME.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>\w+))"
)


def _substitute(match: re.Match[str]) -> str:
    if match["escaped"]:
        return "$"
    op = (match["op"] or "").lstrip(":")
    if op == "?":
        # Compose would refuse to start; stand in a value that shows where it came from.
        return f"<{match['name']}>"
    if op == "-":
        return match["arg"]
    # Compose substitutes "" (with a warning) for an unset variable without a default.
    return ""


def _interpolate(value: Any) -> Any:
    """Resolve variables to their defaults, as a machine with no .env and no overrides would."""
    if isinstance(value, str):
        return _VARIABLE.sub(_substitute, value)
    if isinstance(value, dict):
        return {key: _interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item) for item in value]
    return value


@dataclass(frozen=True)
class Service:
    """One discovered service (or front process) and what the compose file and its
    Dockerfile must match."""

    spec: ServiceSpec | SiteSpec

    @property
    def has_database(self) -> bool:
        """Services have one; front processes (`akiba.apps`) only call the services' APIs."""
        return isinstance(self.spec, ServiceSpec)

    @property
    def entry_point_group(self) -> str:
        return "akiba.services" if self.has_database else "akiba.apps"

    @property
    def health_path(self) -> str:
        """What the API container's healthcheck asks: a service's API is healthy once alive;
        a front process once Kafka answers too, since its pages authorize from auth's topics."""
        return "/health" if self.has_database else "/ready"

    @cached_property
    def settings(self) -> type[BaseSettings]:
        settings: type[BaseSettings] = importlib.import_module(
            f"{self.spec.module}.settings"
        ).Settings
        return settings

    @cached_property
    def roles(self) -> tuple[str, ...]:
        return tuple(importlib.import_module(f"{self.spec.module}.__main__").ENTRY.roles)

    @cached_property
    def directory(self) -> Path:
        """services/<name>: the package is an editable workspace install, src/<module>/."""
        init = importlib.import_module(self.spec.module).__file__
        assert init is not None
        return Path(init).resolve().parents[2]

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        return tomllib.loads((self.directory / "pyproject.toml").read_text())

    @property
    def package(self) -> str:
        return str(self.pyproject["project"]["name"])

    @property
    def script(self) -> str:
        """The console script that runs `<module>.__main__:main`."""
        target = f"{self.spec.module}.__main__:main"
        (script,) = [k for k, v in self.pyproject["project"]["scripts"].items() if v == target]
        return str(script)

    @property
    def build(self) -> tuple[Path, str]:
        """The Dockerfile and the SERVICE argument its image is built with: its folder."""
        return DOCKERFILE, self.directory.name

    @property
    def prefix(self) -> str:
        return str(self.settings.model_config.get("env_prefix", ""))

    @property
    def fields(self) -> set[str]:
        """Settings fields as environment names."""
        return {self.prefix + name.upper() for name in self.settings.model_fields}

    @property
    def secret_fields(self) -> set[str]:
        return {
            self.prefix + name.upper()
            for name, field in self.settings.model_fields.items()
            if field.annotation is SecretStr or SecretStr in typing.get_args(field.annotation)
        }

    @property
    def http_port(self) -> int:
        # The field's default, not Settings(): the developer's own AKIBA_* variables don't count.
        return int(self.settings.model_fields["http_port"].default)

    @property
    def database(self) -> str:
        assert isinstance(self.spec, ServiceSpec), f"{self.spec.name} has no database"
        return f"akiba_{self.spec.database}"

    @property
    def migrate(self) -> str:
        return f"{self.spec.name}-migrate"

    def command_roles(self, container: dict[str, Any]) -> list[str]:
        """The roles `serve` runs in this container ([] for other commands)."""
        # No command: the image's CMD, `serve` with every role.
        command = [str(part) for part in container.get("command") or ["serve"]]
        if command[0] != "serve":
            return []
        for i, part in enumerate(command):
            if part == "--roles":
                return command[i + 1].split(",")
            if part.startswith("--roles="):
                return part.removeprefix("--roles=").split(",")
        return list(self.roles)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file with every variable at its default."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return dict(_interpolate(loaded))


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    """The compose file as written, variables and all."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Compose services (containers) by name."""
    return dict(compose["services"])


@pytest.fixture(scope="module", params=PROCESSES, ids=[spec.name for spec in PROCESSES])
def service(request: pytest.FixtureRequest) -> Service:
    """Each service discover() finds, then each front process discover_apps() finds."""
    return Service(request.param)


# Checks of a database and its migration, or of a front process alone: `service` in turn is
# each discovered service, or each front process, only.
with_database = pytest.mark.parametrize(
    "service", SPECS, ids=[spec.name for spec in SPECS], indirect=True
)
front_processes = pytest.mark.parametrize(
    "service", APPS, ids=[spec.name for spec in APPS], indirect=True
)


@pytest.fixture(scope="module")
def containers(service: Service, services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The containers that run this service's image."""
    return {
        name: container
        for name, container in services.items()
        if _build_of(container) == service.build
    }


@pytest.fixture(scope="module")
def dockerfile(service: Service, containers: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """The Dockerfile's instructions with this service's build arguments substituted."""
    (args,) = {tuple(sorted(c["build"].get("args", {}).items())) for c in containers.values()}
    return _dockerfile(DOCKERFILE, {str(k): str(v) for k, v in args})


@pytest.fixture(scope="module")
def role_containers(
    service: Service, containers: dict[str, dict[str, Any]]
) -> dict[str, list[str]]:
    """This service's containers that serve roles, with the roles each one serves."""
    return {
        name: roles
        for name, container in containers.items()
        if (roles := service.command_roles(container))
    }


def _kafka_password(service: Service) -> str:
    """The compose variable holding a service's Kafka (SCRAM) password."""
    return f"AKIBA_KAFKA_{service.spec.name.upper().replace('-', '_')}_PASSWORD"


def _api_container(spec: ServiceSpec | SiteSpec, services: dict[str, dict[str, Any]]) -> str:
    """The name of the container that serves a process's api role."""
    process = Service(spec)
    (name,) = [
        name
        for name, container in services.items()
        if _build_of(container) == process.build and "api" in process.command_roles(container)
    ]
    return name


def _build_of(container: dict[str, Any]) -> tuple[Path, str] | None:
    """The Dockerfile a container's image is built from, and the SERVICE it is built for."""
    build = container.get("build")
    if not isinstance(build, dict) or "dockerfile" not in build:
        return None
    path = (ROOT / str(build.get("context", ".")) / str(build["dockerfile"])).resolve()
    return path, str(build.get("args", {}).get("SERVICE", ""))


def _is_one_shot(container: dict[str, Any]) -> bool:
    """A command that runs to completion (migrate, create-admin...), never a role."""
    command = container.get("command") or ["serve"]
    return container.get("restart") == "no" and command[0] != "serve"


def _environment(container: dict[str, Any]) -> dict[str, str]:
    env = container.get("environment", {})
    if isinstance(env, list):
        return dict(str(item).partition("=")[::2] for item in env)
    return {str(key): str(value) for key, value in env.items()}


def _depends_on(container: dict[str, Any]) -> dict[str, str]:
    """Dependency -> condition (the list form means service_started)."""
    deps = container.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def _healthcheck_command(container: dict[str, Any]) -> str:
    test = container["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def _published(container: dict[str, Any]) -> list[tuple[int, int]]:
    """(published, target) of each port, long or short syntax."""
    pairs = []
    for port in container.get("ports", []):
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


def _created_databases(compose: dict[str, Any]) -> set[str]:
    init = compose["configs"]["postgres-init"]["content"]
    return set(re.findall(r"create database (\w+)", init, re.IGNORECASE))


def _dockerfile(path: Path, args: dict[str, str]) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined, comments dropped, and the
    build arguments given substituted (`${NAME}`, `$NAME`); other variables stay as written."""
    text = re.sub(r"\\\n", " ", path.read_text())
    text = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], m[0]), text)
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


# The whole file


def test_discover_finds_the_services_with_code() -> None:
    # Guards the parametrization: an empty discover() would make every check below vacuous.
    assert {"inventory", "auth"} <= {spec.name for spec in SPECS}
    assert "web" in {spec.name for spec in APPS}


def test_the_compose_file_parses_into_services_with_volumes_and_configs() -> None:
    loaded = yaml.safe_load(COMPOSE.read_text())

    assert isinstance(loaded["services"], dict)
    assert set(loaded["volumes"]) == {"kafka-data", "kafka-2-data", "kafka-3-data", "postgres-data"}
    assert "postgres-init" in loaded["configs"]


def test_every_variable_has_a_default_except_the_required_secrets() -> None:
    used_as_required = set()
    for match in _VARIABLE.finditer(COMPOSE.read_text()):
        if match["escaped"]:
            continue
        name, op = match["name"] or match["bare"], match["op"]
        if name in REQUIRED_VARIABLES:
            # `:?`, not `?`: an empty secret is refused too.
            assert op == ":?" and match["arg"].strip(), f"{match[0]} must be ${{{name}:?...}}"
            used_as_required.add(name)
        else:
            assert op in {":-", "-"}, f"{match[0]} has no default"

    assert used_as_required == REQUIRED_VARIABLES


def test_every_container_has_a_healthcheck_unless_it_is_a_one_shot_command(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, container in services.items():
        if _is_one_shot(container):
            assert "healthcheck" not in container, f"{name} runs once: nothing to check"
            continue
        assert container.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert not container["healthcheck"].get("disable", False), name


def test_no_two_containers_publish_the_same_host_port(
    services: dict[str, dict[str, Any]],
) -> None:
    published = [port for c in services.values() for port, _ in _published(c)]

    assert len(published) == len(set(published)), sorted(published)


def test_every_container_built_here_belongs_to_a_discovered_service(
    services: dict[str, dict[str, Any]],
) -> None:
    builds = {Service(spec).build: spec.name for spec in PROCESSES}
    apps = {spec.name for spec in APPS}

    for name, container in services.items():
        build = _build_of(container)
        if build is None:
            assert name in INFRA, f"{name} is neither infrastructure nor built here"
            continue
        assert build in builds, f"{name} builds {build}, which no discovered service owns"
        owner = builds[build]
        # A front process's one container may carry its bare name (`web`).
        named = name.startswith(f"{owner}-") or (owner in apps and name == owner)
        assert named, f"{name} runs {owner}"


def test_kafka_is_three_combined_kraft_nodes_that_create_no_topics_by_themselves(
    services: dict[str, dict[str, Any]],
) -> None:
    nodes = [_environment(services[name]) for name in KAFKA_NODES]
    ids = [node["KAFKA_NODE_ID"] for node in nodes]

    assert ids == ["1", "2", "3"]
    for name, kafka in zip(KAFKA_NODES, nodes, strict=True):
        controller = kafka["KAFKA_CONTROLLER_LISTENER_NAMES"]
        voters = dict(v.split("@") for v in kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
        assert services[name]["image"] == "apache/kafka:4.1.1"
        assert set(kafka["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
        # Every node votes, each at its own host on the controller listener's port.
        assert voters == {
            i: f"{n}:{_listeners(kafka['KAFKA_LISTENERS'])[controller][1]}"
            for i, n in zip(ids, KAFKA_NODES, strict=True)
        }
        assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        assert "kafka-broker-api-versions.sh" in _healthcheck_command(services[name])
        advertised = _listeners(kafka["KAFKA_ADVERTISED_LISTENERS"])
        assert advertised["CLIENTS"][0] == name, f"{name} must advertise itself to clients"
    assert len({tuple(v["volumes"]) for n, v in services.items() if n in KAFKA_NODES}) == 3


def test_kafka_keeps_three_copies_and_needs_two_in_sync_internal_topics_included(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in KAFKA_NODES:
        kafka = _environment(services[name])
        for key in (
            "KAFKA_DEFAULT_REPLICATION_FACTOR",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
        ):
            assert kafka[key] == "3", (name, key)
        for key in (
            "KAFKA_MIN_INSYNC_REPLICAS",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
        ):
            assert kafka[key] == "2", (name, key)


def test_every_service_creates_its_topics_with_three_replicas_and_two_in_sync(
    containers: dict[str, dict[str, Any]],
) -> None:
    for name, container in containers.items():
        env = _environment(container)
        assert env["AKIBA_KAFKA_REPLICATION_FACTOR"] == "3", name
        assert env["AKIBA_KAFKA_MIN_INSYNC_REPLICAS"] == "2", name


def test_postgres_init_creates_the_same_databases_as_the_local_stack(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    mounts = {mount["source"]: mount["target"] for mount in services["postgres"]["configs"]}

    assert _created_databases(compose) == set(SERVICE_DATABASES)
    assert mounts["postgres-init"].startswith("/docker-entrypoint-initdb.d/")
    assert services["postgres"]["image"] == "postgres:18"
    assert "pg_isready" in _healthcheck_command(services["postgres"])


# Each discovered service


def test_the_service_has_containers_a_migrate_job_and_one_container_per_role(
    service: Service,
    containers: dict[str, dict[str, Any]],
    role_containers: dict[str, list[str]],
) -> None:
    assert containers, f"{service.spec.name} has no containers in docker-compose.yml"
    # No database, nothing to migrate: a front process has no migrate job.
    assert (service.migrate in containers) == service.has_database
    assert all(len(roles) == 1 for roles in role_containers.values()), role_containers
    assert sorted(roles[0] for roles in role_containers.values()) == sorted(service.roles)


@with_database
def test_the_migrate_job_runs_once_after_healthy_infrastructure_and_is_never_restarted(
    service: Service, containers: dict[str, dict[str, Any]]
) -> None:
    migrate = containers[service.migrate]

    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert "ports" not in migrate
    assert _depends_on(migrate) == {
        # Every node: topics get three replicas, so all three must be there to hold them.
        **dict.fromkeys(KAFKA_NODES, "service_healthy"),
        # Its Kafka credentials and ACLs exist before it signs in to create topics.
        "kafka-setup": "service_completed_successfully",
        "postgres": "service_healthy",
    }


def test_other_one_shot_commands_run_once_after_the_migration(
    service: Service, containers: dict[str, dict[str, Any]]
) -> None:
    for name, container in containers.items():
        if name == service.migrate or service.command_roles(container):
            continue
        assert service.has_database, f"{name}: {service.spec.name} has no migration to follow"
        assert _is_one_shot(container), f"{name} neither serves roles nor runs once"
        assert "ports" not in container, name
        deps = _depends_on(container)
        assert deps.get(service.migrate) == "service_completed_successfully", name


def test_every_command_is_one_the_services_cli_accepts(
    service: Service,
    containers: dict[str, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    main = importlib.import_module(f"{service.spec.module}.__main__").main

    for name, container in containers.items():
        command = [str(part) for part in container.get("command") or ["serve"]]
        # argparse answers --help after checking the subcommand, before anything runs.
        with pytest.raises(SystemExit) as exited:
            main([*command, "--help"])
        assert exited.value.code == 0, f"{name}: {service.script} {command} is refused"
        assert set(service.command_roles(container)) <= set(service.roles), name
    capsys.readouterr()


def test_every_akiba_variable_is_a_settings_field_with_a_valid_value(
    service: Service, containers: dict[str, dict[str, Any]]
) -> None:
    for name, container in containers.items():
        env = {k: v for k, v in _environment(container).items() if k.startswith(service.prefix)}
        unknown = set(env) - service.fields
        assert not unknown, f"{name} sets variables Settings ignores: {sorted(unknown)}"
        # Validated as the process would read them (model_validate reads no environment).
        service.settings.model_validate(
            {k.removeprefix(service.prefix).lower(): v for k, v in env.items()}
        )


def test_every_container_sets_its_service_name_database_and_kafka(
    service: Service, containers: dict[str, dict[str, Any]]
) -> None:
    required = {*REQUIRED, DATABASE_URL} if service.has_database else set(REQUIRED)
    for name, container in containers.items():
        env = _environment(container)
        missing = required - set(env)
        assert not missing, f"{name} lacks {sorted(missing)}"
        # The settings field exists (ServiceSettings), so a leftover would pass unnoticed.
        assert service.has_database or DATABASE_URL not in env, f"{name} has no database"
        assert env.get(f"{service.prefix}SERVICE_NAME", service.spec.name) == service.spec.name


def test_secrets_come_from_required_variables_of_the_same_name(
    service: Service, raw_compose: dict[str, Any]
) -> None:
    for name, container in raw_compose["services"].items():
        if _build_of(container) != service.build:
            continue
        for key, value in _environment(container).items():
            if key in service.secret_fields:
                # Each service has its own Kafka password, from a variable named after it.
                source = _kafka_password(service) if key == "AKIBA_KAFKA_SASL_PASSWORD" else key
                assert re.fullmatch(rf"\$\{{{source}:\?[^}}]+\}}", value), f"{name}: {key}={value}"


def test_one_shot_secrets_reach_no_long_running_container(
    containers: dict[str, dict[str, Any]],
) -> None:
    for name, container in containers.items():
        if not _is_one_shot(container):
            assert not ONE_SHOT_ONLY & set(_environment(container)), name


def test_the_api_is_published_and_health_checked_on_the_settings_port(
    service: Service,
    containers: dict[str, dict[str, Any]],
    role_containers: dict[str, list[str]],
) -> None:
    (api,) = [containers[name] for name, roles in role_containers.items() if "api" in roles]
    env = _environment(api)
    port = service.http_port

    assert port == service.spec.http_port
    assert int(env.get("AKIBA_HTTP_PORT", port)) == port
    assert env["AKIBA_HTTP_HOST"] == "0.0.0.0"
    assert _published(api) == [(port, port)]
    assert f"127.0.0.1:{port}{service.health_path}" in _healthcheck_command(api)


def test_roles_without_http_are_health_checked_on_their_metrics_port(
    containers: dict[str, dict[str, Any]], role_containers: dict[str, list[str]]
) -> None:
    for name, roles in role_containers.items():
        if "api" in roles:
            continue
        port = int(_environment(containers[name]).get("AKIBA_METRICS_PORT", "0"))
        assert port, f"{name} has no metrics port to be health-checked on"
        assert f"127.0.0.1:{port}/metrics" in _healthcheck_command(containers[name])
        assert "ports" not in containers[name], name


def test_kafka_bootstrap_servers_point_at_the_kafka_services_internal_listener(
    services: dict[str, dict[str, Any]], containers: dict[str, dict[str, Any]]
) -> None:
    internal: dict[str, tuple[str, int]] = {}
    for node in KAFKA_NODES:
        kafka = _environment(services[node])
        bound = _listeners(kafka["KAFKA_LISTENERS"])
        advertised = _listeners(kafka["KAFKA_ADVERTISED_LISTENERS"])
        controllers = set(kafka["KAFKA_CONTROLLER_LISTENER_NAMES"].split(","))
        protocols = dict(
            p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
        )
        for name, address in advertised.items():
            client = name not in controllers and name != kafka["KAFKA_INTER_BROKER_LISTENER_NAME"]
            if client and address[0] == node and bound[name][1] == address[1]:
                assert protocols[name].startswith("SASL"), f"{node}'s {name} is not SASL"
                internal[node] = address

    for name, container in containers.items():
        servers = _environment(container)["AKIBA_KAFKA_BOOTSTRAP_SERVERS"].split(",")
        found = set()
        for server in servers:
            host, _, port = server.rpartition(":")
            assert internal.get(host) == (host, int(port)), (
                f"{name}: {server} is no client listener"
            )
            found.add(host)
        # Every node: a client starting while one is down still finds the cluster.
        assert found == set(KAFKA_NODES), f"{name} names {sorted(found)}"


@with_database
def test_the_database_url_points_at_the_postgres_service_and_the_services_database(
    service: Service,
    compose: dict[str, Any],
    services: dict[str, dict[str, Any]],
    containers: dict[str, dict[str, Any]],
) -> None:
    postgres = _environment(services["postgres"])
    default = urlsplit(str(service.settings.model_fields["database_url"].default))

    assert default.path.lstrip("/") == service.database
    assert service.database in _created_databases(compose)
    for name, container in containers.items():
        url = urlsplit(_environment(container)["AKIBA_DATABASE_URL"])
        assert url.scheme in {"postgresql", "postgres"}, name
        assert (url.hostname, url.port or 5432) == ("postgres", 5432), name
        assert url.path.lstrip("/") == service.database, name
        assert url.username == postgres.get("POSTGRES_USER", "postgres"), name
        assert url.password == postgres.get("POSTGRES_PASSWORD"), name


@with_database
def test_roles_start_after_the_migration_and_everything_after_healthy_kafka_and_postgres(
    service: Service, containers: dict[str, dict[str, Any]]
) -> None:
    for name, container in containers.items():
        deps = _depends_on(container)
        assert deps.get("kafka") == "service_healthy", name
        assert deps.get("postgres") == "service_healthy", name
        if name != service.migrate:
            assert deps.get(service.migrate) == "service_completed_successfully", name


@front_processes
def test_a_front_process_starts_after_its_kafka_credentials_and_every_services_api(
    service: Service,
    services: dict[str, dict[str, Any]],
    containers: dict[str, dict[str, Any]],
) -> None:
    apis = {_api_container(spec, services) for spec in SPECS}

    for name, container in containers.items():
        deps = _depends_on(container)
        assert deps.get("kafka") == "service_healthy", name
        # It signs in to Kafka as itself: kafka-setup made its credentials and ACLs.
        assert deps.get("kafka-setup") == "service_completed_successfully", name
        # Healthy APIs have migrated databases and created topics behind them.
        unhealthy = {api for api in apis if deps.get(api) != "service_healthy"}
        assert not unhealthy, f"{name} starts before {sorted(unhealthy)} are healthy"


@front_processes
def test_a_front_process_calls_each_service_at_its_api_container_on_this_network(
    service: Service,
    services: dict[str, dict[str, Any]],
    containers: dict[str, dict[str, Any]],
) -> None:
    for name, container in containers.items():
        env = _environment(container)
        for spec in SPECS:
            key = f"{service.prefix}{spec.name.upper().replace('-', '_')}_URL"
            # The settings' default is the local stack's 127.0.0.1: another container here.
            assert key in service.fields and key in env, f"{name} lacks {key}"
            url = urlsplit(env[key])
            assert url.scheme == "http" and url.path in {"", "/"}, f"{name}: {key}={env[key]}"
            assert url.hostname == _api_container(spec, services), f"{name}: {key}={env[key]}"
            assert url.port == spec.http_port, f"{name}: {key}={env[key]}"


@front_processes
def test_auth_believes_forwarded_addresses_from_the_front_process_alone(
    service: Service,
    compose: dict[str, Any],
    services: dict[str, dict[str, Any]],
    containers: dict[str, dict[str, Any]],
) -> None:
    # Sign-ins through the web app name the browser in X-Forwarded-For; auth's API must
    # believe it from the web container's address, and from no other container's.
    (ipam,) = compose["networks"]["default"]["ipam"]["config"]
    subnet, dynamic = ip_network(ipam["subnet"]), ip_network(ipam["ip_range"])
    fixed = {
        name: ip_address(c["networks"]["default"]["ipv4_address"])
        for name, c in services.items()
        if isinstance(c.get("networks"), dict) and c["networks"].get("default")
    }
    (api,) = [c for c in containers.values() if "api" in service.command_roles(c)]
    address = ip_address(api["networks"]["default"]["ipv4_address"])
    auth = urlsplit(_environment(api)[f"{service.prefix}AUTH_URL"]).hostname

    # Docker hands out the upper range only, so no other container can take the address.
    assert address in subnet and address not in dynamic
    assert address not in {subnet.network_address, subnet.broadcast_address}
    assert list(fixed.values()).count(address) == 1, fixed
    for name, container in services.items():
        trusted = _environment(container).get("AKIBA_FORWARDED_ALLOW_IPS", "")
        assert trusted == (str(address) if name == auth else ""), f"{name}: {trusted!r}"


def test_the_containers_share_one_image_of_their_own_built_from_the_repository_root(
    service: Service,
    containers: dict[str, dict[str, Any]],
    services: dict[str, dict[str, Any]],
) -> None:
    images = {container["image"] for container in containers.values()}
    contexts = {(ROOT / c["build"]["context"]).resolve() for c in containers.values()}
    others = {c.get("image") for name, c in services.items() if name not in containers}
    args = {tuple(sorted(c["build"]["args"].items())) for c in containers.values()}

    assert images == {f"akiba/{service.spec.name}:dev"}
    assert not images & others
    assert contexts == {ROOT}
    assert DOCKERFILE.is_file()
    assert len(args) == 1, "one image: the same build arguments in every container"


def test_the_dockerfile_exposes_the_settings_port(
    service: Service, dockerfile: list[tuple[str, str]]
) -> None:
    exposed = [args for instruction, args in dockerfile if instruction == "EXPOSE"]

    assert exposed == [str(service.http_port)]


def test_the_dockerfile_runs_the_services_console_script_as_a_non_root_user(
    service: Service, dockerfile: list[tuple[str, str]]
) -> None:
    (entrypoint,) = [args for instruction, args in dockerfile if instruction == "ENTRYPOINT"]
    user = [args for instruction, args in dockerfile if instruction == "USER"][-1]
    (target,) = yaml.safe_load(entrypoint)
    links = [shlex.split(args) for instruction, args in dockerfile if instruction == "RUN"]
    linked = {link[-1]: link[-2] for link in links if link[:2] == ["ln", "-s"]}

    assert linked[target] == f"/app/.venv/bin/{service.script}"
    assert user.split(":")[0] not in {"root", "0"}


def test_the_dockerfile_installs_its_own_package_and_no_other_services(
    service: Service, dockerfile: list[tuple[str, str]]
) -> None:
    syncs = [args.split() for instruction, args in dockerfile if "uv sync" in args]
    copied = [args.split() for instruction, args in dockerfile if instruction == "COPY"]
    own = service.directory.relative_to(ROOT).as_posix()

    assert len(syncs) == 2, "dependencies first, then the workspace packages"
    for sync in syncs:
        assert {"--frozen", "--no-dev"} <= set(sync), sync
        assert [sync[i + 1] for i, arg in enumerate(sync) if arg == "--package"] == [
            service.package
        ], sync
    # The sources as a whole: an editable install, so bootstrap.MIGRATIONS (and the web app's
    # templates) resolve next to them.
    assert [own, own] in copied
    others = [Service(spec) for spec in PROCESSES if spec.name != service.spec.name]
    for other in others:
        theirs = other.directory.relative_to(ROOT).as_posix()
        assert not any(p == theirs or p.startswith(f"{theirs}/") for c in copied for p in c)


def test_the_image_holds_no_developer_tooling(dockerfile: list[tuple[str, str]]) -> None:
    sources = [p for i, args in dockerfile if i == "COPY" for p in args.split()[:-1]]

    # uv reads every workspace member's pyproject.toml; devtools' sources stay out.
    assert "libs" not in sources
    assert [p for p in sources if p.startswith("libs/devtools")] == ["libs/devtools/pyproject.toml"]


def test_akiba_variables_the_dockerfile_sets_are_settings_fields(
    service: Service, dockerfile: list[tuple[str, str]]
) -> None:
    env = " ".join(args for instruction, args in dockerfile if instruction == "ENV")

    assert set(re.findall(rf"\b({service.prefix}\w+)=", env)) <= service.fields


def test_the_service_is_registered_under_its_name(service: Service) -> None:
    declared = service.pyproject["project"]["entry-points"][service.entry_point_group]
    (installed,) = entry_points(group=service.entry_point_group, name=service.spec.name)

    assert installed.value == declared[service.spec.name]
    assert installed.load() is service.spec
    if service.has_database:
        assert declared[service.spec.name] == f"{service.spec.module}.bootstrap:SERVICE"
    else:
        assert installed.module.startswith(f"{service.spec.module}.")


def _variable(container_name: str, what: str) -> str:
    """A compose variable named after a container: AKIBA_INVENTORY_API_<WHAT>."""
    return f"AKIBA_{container_name.upper().replace('-', '_')}_{what}"


def test_every_role_container_scales_by_a_replicas_variable_of_its_own_defaulting_to_one(
    service: Service, role_containers: dict[str, list[str]], raw_compose: dict[str, Any]
) -> None:
    raw = raw_compose["services"]
    for name in role_containers:
        if service.spec in APPS:
            assert "deploy" not in raw[name], f"{name} has a fixed address: one replica"
            continue
        assert raw[name]["deploy"]["replicas"] == f"${{{_variable(name, 'REPLICAS')}:-1}}"
        assert "container_name" not in raw[name], f"{name}: a fixed name blocks replicas"


def test_an_apis_host_port_is_a_variable_that_may_be_a_range_for_its_replicas(
    service: Service, role_containers: dict[str, list[str]], raw_compose: dict[str, Any]
) -> None:
    if service.spec in APPS:
        pytest.skip("the web app is one container")
    (api,) = [name for name, roles in role_containers.items() if "api" in roles]
    (port,) = raw_compose["services"][api]["ports"]
    assert port["published"] == f"${{{_variable(api, 'PORTS')}:-{service.spec.http_port}}}"
    for name, roles in role_containers.items():
        assert "api" in roles or "ports" not in raw_compose["services"][name], name
