"""One schemathesis run against one service: its configuration, the CLI, and what it found."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz import fuzzer_user
from tests.fuzz.deployment import Target

ROOT = Path(__file__).resolve().parents[2]

# What every response is checked for. Together: no 5xx, a status the operation documents, a
# media type it documents, and a body matching the documented schema.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
SITE_ROUTES = r"^/sites/\{site_id\}/(events|feed|credentials)$"


@dataclass(frozen=True)
class Budget:
    """How much the fuzzer tries: bounded and seeded, so a CI run is repeatable and short."""

    examples: int = 100
    seed: int = 20261205
    stateful_steps: int = 8
    request_timeout: float = 20.0


@dataclass
class Outcome:
    """What one service's run found."""

    name: str
    operations: int = 0
    cases: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    report: Path | None = None

    @property
    def server_errors(self) -> int:
        return self.failures.get("ST101", 0)

    @property
    def mismatches(self) -> int:
        return sum(n for code, n in self.failures.items() if code != "ST101")

    @property
    def passed(self) -> bool:
        return self.operations > 0 and not self.failures and not self.errors


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, Mapping)
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"


def _table(name: str, values: Mapping[str, Any]) -> str:
    lines = [f"[{name}]"] + [f"{json.dumps(k)} = {_toml(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def config(target: Target, budget: Budget) -> str:
    """The run's schemathesis.toml: checks, bounded deterministic generation, tokens, ids."""
    parts = [
        "\n".join(
            [
                f"seed = {budget.seed}",
                "workers = 1",
                f"request-timeout = {budget.request_timeout}",
                "",
            ]
        ),
        _table("headers", {"Authorization": f"Bearer {target.token}"}),
        _table(
            "generation",
            {
                "max-examples": budget.examples,
                "database": "none",
                "allow-x00": True,
            },
        ),
        _table("checks", {"enabled": False}),
        *(_table(f"checks.{c}", {"enabled": True}) for c in CHECKS),
        _table("phases.stateful", {"max-steps": budget.stateful_steps}),
    ]
    # Path ids always name a demo record (a random id only tests "not found"); ids in bodies
    # mostly do, so the write gets past its lookups and also meets unknown ones.
    for name, ids in target.ids.items():
        parts.append(_table(f"dictionaries.{name}", {"values": ids}))
    paths = {f"path.{n}": ids[0] for n, ids in target.ids.items()}
    bodies = {f"body.{n}": {"dictionary": n, "probability": 0.8} for n in target.ids}
    if paths:
        parts.append(_table("parameters", {**paths, **bodies}))
    if target.site_token:
        # Routes only a site may call, for the demo site: its own token, its own id.
        parts.append(
            "[[operations]]\n"
            f"include-path-regex = {_toml(SITE_ROUTES)}\n"
            f"headers = {_toml({'Authorization': f'Bearer {target.site_token}'})}\n"
            f"parameters = {_toml({'path.site_id': target.site_id})}\n"
        )
    return "\n".join(parts)


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
        "AKIBA_FUZZ_PROTECTED": ",".join(fuzzer_user.protected_ids()),
    }


def _outcome(name: str, report: Path, seconds: float) -> Outcome:
    data = json.loads(report.read_text())
    failures = {f["code"]: int(f["count"]) for f in data.get("failures", [])}
    return Outcome(
        name,
        operations=int(data["operations"]["tested"]),
        cases=int(data["test_cases"]["generated"]),
        failures=failures,
        errors=len(data.get("errors", [])) + int(data["test_cases"].get("errored", 0)),
        seconds=seconds,
        report=report,
    )


async def fuzz(target: Target, budget: Budget, workdir: Path) -> Outcome:
    """Run schemathesis against the target's OpenAPI; its own output goes to a log file."""
    folder = workdir / target.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schemathesis.toml").write_text(config(target, budget))
    report = folder / "report.json"
    command = [
        *(sys.executable, "-m", "schemathesis.cli"),
        *("--config-file", str(folder / "schemathesis.toml"), "--no-color", "run"),
        *("--checks", ",".join(CHECKS), "--phases", ",".join(PHASES)),
        *("--report", "json", "--report-json-path", str(report)),
        target.openapi_url,
    ]
    started = time.monotonic()
    with (folder / "schemathesis.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            *command, stdout=log, stderr=subprocess.STDOUT, cwd=folder, env=_env()
        )
        await proc.wait()
    seconds = time.monotonic() - started
    if not report.exists():
        return Outcome(target.name, errors=1, seconds=seconds)
    return _outcome(target.name, report, seconds)
