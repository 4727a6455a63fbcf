# Akiba: the commands a developer and CI use. Everything installs itself.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
SRC := contracts/src libs/platform/src libs/devtools/src libs/stock/src libs/stock-api/src libs/replenish/src services/inventory/src services/auth/src services/fulfillment/src services/requisition/src services/sync-hub/src services/sync-gateway/src services/web/src

.PHONY: install run test web-test integrator-test scale-test cluster-test restore-test fuzz lint format bench soak contracts alerts-test deploy-check stack-up stack-down stack-wipe stack-status

install:  ## Python 3.11 env with every package (uv installed first if missing)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv
	$(UV) sync --frozen

run: install  ## stack + every service + demo data; Ctrl-C stops everything
	$(UV) run akiba run

test: install stack-up  ## the whole suite against the real Kafka and PostgreSQL
	$(UV) run pytest

web-test: install stack-up  ## the web app in Debian's chromium, headless (screenshots + axe in artifacts/web)
	@command -v chromium >/dev/null || { echo "web-test needs Debian's chromium: apt-get install chromium" >&2; exit 1; }
	$(UV) run pytest -o addopts="--import-mode=importlib --durations=10" tests/browser services/requisition/tests/integration/requisitions/browser

integrator-test: install stack-up  ## a Java consumer (integrators/java, Maven) validates real events against the JSON Schemas
	@command -v javac >/dev/null || apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless >/dev/null \
	  || { echo "integrator-test needs a JDK 17 (javac): apt-get install openjdk-17-jdk-headless" >&2; exit 1; }
	@command -v mvn >/dev/null || apt-get install -y -qq --no-install-recommends maven >/dev/null \
	  || { echo "integrator-test needs Maven: apt-get install maven" >&2; exit 1; }
	mvn -q -B -f integrators/java/pom.xml package
	$(UV) run pytest -o addopts="--import-mode=importlib --durations=10" tests/integrators

scale-test: install stack-up  ## two processes of every service, one of each SIGKILLed under load: nothing lost or doubled
	$(UV) run pytest -s -o addopts="--import-mode=importlib --durations=5" tests/scale

cluster-test: install stack-up  ## broker loss under load: a private 3-node Kafka (ports 31092+), the stack's PostgreSQL; ~4 min
	$(UV) run pytest -s -o addopts="--import-mode=importlib --durations=10" tests/cluster

restore-test: install stack-up  ## backup under load, restore onto a fresh PostgreSQL, convergence (figures printed)
	$(UV) run pytest -o addopts="--import-mode=importlib --durations=10" -s tests/restore

fuzz: install stack-up  ## schemathesis on every service's OpenAPI, real processes; fails on a 5xx or a mismatch
	$(UV) run python -m tests.fuzz

lint: install  ## ruff (lint + format check), mypy strict on src, known vulnerabilities in the lock
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy $(SRC)
	$(UV) run akiba audit

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

bench: install stack-up  ## benchmarks with raw baselines from the same run
	$(UV) run python -m bench

# Parameters by environment: SOAK_SITES (40000), SOAK_RATE (500 documents/s), SOAK_SECONDS (600),
# SOAK_STORES_PER_SITE (1), SOAK_LINES (1 per document), SOAK_DRAIN_SECONDS (600); bench/README.md.
soak: install stack-up  ## central under a country's peak through the hub; report in artifacts/
	$(UV) run python -m bench.soak

contracts: install  ## JSON Schemas + AsyncAPI from the contract models
	$(UV) run python -m akiba_contracts.generate

# promtool from Debian's prometheus package, else from the Go module proxy by version
# (Prometheus 2.54.1 is the Go module version v0.54.1).
PROMTOOL_VERSION := v0.54.1
PROMTOOL_PATH := $(PATH):$(HOME)/go/bin

alerts-test: install  ## promtool tests of the alert rules; the rules' and dashboard's metric names against the code
	@PATH="$(PROMTOOL_PATH)"; command -v promtool >/dev/null \
	  || apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
	  || go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)
	PATH="$(PROMTOOL_PATH)" promtool check rules ops/prometheus/akiba-alerts.yml
	cd ops/prometheus && PATH="$(PROMTOOL_PATH)" promtool test rules akiba-alerts.test.yml
	$(UV) run pytest -q tests/test_ops_metrics.py

deploy-check:  ## the Helm chart: helm lint + kubeconform -strict, no cluster (tools into .tools/)
	bash deploy/check.sh

stack-up: install
	$(UV) run akiba stack up

stack-down: install
	$(UV) run akiba stack down

stack-wipe: install  ## stop the stack and delete its databases and topics (benches and tests fill them)
	$(UV) run akiba stack down --wipe

stack-status: install
	$(UV) run akiba stack status
