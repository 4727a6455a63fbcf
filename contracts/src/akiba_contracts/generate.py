"""Write (or `--check`) the JSON Schemas and the AsyncAPI document from the contract models."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from akiba_contracts.asyncapi import asyncapi_document, schema_path
from akiba_contracts.compat import incompatibilities
from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads import PAYLOADS, Payload, schema_uri

__all__ = [
    "CONTRACTS_DIR",
    "envelope_schema",
    "generated_files",
    "main",
    "payload_schema",
    "render",
    "schema_incompatibilities",
    "stale_files",
    "write",
]

# src/akiba_contracts/generate.py -> the repository's contracts/ folder.
CONTRACTS_DIR = Path(__file__).resolve().parents[2]
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA = "schemas/cloudevent.json"
BREAKING_HELP = (
    "Nothing written: published schemas must stay backward compatible. Publish the change as a "
    "new event type version (….v2) instead, alongside the old one."
)


def render(document: dict[str, Any]) -> str:
    """Pretty-printed JSON with sorted keys and a trailing newline, so diffs stay clean."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def payload_schema(model: type[Payload]) -> dict[str, Any]:
    """The published JSON Schema of one payload model."""
    schema = model.model_json_schema(mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": schema_uri(model.event_type), **schema}


def envelope_schema() -> dict[str, Any]:
    """The JSON Schema of the CloudEvents envelope as Akiba uses it."""
    schema = CloudEvent.model_json_schema(mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": schema_uri("cloudevent"), **schema}


def generated_files() -> dict[str, str]:
    """Every generated file's text, by path relative to the contracts folder."""
    files = {schema_path(t): render(payload_schema(m)) for t, m in sorted(PAYLOADS.items())}
    files[ENVELOPE_SCHEMA] = render(envelope_schema())
    files["asyncapi.json"] = render(asyncapi_document())
    return files


def stale_files(root: Path = CONTRACTS_DIR) -> list[str]:
    """Committed files that differ from what would be generated, or that nothing generates."""
    expected = generated_files()
    stale = [p for p, text in expected.items() if _read(root / p) != text]
    extra = [f"schemas/{f.name}" for f in sorted((root / "schemas").glob("*.json"))]
    return stale + [p for p in extra if p not in expected]


def schema_incompatibilities(root: Path = CONTRACTS_DIR) -> list[str]:
    """Incompatible changes the generated payload schemas would make to the committed ones."""
    expected = generated_files()
    problems = []
    for path in sorted((root / "schemas").glob("*.json")):
        relative = f"schemas/{path.name}"
        committed = json.loads(path.read_text(encoding="utf-8"))
        if relative not in expected:
            problems.append(f"{relative}: schema removed (its event type is no longer published)")
        else:
            problems += incompatibilities(committed, json.loads(expected[relative]))
    return problems


def write(root: Path = CONTRACTS_DIR) -> list[str]:
    """Write every generated file that changed; return their paths."""
    changed = []
    for relative, text in generated_files().items():
        target = root / relative
        if _read(target) != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(relative)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate the contract files (never breaking ones), or --check them."""
    parser = argparse.ArgumentParser(prog="python -m akiba_contracts.generate")
    parser.add_argument("--check", action="store_true", help="exit 1 if files are out of date")
    args = parser.parse_args(argv)
    problems = schema_incompatibilities()
    for problem in problems:
        print(f"incompatible: {problem}", file=sys.stderr)
    if problems:
        print(BREAKING_HELP, file=sys.stderr)
        return 1
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: contracts/{path} (run make contracts)", file=sys.stderr)
        return 1 if stale else 0
    for path in write():
        print(f"wrote contracts/{path}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


if __name__ == "__main__":
    sys.exit(main())
