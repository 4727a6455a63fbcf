"""Reference-data rules: GTINs, pack rounding, zones, stores' writers, reasons."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from akiba_stock import reference as ref


@pytest.mark.parametrize(
    "gtin", ["96385074", "036000291452", "4006381333931", "10012345000017", "00012345600012"]
)
def test_gtins_with_a_valid_check_digit_are_accepted(gtin: str) -> None:
    assert ref.gtin_is_valid(gtin)


@pytest.mark.parametrize(
    "gtin",
    ["96385075", "4006381333932", "10012345000018", "1234567", "123456789", "40063813339a1", ""],
)
def test_gtins_with_a_wrong_digit_or_length_are_refused(gtin: str) -> None:
    assert not ref.gtin_is_valid(gtin)


def item(**fields: object) -> ref.Item:
    return ref.Item(**{"item_id": uuid4(), "code": "AMX", "name": "Amoxicillin", **fields})  # type: ignore[arg-type]


def test_an_item_with_a_bad_gtin_is_invalid_reference_data() -> None:
    with pytest.raises(ref.InvalidReferenceData, match="check digit"):
        item(gtin="4006381333932")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"net_content": 0}, "net_content"),
        ({"pack_rounding_threshold": -1}, "pack_rounding_threshold"),
        ({"code": " AMX"}, "code"),
        ({"name": ""}, "name"),
        ({"dispensing_unit": ""}, "dispensing_unit"),
    ],
)
def test_an_item_breaking_a_rule_names_the_field(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ref.InvalidReferenceData, match=message):
        item(**fields)


@pytest.mark.parametrize(
    ("quantity", "threshold", "round_to_zero", "packs"),
    [
        (0, 0, False, 0),
        (100, 0, False, 10),
        (101, 0, False, 11),
        (104, 5, False, 10),
        (106, 5, False, 11),
        (3, 5, False, 1),
        (3, 5, True, 0),
    ],
)
def test_packs_to_order_round_like_openlmis_orderables(
    quantity: int, threshold: int, round_to_zero: bool, packs: int
) -> None:
    pack = item(net_content=10, pack_rounding_threshold=threshold, round_to_zero=round_to_zero)
    assert pack.packs_to_order(quantity) == packs


def test_only_a_centrally_managed_active_store_accepts_central_writes() -> None:
    store = ref.Store(uuid4(), "HF-1", "Health centre", None, None)
    assert store.accepts_central_writes and not store.accepts_site_writes
    at_site = replace(store, managed_by=ref.ManagedBy.SITE)
    assert at_site.accepts_site_writes and not at_site.accepts_central_writes
    assert not replace(store, active=False).accepts_central_writes


def test_managed_by_is_central_or_site() -> None:
    assert (
        ref.Store(uuid4(), "S", "S", None, None, managed_by="site").managed_by is ref.ManagedBy.SITE
    )  # type: ignore[arg-type]
    with pytest.raises(ref.InvalidReferenceData, match="central, site"):
        ref.Store(uuid4(), "S", "S", None, None, managed_by="cloud")  # type: ignore[arg-type]


def zone(level: int, parent: ref.GeographicZone | None = None) -> ref.GeographicZone:
    return ref.GeographicZone(uuid4(), f"Z{level}", "Zone", level, parent and parent.zone_id)


def test_a_zone_lies_below_its_parent() -> None:
    country = zone(1)
    zone(2, country).check_parent(country)
    with pytest.raises(ref.InvalidReferenceData, match="lower level"):
        zone(1, country).check_parent(country)


def test_a_zone_cannot_move_to_or_below_its_childrens_level() -> None:
    region = zone(2)
    region.check_children(3)
    region.check_children(None)
    with pytest.raises(ref.InvalidReferenceData, match="child"):
        replace(region, level=3).check_children(3)


def test_a_zone_cannot_be_its_own_parent() -> None:
    z = zone(2)
    with pytest.raises(ref.InvalidReferenceData, match="own parent"):
        replace(z, parent_id=z.zone_id)


def reason(direction: str, category: str, **fields: object) -> ref.AdjustmentReason:
    return ref.AdjustmentReason(uuid4(), "Damaged", direction, category, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("direction", "category", "movement", "fits"),
    [
        ("credit", "transfer", "receipt", True),
        ("credit", "transfer", "transfer_in", True),
        ("debit", "transfer", "issue", True),
        ("debit", "transfer", "receipt", False),
        ("credit", "transfer", "adjustment_positive", False),
        ("credit", "adjustment", "adjustment_positive", True),
        ("debit", "adjustment", "adjustment_negative", True),
        ("debit", "adjustment", "adjustment_positive", False),
        ("debit", "physical_inventory", "adjustment_negative", True),
        ("debit", "aggregation", "adjustment_negative", False),
        ("credit", "adjustment", "stocktake_balance", False),
    ],
)
def test_a_reason_fits_a_movement_by_category_and_direction(
    direction: str, category: str, movement: str, fits: bool
) -> None:
    assert reason(direction, category).fits(movement) is fits


def test_a_reason_direction_or_category_outside_the_lists_is_refused() -> None:
    with pytest.raises(ref.InvalidReferenceData, match="direction"):
        reason("balance", "adjustment")
    with pytest.raises(ref.InvalidReferenceData, match="category"):
        reason("debit", "loss")


def test_a_reason_is_valid_for_its_programs_and_facility_types_or_all_when_none_listed() -> None:
    epi, hc, depot = uuid4(), uuid4(), uuid4()
    anywhere = reason("debit", "adjustment")
    assert anywhere.valid_for(uuid4(), None)
    scoped = reason("debit", "adjustment", program_ids=[epi, epi], facility_type_ids=[hc])
    assert scoped.program_ids == (epi,)
    assert scoped.valid_for(epi, hc)
    assert not scoped.valid_for(epi, depot) and not scoped.valid_for(uuid4(), hc)
    assert not scoped.valid_for(epi, None)
    assert not replace(scoped, active=False).valid_for(epi, hc)


def test_a_revision_validates_and_advances_the_version() -> None:
    t = ref.FacilityType(uuid4(), "HC", "Health centre")
    assert ref.revised(t, name="Health center").version == 2
    with pytest.raises(ref.InvalidReferenceData):
        ref.revised(t, name=" ")
