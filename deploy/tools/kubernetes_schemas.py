"""Kubernetes JSON Schemas for kubeconform, made offline from the API's own OpenAPI document.

kubeconform downloads its schemas from a GitHub repository by default, which CI cannot
reach. The same schemas come from Kubernetes' published OpenAPI (v2) document,
api/openapi-spec/swagger.json in the k8s.io/kubernetes Go module, which the Go module proxy
serves by version (`go mod download -json k8s.io/kubernetes@vX.Y.Z` prints where it is). This
writes them as kubeconform's "standalone strict" layout expects, for the kinds asked:

    <out>/v<version>-standalone-strict/<kind>-<group>-<version>.json

as openapi2jsonschema does: every `$ref` inlined, `additionalProperties: false` on every
object with properties (what -strict means), IntOrString and Quantity accepting a number or a
string. Standard library only:

    python3 deploy/tools/kubernetes_schemas.py swagger.json 1.36.3 .tools/schemas \
        Deployment Service Job Ingress PodDisruptionBudget
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

INT_OR_STRING = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
NUMBER_OR_STRING = {"oneOf": [{"type": "string"}, {"type": "number"}]}
SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": INT_OR_STRING,
    "io.k8s.apimachinery.pkg.api.resource.Quantity": NUMBER_OR_STRING,
}
# Recursive definitions (a CRD's JSONSchemaProps) are left open below their first level.
OPEN: dict[str, Any] = {}


def _inline(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    """The schema with every reference replaced by its definition, made strict."""
    if isinstance(node, list):
        return [_inline(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        if name in SPECIAL:
            return SPECIAL[name]
        if name in seen:
            return OPEN
        return _inline(definitions[name], definitions, (*seen, name))
    if node.get("format") == "int-or-string":
        return INT_OR_STRING
    schema = {
        key: _inline(value, definitions, seen)
        for key, value in node.items()
        if key not in {"description", "x-kubernetes-group-version-kind"}
    }
    if "properties" in node:
        schema["properties"] = {
            key: _inline(value, definitions, seen) for key, value in node["properties"].items()
        }
        schema.setdefault("additionalProperties", False)
    return schema


def _file_name(kind: str, group: str, version: str) -> str:
    """kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json."""
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix.lower()}.json"


def write(spec: Path, version: str, out: Path, kinds: set[str]) -> list[Path]:
    """Write the schemas of `kinds` (every version of each) and return their paths."""
    definitions = json.loads(spec.read_text())["definitions"]
    folder = out / f"v{version}-standalone-strict"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, definition in definitions.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            if gvk["kind"] not in kinds:
                continue
            path = folder / _file_name(gvk["kind"], gvk["group"], gvk["version"])
            schema = _inline(definition, definitions, (name,))
            path.write_text(json.dumps(schema, separators=(",", ":")))
            written.append(path)
    found = {path.name.split("-")[0] for path in written}
    missing = {kind for kind in kinds if kind.lower() not in found}
    if missing:
        raise SystemExit(f"no definition of {sorted(missing)} in {spec}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="api/openapi-spec/swagger.json")
    parser.add_argument("version", help="the Kubernetes version it belongs to, e.g. 1.36.3")
    parser.add_argument("out", type=Path, help="kubeconform's -schema-location folder")
    parser.add_argument("kinds", nargs="+", help="Deployment, Service...")
    args = parser.parse_args()
    written = write(args.spec, args.version.removeprefix("v"), args.out, set(args.kinds))
    print(f"{len(written)} schemas in {args.out}")


if __name__ == "__main__":
    main()
