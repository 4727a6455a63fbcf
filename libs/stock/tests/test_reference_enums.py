"""The reference enums the domain and the contracts both define hold the same values."""

from __future__ import annotations

from enum import StrEnum

import pytest

from akiba_contracts.payloads import reference as contract
from akiba_stock.reference import rules as domain


@pytest.mark.parametrize("name", ["ManagedBy", "ReasonDirection", "ReasonCategory"])
def test_the_domain_and_the_contracts_name_the_same_members_and_values(name: str) -> None:
    ours: type[StrEnum] = getattr(domain, name)
    theirs: type[StrEnum] = getattr(contract, name)
    assert {m.name: m.value for m in ours} == {m.name: m.value for m in theirs}
