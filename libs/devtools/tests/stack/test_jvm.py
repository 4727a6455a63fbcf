import stat
from pathlib import Path

import pytest

from akiba_devtools.stack import _jvm
from akiba_devtools.stack.errors import JavaError, MavenFetchError, MavenMissingError


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_292"\nJava(TM) SE Runtime Environment', 8),
        ('openjdk version "11.0.2" 2019-01-15', 11),
        ("no version here", None),
    ],
)
def test_java_major_version_is_read_from_java_version_output(output: str, major: int) -> None:
    assert _jvm.parse_java_version(output) == major


def _fake_tool(folder: Path, name: str, script: str) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\n{script}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


def test_java_older_than_17_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_tool(tmp_path, "java", """echo 'java version "1.8.0_292"' >&2""")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)

    with pytest.raises(JavaError, match=r"needs Java 17 or newer.*Java 8"):
        _jvm.check_java()


def test_missing_java_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)

    with pytest.raises(JavaError, match="`java` not found"):
        _jvm.check_java()


def test_missing_maven_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    pom = tmp_path / "pom.xml"
    pom.write_text("<project/>")

    with pytest.raises(MavenMissingError, match="`mvn` not found"):
        _jvm.ensure_jars(pom, tmp_path / "libs")


def test_a_failed_maven_download_quotes_mavens_last_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tool(tmp_path, "mvn", "echo '[ERROR] Could not resolve dependencies'; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    pom = tmp_path / "pom.xml"
    pom.write_text("<project/>")

    with pytest.raises(MavenFetchError) as caught:
        _jvm.ensure_jars(pom, tmp_path / "libs")

    assert "exit 1" in caught.value.message
    assert caught.value.detail == "[ERROR] Could not resolve dependencies"
    assert not (tmp_path / "libs").exists()


def _cached_libs(folder: Path, digest: str) -> Path:
    libs = folder / "libs"
    libs.mkdir()
    (libs / "kafka_2.13-4.1.1.jar").write_bytes(b"jar")
    (libs / _jvm.STAMP_NAME).write_text(digest + "\n")
    return libs


def test_jars_fetched_for_the_same_pom_are_reused(tmp_path: Path) -> None:
    assert _jvm.jars_are_current(_cached_libs(tmp_path, "abc"), "abc")


def test_jars_fetched_for_another_pom_are_stale(tmp_path: Path) -> None:
    assert not _jvm.jars_are_current(_cached_libs(tmp_path, "abc"), "def")


def test_a_cache_without_the_broker_jar_is_stale(tmp_path: Path) -> None:
    libs = _cached_libs(tmp_path, "abc")
    (libs / "kafka_2.13-4.1.1.jar").unlink()

    assert not _jvm.jars_are_current(libs, "abc")


def test_ensure_jars_fetches_only_when_the_pom_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetches: list[Path] = []

    def fake_copy(pom: Path, target: Path) -> None:
        fetches.append(target)
        target.mkdir()
        (target / "kafka_2.13-4.1.1.jar").write_bytes(b"jar")

    monkeypatch.setattr(_jvm, "_copy_dependencies", fake_copy)
    pom, libs = tmp_path / "pom.xml", tmp_path / "libs"
    pom.write_text("<project>1</project>")

    assert _jvm.ensure_jars(pom, libs) is True
    assert _jvm.ensure_jars(pom, libs) is False
    pom.write_text("<project>2</project>")
    assert _jvm.ensure_jars(pom, libs) is True
    assert len(fetches) == 2
    assert (libs / _jvm.STAMP_NAME).read_text().strip() == _jvm.pom_hash(pom)
