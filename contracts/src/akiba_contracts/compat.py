"""Backward-compatibility check between two versions of a JSON Schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["incompatibilities"]

Schema = dict[str, Any]

# Constraints where a lower new value accepts less, and where a higher one does.
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
# Constraints that restrict values when added and may restrict them when changed.
RESTRICTIONS = ("pattern", "format", "multipleOf")
JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def incompatibilities(old: Schema, new: Schema) -> list[str]:
    """Every change from old to new that could break a producer or consumer, as messages."""
    name = str(old.get("title") or old.get("$id") or "schema")
    checker = _Checker(name, old, new)
    checker.compare(old, new, "$")
    return checker.problems


class _Branch(NamedTuple):
    """One alternative of a (possibly union) schema, with a single JSON type."""

    type: str
    schema: Schema
    ref: str | None


@dataclass
class _Checker:
    name: str
    old_root: Schema
    new_root: Schema
    problems: list[str] = field(default_factory=list)
    active: set[tuple[str, str]] = field(default_factory=set)

    def report(self, path: str, change: str) -> None:
        self.problems.append(f"{self.name}: {path}: {change}")

    def compare(self, old: Schema, new: Schema, path: str) -> None:
        olds = _branches(old, self.old_root, None)
        news = _branches(new, self.new_root, None)
        for old_branch, new_branch in self.pair(olds, news, path):
            self.compare_branch(old_branch, new_branch, path)

    def pair(
        self, olds: list[_Branch], news: list[_Branch], path: str
    ) -> list[tuple[_Branch, _Branch]]:
        """Match each old alternative to a new one that accepts it; report the ones left over."""
        unused = list(news)
        pairs: list[tuple[_Branch, _Branch]] = []
        rest: list[_Branch] = []
        for old in olds:
            same = [n for n in unused if old.ref and n.ref == old.ref and _accepts(n, old)]
            if same:
                unused.remove(same[0])
                pairs.append((old, same[0]))
            else:
                rest.append(old)
        lost: list[_Branch] = []
        for old in rest:
            match = next((n for n in unused if _accepts(n, old)), None)
            if match is not None:
                unused.remove(match)
                pairs.append((old, match))
            elif any(_accepts(n, old) for n in news):
                self.report(path, f"anyOf branch removed: {old.ref or old.type}")
            else:
                lost.append(old)
        if lost:
            self.report(path, f"type narrowed from {_types(olds)} to {_types(news)}")
        return pairs

    def compare_branch(self, old: _Branch, new: _Branch, path: str) -> None:
        key = (old.ref or "", new.ref or "")
        if old.ref and new.ref and key in self.active:
            return  # a recursive definition already being compared further up
        self.active.add(key)
        try:
            self.compare_values(old.schema, new.schema, path)
            self.compare_constraints(old.schema, new.schema, path)
            if old.type == "object":
                self.compare_objects(old.schema, new.schema, path)
            elif old.type == "array":
                self.compare(old.schema.get("items", {}), new.schema.get("items", {}), f"{path}[*]")
        finally:
            self.active.discard(key)

    def compare_values(self, old: Schema, new: Schema, path: str) -> None:
        old_values, new_values = _allowed_values(old), _allowed_values(new)
        if new_values is None:
            return
        if old_values is None:
            self.report(path, f"values restricted to {new_values!r}")
            return
        removed = [value for value in old_values if value not in new_values]
        if removed:
            self.report(path, f"enum values removed: {removed!r}")

    def compare_constraints(self, old: Schema, new: Schema, path: str) -> None:
        for name in UPPER_BOUNDS + LOWER_BOUNDS:
            if name not in new:
                continue
            if name not in old:
                self.report(path, f"{name} {new[name]!r} added")
            elif name in UPPER_BOUNDS and new[name] < old[name]:
                self.report(path, f"{name} lowered from {old[name]!r} to {new[name]!r}")
            elif name in LOWER_BOUNDS and new[name] > old[name]:
                self.report(path, f"{name} raised from {old[name]!r} to {new[name]!r}")
        for name in RESTRICTIONS:
            if name in new and name not in old:
                self.report(path, f"{name} {new[name]!r} added")
            elif name in new and new[name] != old[name]:
                self.report(path, f"{name} changed from {old[name]!r} to {new[name]!r}")

    def compare_objects(self, old: Schema, new: Schema, path: str) -> None:
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for name, old_prop in old_props.items():
            child = f"{path}.{name}"
            if name not in new_props:
                self.report(child, "property removed (a rename is a removal)")
                continue
            if name in old_required and name not in new_required:
                self.report(child, "property no longer required (consumers rely on it)")
            self.compare(old_prop, new_props[name], child)
        for name in sorted(new_required - old_required):
            change = "property became required" if name in old_props else "new required property"
            self.report(f"{path}.{name}", change)
        self.compare_additional(
            old.get("additionalProperties"), new.get("additionalProperties"), path
        )

    def compare_additional(self, old: Any, new: Any, path: str) -> None:
        if new is False and old is not False:
            self.report(path, "additional properties no longer allowed")
        elif isinstance(new, dict):
            self.compare(old if isinstance(old, dict) else {}, new, f"{path}.*")


def _accepts(new: _Branch, old: _Branch) -> bool:
    """Whether values of the old branch's type are still of the new branch's type."""
    if new.type in (old.type, "any"):
        return True
    return new.type == "number" and old.type == "integer"


def _types(branches: list[_Branch]) -> str:
    names = sorted({branch.type for branch in branches})
    return repr(names[0]) if len(names) == 1 else repr(names)


def _allowed_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if values is not None else None


def _branches(schema: Schema, root: Schema, ref: str | None) -> list[_Branch]:
    """Flatten a schema into single-type alternatives, resolving local `$ref`s."""
    schema, ref = _resolve(schema, root, ref)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return [branch for alt in alternatives for branch in _branches(alt, root, None)]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        return _branches({**schema["allOf"][0], **rest}, root, ref)
    declared = schema.get("type")
    if isinstance(declared, str):
        return [_Branch(declared, schema, ref)]
    if isinstance(declared, list):
        return [_Branch(str(kind), _only(schema, kind), ref) for kind in declared]
    return [_Branch(kind, _only(schema, kind), ref) for kind in _implied_types(schema)]


def _only(schema: Schema, kind: str) -> Schema:
    """The schema restricted to one JSON type (its enum filtered to values of that type)."""
    narrowed = {**schema, "type": kind}
    values = _allowed_values(schema)
    if values is not None:
        narrowed.pop("const", None)
        narrowed["enum"] = [v for v in values if _json_type(v) == kind]
    return narrowed


def _implied_types(schema: Schema) -> list[str]:
    values = _allowed_values(schema)
    if values is not None:
        return sorted({_json_type(value) for value in values})
    if "properties" in schema or "additionalProperties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    return ["any"]


def _json_type(value: Any) -> str:
    return JSON_TYPES.get(type(value), "any")


def _resolve(schema: Schema, root: Schema, ref: str | None) -> tuple[Schema, str | None]:
    seen: set[str] = set()
    while "$ref" in schema:
        ref = str(schema["$ref"])
        if ref in seen:
            raise ValueError(f"$ref cycle at {ref}")
        seen.add(ref)
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**_pointer(root, ref), **siblings}
    return schema, ref


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node: Any = root
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"$ref {ref!r} does not resolve")
        node = node[part]
    if not isinstance(node, dict):
        raise ValueError(f"$ref {ref!r} does not point at a schema")
    return node
