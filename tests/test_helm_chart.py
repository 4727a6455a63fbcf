"""The Helm chart (deploy/helm/akiba) agrees with the code it runs, as docker-compose.yml does.

The chart is rendered by `helm template` (no cluster) with its default values and with the
production example, and read as data: every role of every discovered service and front
process has a Deployment running it, every API is probed on /health and /ready at its
settings' port, every other role on its metrics port, every AKIBA_* name is a field of that
service's settings (they ignore unknown names, so a misspelt one would only show up as a
wrong default at run time), and every service with a database migrates in a hook before any
pod starts. helm is the one `make deploy-check` installs into .tools/ (or one on PATH); without
it these tests are skipped, saying so. Schema validation is kubeconform's, in deploy/check.sh.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_docker_compose import APPS, PROCESSES, ROOT, SPECS, Service

CHART = ROOT / "deploy" / "helm" / "akiba"
PRODUCTION = CHART / "examples" / "production.yaml"
CHECK = ROOT / "deploy" / "check.sh"
RELEASE = "akiba"
# Read by libraries, not by the settings: Python's ssl finds the Kafka CA here.
NOT_SETTINGS = frozenset({"SSL_CERT_FILE"})
# Only the one-shot create-admin Job gets it, never a long-running pod.
ONE_SHOT_ONLY = frozenset({"AKIBA_ADMIN_PASSWORD", "AKIBA_ADMIN_USERNAME"})


def _pinned(tool: str) -> str:
    """The version deploy/check.sh installs (`HELM_VERSION=v3.21.4`)."""
    match = re.search(rf"^{tool.upper()}_VERSION=(\S+)$", CHECK.read_text(), re.MULTILINE)
    assert match, f"deploy/check.sh pins no {tool} version"
    return match[1]


def _helm() -> str | None:
    installed = ROOT / ".tools" / f"helm-{_pinned('helm')}" / "helm"
    return str(installed) if installed.is_file() else shutil.which("helm")


HELM = _helm()
pytestmark = pytest.mark.skipif(
    HELM is None,
    reason="helm is not installed: `make deploy-check` installs it into .tools/",
)


def _render(*values: Path) -> list[dict[str, Any]]:
    assert HELM is not None
    args = [HELM, "template", RELEASE, str(CHART), "--kube-version", _pinned("kubernetes")]
    for path in values:
        args += ["--values", str(path)]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


@pytest.fixture(scope="module", params=["default", "production"])
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """The chart's objects, with the default values and then with the production example."""
    return _render(*([PRODUCTION] if request.param == "production" else []))


@pytest.fixture(scope="module")
def production() -> list[dict[str, Any]]:
    return _render(PRODUCTION)


