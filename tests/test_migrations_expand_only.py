"""Migrations only expand, so the release before keeps running on the new schema.

A rolling upgrade runs the old release's pods against the migrated database, and a rollback
runs it there for good (docs/operations.md, "Upgrades and migrations"). Removing or reshaping
what the old code reads waits for a later release's contract migration, which says so on a
`-- contract:` line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [*ROOT.glob("services/*/migrations/*.sql"), *ROOT.glob("libs/*/src/*/migrations_sql/*.sql")]
)

# (pattern, why the previous release breaks on it)
BREAKING = [
    (r"\bdrop\s+table\b", "drops a table the previous release may read"),
    (r"\bdrop\s+column\b", "drops a column the previous release may read or write"),
    (r"\brename\b", "renames what the previous release names"),
    (r"\balter\s+column\s+\w+\s+(set\s+data\s+)?type\b", "changes a column's type"),
    (r"\balter\s+column\s+\w+\s+set\s+not\s+null\b", "the previous release may write nulls"),
    (r"\btruncate\b", "throws rows away"),
]
ADD_COLUMN = re.compile(r"\badd\s+column\s+(if\s+not\s+exists\s+)?(\w+)\s+([^,;]*)", re.I)

# Landed before the rule, each with what it means for an upgrade across it.
EARLIER = {
    # The balance columns it makes not null were added and filled by the same release.
    "services/inventory/migrations/0003_stock_on_hand.sql": "safe",
    # The release before it read stock_program_items in its alert consumer: an upgrade across
    # it stops inventory's consumer roles before migrating (no rolling upgrade).
    "services/inventory/migrations/0007_item_programs.sql": "stop consumers first",
}


def _statements(sql: str) -> list[str]:
    without_comments = re.sub(r"--[^\n]*", "", sql)
    return [s.strip() for s in without_comments.split(";") if s.strip()]


def breaking(sql: str) -> list[str]:
    """Why each statement of a migration would break the release before it, if any would."""
    found = []
    for statement in _statements(sql):
        lowered = " ".join(statement.lower().split())
        found += [f"{why}: {lowered[:80]}" for p, why in BREAKING if re.search(p, lowered)]
        for m in ADD_COLUMN.finditer(lowered):
            spec = m.group(3)
            if "not null" in spec and "default" not in spec and "generated" not in spec:
                found.append(f"adds a not-null column without a default: {m.group(2)}")
    return found


def test_the_check_catches_what_breaks_the_previous_release() -> None:
    assert breaking("alter table t drop column c;")
    assert breaking("ALTER TABLE t RENAME COLUMN a TO b;")
    assert breaking("alter table t alter column c type bigint;")
    assert breaking("alter table t alter column c set not null;")
    assert breaking("alter table t add column c text not null;")
    assert breaking("drop table t;")
    assert not breaking("alter table t add column c text not null default '';")
    assert not breaking("alter table t add column c text; -- drop column later")
    assert not breaking("create table t (a int not null); create index on t (a);")
    assert not breaking("drop index t_a;")


def test_every_service_has_migrations() -> None:
    assert len(FILES) > 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_migration_only_expands_unless_it_says_it_contracts(path: Path) -> None:
    sql = path.read_text()
    if "-- contract:" in sql or str(path.relative_to(ROOT)) in EARLIER:
        return
    assert breaking(sql) == []
