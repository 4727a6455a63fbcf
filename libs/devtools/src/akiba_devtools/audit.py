"""`akiba audit`: known vulnerabilities in the locked dependencies (pip-audit, `make lint`).

The lock (`uv export --frozen`) is audited as written, without installing anything, against
the advisories the package registry publishes (pip-audit's `pypi` service): the registry is
the only vulnerability source this project may query. When that source cannot answer for
some packages the audit proves nothing about them, so it says so loudly and skips instead
of passing in silence (pip-audit alone would print "No known vulnerabilities found").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BANNER = "!" * 78


@dataclass(frozen=True)
class Verdict:
    """What the audit found: the exit code and what to print."""

    code: int
    text: str


def verdict(report: dict[str, Any]) -> Verdict:
    """Fail on any known vulnerability; skip loudly if any package could not be audited."""
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    if vulnerable:
        lines = [
            f"{d['name']} {d['version']}: {v['id']} (fixed in {_fixes(v)})"
            for d in vulnerable
            for v in d["vulns"]
        ]
        return Verdict(1, "known vulnerabilities in locked dependencies:\n  " + "\n  ".join(lines))
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        shown = "\n  ".join(d["skip_reason"] for d in skipped[:5])
        return Verdict(
            0,
            f"{BANNER}\nDEPENDENCY AUDIT SKIPPED: {len(skipped)} of {len(deps)} locked packages"
            f" could not be audited ({'; '.join(reasons)}).\nThe vulnerability source did not"
            f" answer for them, so nothing is known about them. For example:\n  {shown}\n{BANNER}",
        )
    return Verdict(0, f"dependency audit: {len(deps)} locked packages, no known vulnerabilities")


def _fixes(vuln: dict[str, Any]) -> str:
    return ", ".join(vuln.get("fix_versions") or ["?"])


def _locked(path: Path) -> None:
    export = ["uv", "export", "--frozen", "--format", "requirements-txt", "--all-groups"]
    subprocess.run([*export, "--no-emit-workspace", "-o", str(path), "-q"], check=True)


def _pip_audit(requirements: Path) -> dict[str, Any]:
    args = ["-r", str(requirements), "--disable-pip", "--no-deps", "-s", "pypi", "-f", "json"]
    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", *args, "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(
            f"pip-audit gave no report (exit {done.returncode}):\n{done.stderr}"
        ) from None
    return report


def run(args: argparse.Namespace) -> int:
    """Audit the lock; print the verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        _locked(requirements)
        result = verdict(_pip_audit(requirements))
    print(result.text, file=sys.stderr if result.code else sys.stdout)
    return result.code


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `akiba audit`."""
    parser = subparsers.add_parser("audit", help="known vulnerabilities in the locked dependencies")
    parser.set_defaults(handler=run)
