"""The committed schemas and AsyncAPI document are current and never change incompatibly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from akiba_contracts import PAYLOADS, all_topics, schema_uri
from akiba_contracts.asyncapi import asyncapi_document
from akiba_contracts.generate import (
    CONTRACTS_DIR,
    generated_files,
    main,
    schema_incompatibilities,
    stale_files,
    write,
)


def test_committed_schemas_would_not_change_incompatibly() -> None:
    problems = schema_incompatibilities()
    assert not problems, "incompatible schema changes:\n" + "\n".join(problems)


def test_committed_contract_files_match_the_models() -> None:
    stale = stale_files()
    assert not stale, f"contract files out of date, run make contracts: {stale}"


def test_the_generator_check_passes_on_the_committed_files() -> None:
    assert main(["--check"]) == 0


def test_the_contracts_folder_is_found_from_the_package() -> None:
    assert (CONTRACTS_DIR / "pyproject.toml").is_file()
    assert (CONTRACTS_DIR / "schemas").is_dir()


@pytest.fixture
def copy_of_contracts(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACTS_DIR / "schemas", tmp_path / "schemas")
    shutil.copy(CONTRACTS_DIR / "asyncapi.json", tmp_path / "asyncapi.json")
    return tmp_path


def test_an_edited_committed_file_is_reported_stale(copy_of_contracts: Path) -> None:
    (copy_of_contracts / "asyncapi.json").write_text("{}\n")
    assert stale_files(copy_of_contracts) == ["asyncapi.json"]


def test_a_committed_schema_without_a_model_is_an_incompatible_removal(
    copy_of_contracts: Path,
) -> None:
    (copy_of_contracts / "schemas" / "org.akiba.gone.v1.json").write_text("{}\n")
    assert schema_incompatibilities(copy_of_contracts) == [
        "schemas/org.akiba.gone.v1.json: schema removed (its event type is no longer published)"
    ]


def test_an_incompatible_committed_schema_is_reported(copy_of_contracts: Path) -> None:
    path = copy_of_contracts / "schemas" / f"{next(iter(PAYLOADS))}.json"
    committed = json.loads(path.read_text())
    committed["properties"]["retired_field"] = {"type": "string"}
    path.write_text(json.dumps(committed))
    assert [p for p in schema_incompatibilities(copy_of_contracts) if "retired_field" in p]


def test_write_creates_every_file_and_then_has_nothing_to_do(tmp_path: Path) -> None:
    assert sorted(write(tmp_path)) == sorted(generated_files())
    assert write(tmp_path) == []
    assert stale_files(tmp_path) == []


def test_generated_files_are_pretty_printed_with_a_trailing_newline() -> None:
    for text in generated_files().values():
        assert text.endswith("}\n") and text.startswith("{\n  ")


@pytest.mark.parametrize("event_type", sorted(PAYLOADS))
def test_each_payload_schema_has_an_id_a_title_and_a_dialect(event_type: str) -> None:
    schema = json.loads(generated_files()[f"schemas/{event_type}.json"])
    assert schema["$id"] == schema_uri(event_type)
    assert schema["title"] == PAYLOADS[event_type].__name__
    assert schema["$schema"].startswith("https://json-schema.org/")


def asyncapi() -> dict[str, Any]:
    return asyncapi_document()


def test_the_asyncapi_document_is_version_3_0_0() -> None:
    assert asyncapi()["asyncapi"] == "3.0.0"


def test_the_asyncapi_document_has_one_channel_per_catalogue_topic() -> None:
    channels = asyncapi()["channels"]
    assert sorted(channels) == sorted(t.name for t in all_topics())
    for topic in all_topics():
        channel = channels[topic.name]
        assert channel["address"] == topic.name
        kafka = channel["bindings"]["kafka"]
        assert kafka["partitions"] == topic.partitions
        assert kafka["topicConfiguration"]["cleanup.policy"] == [topic.cleanup_policy]


def test_every_owner_topic_has_a_send_operation_on_its_channel() -> None:
    operations = asyncapi()["operations"].values()
    sent = {op["channel"]["$ref"] for op in operations if op["action"] == "send"}
    expected = {f"#/channels/{t.name}" for t in all_topics(include_dlq=False)}
    assert sent == expected


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in refs(v)
        ]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def test_every_reference_in_the_asyncapi_document_resolves() -> None:
    document = asyncapi()
    files = generated_files()
    for ref in refs(document):
        if ref.startswith("#/"):
            assert resolve(document, ref) is not None, ref
        else:
            assert ref in files, ref


def test_messages_carry_the_cloudevents_content_type_and_their_payload_schema() -> None:
    messages = asyncapi()["components"]["messages"]
    assert {m["name"] for m in messages.values()} == set(PAYLOADS)
    for message in messages.values():
        assert message["contentType"] == "application/cloudevents+json"
        data = message["payload"]["allOf"][1]["properties"]["data"]
        assert data == {"$ref": f"schemas/{message['name']}.json"}
