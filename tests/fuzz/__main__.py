"""`make fuzz`: schemathesis against every service's OpenAPI, through the real processes.

Starts the stack if needed, then every central service (`akiba.services`) on fresh databases
with demo data and every demo site's gateway (`akiba.sites`), signs in a user holding every
right, and runs schemathesis on each service in turn with a fixed seed and a bounded number of
examples per operation. Fails on any 5xx and on any response that its OpenAPI does not
describe (status, media type, body). Prints one line per service and a total.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzz.access import ISSUER, authorise
from tests.fuzz.deployment import Deployment, Target, deployment
from tests.fuzz.runner import Budget, Outcome, fuzz


def _order(deployed: Deployment) -> list[Target]:
    # The token issuer goes last: fuzzing its admin API may take rights from the fuzzer itself.
    return sorted(deployed.targets, key=lambda t: (t.name == ISSUER, t.name))


def _line(o: Outcome) -> str:
    verdict = "ok" if o.passed else "FAILED"
    return (
        f"{o.name:<12} {o.operations:>4} operations {o.cases:>6} examples "
        f"{o.server_errors:>3} server errors {o.mismatches:>3} schema mismatches "
        f"{o.errors:>3} errors {o.seconds:>6.1f} s  {verdict}"
    )


def _failures(o: Outcome) -> None:
    if o.report is None:
        print(f"  {o.name}: schemathesis left no report; see its log", file=sys.stderr)
        return
    for failure in json.loads(o.report.read_text()).get("failures", []):
        ops = ", ".join(failure.get("operations", [])[:6])
        print(f"  {o.name} {failure['code']} {failure['title']} x{failure['count']}: {ops}")
    print(f"  details: {o.report.parent / 'schemathesis.log'}")


async def main(budget: Budget, only: set[str], workdir: Path) -> int:
    """Deploy, fuzz each service, print the summary; 0 when nothing failed."""
    started = time.monotonic()
    async with deployment(workdir) as deployed:
        await authorise(deployed)
        print(f"deployed {len(deployed.targets)} services in {time.monotonic() - started:.0f} s")
        outcomes = []
        for target in _order(deployed):
            if only and target.name not in only:
                continue
            outcome = await fuzz(target, budget, workdir)
            print(_line(outcome), flush=True)
            outcomes.append(outcome)
    total = Outcome(
        "total",
        operations=sum(o.operations for o in outcomes),
        cases=sum(o.cases for o in outcomes),
        errors=sum(o.errors for o in outcomes),
        seconds=time.monotonic() - started,
    )
    for o in outcomes:
        for code, n in o.failures.items():
            total.failures[code] = total.failures.get(code, 0) + n
    print(_line(total))
    for o in outcomes:
        if not o.passed:
            _failures(o)
    return 0 if outcomes and all(o.passed for o in outcomes) else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=Budget.examples, help="per operation")
    parser.add_argument("--seed", type=int, default=Budget.seed)
    parser.add_argument("--only", action="append", default=[], help="a service name (repeat)")
    parser.add_argument("--workdir", type=Path, help="keep logs, configs and reports here")
    return parser.parse_args()


if __name__ == "__main__":
    args = _arguments()
    budget = Budget(examples=args.examples, seed=args.seed)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        sys.exit(asyncio.run(main(budget, set(args.only), args.workdir)))
    with tempfile.TemporaryDirectory(prefix="akiba-fuzz-") as tmp:
        sys.exit(asyncio.run(main(budget, set(args.only), Path(tmp))))
