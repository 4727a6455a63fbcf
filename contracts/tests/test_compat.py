"""The backward-compatibility checker: each rule with a breaking and a compatible case."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from akiba_contracts import incompatibilities

Schema = dict[str, Any]
NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}


def schema(
    properties: Schema, required: list[str] | None = None, defs: Schema | None = None
) -> Schema:
    return {
        "title": "Thing",
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "$defs": defs or {},
    }


def with_property(base: Schema, name: str, **changes: Any) -> Schema:
    changed = copy.deepcopy(base)
    changed["properties"][name] = {**changed["properties"][name], **changes}
    return changed


BASE = schema(
    {
        "name": {"type": "string", "maxLength": 50, "minLength": 1},
        "count": {"type": "integer", "minimum": 0, "maximum": 100},
        "price": {"type": "number"},
        "note": NULLABLE_STRING,
        "kind": {"$ref": "#/$defs/Kind"},
    },
    required=["name", "count", "price", "kind"],
    defs={"Kind": {"title": "Kind", "type": "string", "enum": ["a", "b"]}},
)


def test_an_unchanged_schema_is_compatible() -> None:
    assert incompatibilities(BASE, copy.deepcopy(BASE)) == []


def test_a_removed_field_is_incompatible() -> None:
    new = copy.deepcopy(BASE)
    del new["properties"]["note"]
    assert incompatibilities(BASE, new) == [
        "Thing: $.note: property removed (a rename is a removal)"
    ]


def test_a_renamed_field_shows_as_a_removal() -> None:
    new = copy.deepcopy(BASE)
    new["properties"]["remark"] = new["properties"].pop("note")
    assert incompatibilities(BASE, new) == [
        "Thing: $.note: property removed (a rename is a removal)"
    ]


def test_a_new_optional_field_is_compatible() -> None:
    new = copy.deepcopy(BASE)
    new["properties"]["colour"] = NULLABLE_STRING
    assert incompatibilities(BASE, new) == []


def test_a_new_required_field_is_incompatible() -> None:
    new = copy.deepcopy(BASE)
    new["properties"]["colour"] = {"type": "string"}
    new["required"].append("colour")
    assert incompatibilities(BASE, new) == ["Thing: $.colour: new required property"]


def test_an_optional_field_becoming_required_is_incompatible() -> None:
    new = copy.deepcopy(BASE)
    new["required"].append("note")
    assert incompatibilities(BASE, new) == ["Thing: $.note: property became required"]


def test_a_required_field_becoming_optional_is_incompatible() -> None:
    new = copy.deepcopy(BASE)
    new["required"].remove("name")
    assert incompatibilities(BASE, new) == [
        "Thing: $.name: property no longer required (consumers rely on it)"
    ]


def test_a_nullable_field_becoming_non_nullable_is_incompatible() -> None:
    new = with_property(BASE, "note", anyOf=[{"type": "string"}])
    assert incompatibilities(BASE, new) == [
        "Thing: $.note: type narrowed from ['null', 'string'] to 'string'"
    ]


def test_a_type_list_losing_null_is_incompatible() -> None:
    old = schema({"v": {"type": ["string", "null"]}})
    new = schema({"v": {"type": "string"}})
    assert incompatibilities(old, new) == [
        "Thing: $.v: type narrowed from ['null', 'string'] to 'string'"
    ]


def test_a_field_becoming_nullable_is_compatible() -> None:
    new = copy.deepcopy(BASE)
    new["properties"]["name"] = {"anyOf": [BASE["properties"]["name"], {"type": "null"}]}
    assert incompatibilities(BASE, new) == []


def test_a_number_becoming_an_integer_is_incompatible() -> None:
    new = with_property(BASE, "price", type="integer")
    assert incompatibilities(BASE, new) == [
        "Thing: $.price: type narrowed from 'number' to 'integer'"
    ]


def test_an_integer_becoming_a_number_is_compatible() -> None:
    assert incompatibilities(BASE, with_property(BASE, "count", type="number")) == []


def test_a_removed_anyof_branch_is_incompatible() -> None:
    defs = {"A": {"type": "object", "properties": {}}, "B": {"type": "object", "properties": {}}}
    old = schema({"v": {"anyOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]}}, defs=defs)
    new = schema({"v": {"anyOf": [{"$ref": "#/$defs/A"}]}}, defs=defs)
    assert incompatibilities(old, new) == ["Thing: $.v: anyOf branch removed: #/$defs/B"]
    assert incompatibilities(new, old) == []


def test_a_removed_enum_value_is_incompatible() -> None:
    new = copy.deepcopy(BASE)
    new["$defs"]["Kind"]["enum"] = ["a"]
    assert incompatibilities(BASE, new) == ["Thing: $.kind: enum values removed: ['b']"]


def test_an_added_enum_value_is_compatible() -> None:
    new = copy.deepcopy(BASE)
    new["$defs"]["Kind"]["enum"] = ["a", "b", "c"]
    assert incompatibilities(BASE, new) == []


def test_a_lowered_max_length_is_incompatible_and_a_raised_one_is_not() -> None:
    assert incompatibilities(BASE, with_property(BASE, "name", maxLength=20)) == [
        "Thing: $.name: maxLength lowered from 50 to 20"
    ]
    assert incompatibilities(BASE, with_property(BASE, "name", maxLength=80)) == []


def test_a_raised_min_length_is_incompatible_and_a_lowered_one_is_not() -> None:
    assert incompatibilities(BASE, with_property(BASE, "name", minLength=3)) == [
        "Thing: $.name: minLength raised from 1 to 3"
    ]
    assert incompatibilities(BASE, with_property(BASE, "name", minLength=0)) == []


def test_a_lowered_maximum_is_incompatible_and_a_raised_one_is_not() -> None:
    assert incompatibilities(BASE, with_property(BASE, "count", maximum=10)) == [
        "Thing: $.count: maximum lowered from 100 to 10"
    ]
    assert incompatibilities(BASE, with_property(BASE, "count", maximum=1000)) == []


def test_a_raised_minimum_is_incompatible_and_a_lowered_one_is_not() -> None:
    assert incompatibilities(BASE, with_property(BASE, "count", minimum=1)) == [
        "Thing: $.count: minimum raised from 0 to 1"
    ]
    assert incompatibilities(BASE, with_property(BASE, "count", minimum=-5)) == []


def test_a_new_bound_where_there_was_none_is_incompatible() -> None:
    assert incompatibilities(BASE, with_property(BASE, "price", exclusiveMinimum=0)) == [
        "Thing: $.price: exclusiveMinimum 0 added"
    ]


def test_a_new_pattern_is_incompatible_and_a_dropped_one_is_not() -> None:
    patterned = with_property(BASE, "name", pattern="^[A-Z]+$")
    assert incompatibilities(BASE, patterned) == ["Thing: $.name: pattern '^[A-Z]+$' added"]
    assert incompatibilities(patterned, BASE) == []


def test_a_new_format_is_incompatible_and_a_dropped_one_is_not() -> None:
    formatted = with_property(BASE, "name", format="uuid")
    assert incompatibilities(BASE, formatted) == ["Thing: $.name: format 'uuid' added"]
    assert incompatibilities(formatted, BASE) == []


def test_changes_inside_nested_objects_and_arrays_name_the_json_path() -> None:
    line = {"type": "object", "properties": {"qty": {"type": "integer"}}, "required": ["qty"]}
    lines = {"type": "array", "items": {"$ref": "#/$defs/Line"}}
    old = schema({"lines": lines}, defs={"Line": line})
    new = copy.deepcopy(old)
    new["$defs"]["Line"]["properties"]["qty"]["type"] = "string"
    assert incompatibilities(old, new) == [
        "Thing: $.lines[*].qty: type narrowed from 'integer' to 'string'"
    ]


def test_a_recursive_schema_is_compared_without_looping() -> None:
    node = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
    }
    old = {"title": "Tree", "$ref": "#/$defs/Node", "$defs": {"Node": node}}
    assert incompatibilities(old, copy.deepcopy(old)) == []


def test_closing_an_open_object_is_incompatible() -> None:
    assert incompatibilities(BASE, {**BASE, "additionalProperties": False}) == [
        "Thing: $: additional properties no longer allowed"
    ]


def test_pydantic_models_evolved_compatibly_pass_the_check() -> None:
    class V1(BaseModel):
        store_id: str
        quantity: int

    class V2(BaseModel):
        store_id: str
        quantity: int | float
        note: str | None = None

    old = V1.model_json_schema(mode="serialization")
    new = V2.model_json_schema(mode="serialization")
    assert incompatibilities(old, new) == []
    assert incompatibilities(new, old) == [
        "V2: $.quantity: type narrowed from ['integer', 'number'] to 'integer'",
        "V2: $.note: property removed (a rename is a removal)",
    ]
