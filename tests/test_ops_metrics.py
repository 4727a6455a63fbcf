"""The alert rules and the dashboard name only metrics Akiba exports, so neither drifts silently.

The names come from the code: every instrument created on the OpenTelemetry meter is made
again on a private provider and exported by the same Prometheus exporter the services use;
the sync gateway's prometheus_client metrics are exported from a private registry likewise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "ops/prometheus/akiba-alerts.yml"
RULE_TESTS = ROOT / "ops/prometheus/akiba-alerts.test.yml"
DASHBOARD = ROOT / "ops/grafana/akiba.json"
_OTEL = re.compile(r'create_(counter|gauge|histogram|up_down_counter)\(\s*"([\w.]+)"([^)]*)\)')
_UNIT = re.compile(r'unit="(\w+)"')
_CLIENT = re.compile(r'\b(Counter|Gauge|Histogram)\(\s*"(akiba_\w+)"')
_NAME = re.compile(r"\bakiba_\w+")


def _sources() -> Iterator[str]:
    for path in ROOT.glob("*/**/src/**/*.py"):
        if ".venv" not in path.parts:
            yield path.read_text()


def _exported(registry: CollectorRegistry) -> set[str]:
    text = generate_latest(registry).decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}


def _otel_names(sources: list[str]) -> set[str]:
    registry = CollectorRegistry()
    provider = MeterProvider(metric_readers=[PrometheusMetricReader(registry=registry)])
    meter = provider.get_meter("akiba")
    for source in sources:
        for kind, name, rest in _OTEL.findall(source):
            unit = _UNIT.search(rest)
            instrument = getattr(meter, f"create_{kind}")(name, unit=unit[1] if unit else "")
            getattr(
                instrument,
                "record" if kind == "histogram" else "add" if "counter" in kind else "set",
            )(1)
    try:
        return _exported(registry)
    finally:
        provider.shutdown()


def _client_names(sources: list[str]) -> set[str]:
    registry = CollectorRegistry()
    kinds = {"Counter": Counter, "Gauge": Gauge, "Histogram": Histogram}
    for source in sources:
        for kind, name in _CLIENT.findall(source):
            kinds[kind](name, "", registry=registry)
    return _exported(registry)


def vocabulary() -> set[str]:
    """Every akiba_ series name the code exports."""
    sources = list(_sources())
    return {n for n in _otel_names(sources) | _client_names(sources) if n.startswith("akiba_")}


def _rule_expressions() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [r["expr"] for g in groups for r in g["rules"]]


def _dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    targets = [t["expr"] for p in panels for t in p.get("targets", [])]
    return targets + [v["query"] for v in json.loads(DASHBOARD.read_text())["templating"]["list"]]


def test_the_vocabulary_holds_the_platforms_and_the_gateways_metrics() -> None:
    names = vocabulary()
    assert {
        "akiba_consumer_lag",
        "akiba_outbox_oldest_age_seconds",
        "akiba_sync_hub_sites",
    } <= names
    assert "akiba_gateway_events_forwarded_total" in names


def test_every_alert_rule_names_only_metrics_the_code_exports() -> None:
    unknown = {n for e in _rule_expressions() for n in _NAME.findall(e)} - vocabulary()
    assert not unknown


def test_every_dashboard_expression_names_only_metrics_the_code_exports() -> None:
    expressions = _dashboard_expressions()
    assert len(expressions) > 10
    unknown = {n for e in expressions for n in _NAME.findall(e)} - vocabulary()
    assert not unknown


def test_every_alert_has_a_promtool_test() -> None:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    alerts = {r["alert"] for g in groups for r in g["rules"]}
    cases = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    tested = {a["alertname"] for c in cases for a in c["alert_rule_test"] if a.get("exp_alerts")}
    assert alerts == tested