def _of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Name -> the env entry; a name set twice fails (the last would win silently)."""
    names = [item["name"] for item in container.get("env", [])]
    assert len(names) == len(set(names)), f"{container['name']} sets a name twice: {names}"
    return {item["name"]: item for item in container.get("env", [])}


def _name(service: str, role: str) -> str:
    return f"{RELEASE}-{service}-{role}"


def _roles(objects: list[dict[str, Any]]) -> Iterator[tuple[Service, str, dict[str, Any]]]:
    """(service, role, its Deployment) for every role of every discovered process."""
    deployments = _of_kind(objects, "Deployment")
    for spec in PROCESSES:
        service = Service(spec)
        for role in service.roles:
            name = _name(spec.name, role)
            assert name in deployments, f"{spec.name}'s {role} role has no Deployment"
            yield service, role, deployments[name]


def _workloads(objects: list[dict[str, Any]]) -> Iterator[tuple[Service, dict[str, Any]]]:
    """Every Deployment and Job with the service whose module it runs."""
    by_module = {spec.module: Service(spec) for spec in PROCESSES}
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            command = _container(obj)["command"]
            assert command[:2] == ["python", "-m"], f"{obj['metadata']['name']}: {command}"
            assert command[2] in by_module, f"{obj['metadata']['name']} runs {command[2]}"
            yield by_module[command[2]], obj


def test_discover_finds_the_services_and_the_web_app() -> None:
    # Guards the parametrization: an empty discover() would make every check vacuous.
    assert {"inventory", "auth"} <= {spec.name for spec in SPECS}
    assert "web" in {spec.name for spec in APPS}


def test_every_role_of_every_service_has_a_deployment_that_serves_it(
    rendered: list[dict[str, Any]],
) -> None:
    for service, role, deployment in _roles(rendered):
        container = _container(deployment)
        assert container["command"] == ["python", "-m", service.spec.module]
        assert container["args"] == ["serve", "--roles", role]
        assert container["image"].rsplit(":", 1)[0].endswith(f"/{service.build[1]}")


def test_every_deployment_serves_a_role_the_code_has(rendered: list[dict[str, Any]]) -> None:
    expected = {_name(spec.name, role) for spec in PROCESSES for role in Service(spec).roles}

    assert set(_of_kind(rendered, "Deployment")) == expected


def test_apis_are_probed_on_health_and_ready_at_their_settings_port(
    rendered: list[dict[str, Any]],
) -> None:
    for service, role, deployment in _roles(rendered):
        if role != "api":
            continue
        container = _container(deployment)
        (port,) = container["ports"]
        assert (port["name"], port["containerPort"]) == ("http", service.http_port)
        assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
        assert _env(container)["AKIBA_HTTP_PORT"]["value"] == str(service.http_port)


def test_roles_without_http_are_probed_on_their_metrics_port(
    rendered: list[dict[str, Any]],
) -> None:
    for _, role, deployment in _roles(rendered):
        if role == "api":
            continue
        container = _container(deployment)
        (port,) = container["ports"]
        assert port["name"] == "metrics"
        assert _env(container)["AKIBA_METRICS_PORT"]["value"] == str(port["containerPort"])
        for probe in ("livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}


def test_every_environment_name_is_a_settings_field(rendered: list[dict[str, Any]]) -> None:
    for service, workload in _workloads(rendered):
        for name in _env(_container(workload)):
            if name in NOT_SETTINGS:
                continue
            assert name in service.fields, (
                f"{workload['metadata']['name']}: {name} is not a field of "
                f"{service.spec.module}.settings.Settings"
            )


def test_secrets_come_from_secrets_and_the_admin_password_only_to_its_job(
    rendered: list[dict[str, Any]],
) -> None:
    for service, workload in _workloads(rendered):
        env = _env(_container(workload))
        for name in service.secret_fields & set(env):
            assert "secretKeyRef" in env[name].get("valueFrom", {}), f"{name} is inline"
        if workload["kind"] == "Deployment":
            assert not ONE_SHOT_ONLY & set(env), workload["metadata"]["name"]


def test_every_service_with_a_database_migrates_before_install_and_upgrade(
    rendered: list[dict[str, Any]],
) -> None:
    jobs = _of_kind(rendered, "Job")
    for spec in SPECS:
        job = jobs[_name(spec.name, "migrate")]
        container = _container(job)
        assert container["command"] == ["python", "-m", spec.module]
        assert container["args"] == ["migrate"]
        hooks = set(job["metadata"]["annotations"]["helm.sh/hook"].split(","))
        assert hooks == {"pre-install", "pre-upgrade"}
        assert "secretKeyRef" in _env(container)["AKIBA_DATABASE_URL"]["valueFrom"]
    for spec in APPS:
        assert _name(spec.name, "migrate") not in jobs, f"{spec.name} has no database"


def test_the_web_app_has_no_database_and_calls_the_apis_through_their_services(
    rendered: list[dict[str, Any]],
) -> None:
    services = _of_kind(rendered, "Service")
    for spec in APPS:
        env = _env(_container(_of_kind(rendered, "Deployment")[_name(spec.name, "api")]))
        assert "AKIBA_DATABASE_URL" not in env
        urls = {name: item["value"] for name, item in env.items() if name.endswith("_URL")}
        assert len(urls) == len(SPECS), urls
        for url in urls.values():
            host, port = url.removeprefix("http://").split(":")
            assert services[host]["spec"]["ports"][0]["port"] == int(port), url


def test_every_api_has_a_service_selecting_its_pods(rendered: list[dict[str, Any]]) -> None:
    services = _of_kind(rendered, "Service")
    for service, role, deployment in _roles(rendered):
        if role != "api":
            continue
        front = services[_name(service.spec.name, "api")]["spec"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert front["selector"].items() <= labels.items()
        assert front["ports"][0]["port"] == service.http_port


def test_the_production_example_runs_two_of_everything_with_tls_and_limits(
    production: list[dict[str, Any]],
) -> None:
    for service, role, deployment in _roles(production):
        container = _container(deployment)
        assert deployment["spec"]["replicas"] >= 2, f"{service.spec.name} {role}"
        assert {"requests", "limits"} <= set(container["resources"]), container["name"]
        assert _env(container)["AKIBA_KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
    (ingress,) = _of_kind(production, "Ingress").values()
    services = _of_kind(production, "Service")
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    assert hosts <= {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    for rule in ingress["spec"]["rules"]:
        assert rule["http"]["paths"][0]["backend"]["service"]["name"] in services


def test_every_replica_names_itself_after_its_pod(rendered: list[dict[str, Any]]) -> None:
    # pg_stat_activity then says which pod leads the relay, the consumer group which pod
    # holds a partition (docs/operations.md, "Scale").
    for _, role, deployment in _roles(rendered):
        instance = _env(_container(deployment))["AKIBA_INSTANCE_NAME"]
        assert instance["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}, role


def test_every_kafka_client_is_told_the_clusters_replication(
    rendered: list[dict[str, Any]],
) -> None:
    # The migrate Jobs create the topics; every other process gets the same, so none differs.
    for _, workload in _workloads(rendered):
        env = _env(_container(workload))
        if "AKIBA_KAFKA_BOOTSTRAP_SERVERS" not in env:
            continue
        name = workload["metadata"]["name"]
        assert env["AKIBA_KAFKA_REPLICATION_FACTOR"]["value"] == "3", name
        assert env["AKIBA_KAFKA_MIN_INSYNC_REPLICAS"]["value"] == "2", name
