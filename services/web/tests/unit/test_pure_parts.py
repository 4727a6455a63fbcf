"""The chart, the form readers and the path table: pure functions."""

from __future__ import annotations

from uuid import uuid4

import pytest

from akiba_web import forms
from akiba_web.backend import Route, route_of
from akiba_web.central import routes
from akiba_web.charts import HEIGHT, PAD, balance_chart
from akiba_web.settings import Settings


def test_a_balance_chart_steps_from_each_balance_to_the_next() -> None:
    chart = balance_chart([10, 0, 15])
    assert chart is not None
    assert chart.path.startswith(f"M{PAD},")
    assert chart.path.count("H") == 2 and chart.path.count("V") == 2
    assert chart.top_label == 15 and chart.bottom_label == 0
    assert chart.zero_y == HEIGHT - PAD


def test_a_negative_balance_is_drawn_below_the_zero_line() -> None:
    chart = balance_chart([5, -5])
    assert chart is not None
    below = float(chart.path.rsplit("V", 1)[1])
    assert below > chart.zero_y


def test_no_entry_draws_no_chart_and_one_entry_draws_a_point() -> None:
    assert balance_chart([]) is None
    one = balance_chart([7])
    assert one is not None and "H" not in one.path


def test_a_quantity_must_be_a_whole_positive_number() -> None:
    assert forms.quantity({"q": " 12 "}, "q") == 12
    for bad, why in (("", "form.required"), ("1.5", "form.whole_number"),
                     ("0", "form.quantity_range"), ("-3", "form.quantity_range")):  # fmt: skip
        with pytest.raises(forms.FormError) as e:
            forms.quantity({"q": bad}, "q")
        assert e.value.key == why
    assert forms.quantity({"q": "0"}, "q", allow_zero=True) == 0


def test_text_refuses_a_nul_and_a_pasted_page() -> None:
    for bad in ("a\x00b", "x" * (forms.MAX_TEXT + 1)):
        with pytest.raises(forms.FormError):
            forms.text({"t": bad}, "t")
    assert forms.text({"t": "  "}, "t") is None


def test_a_stock_line_names_item_batch_and_maybe_a_location() -> None:
    item, batch, loc = uuid4(), uuid4(), uuid4()
    assert forms.stock_line({"l": f"{item}:{batch}:"}, "l") == (item, batch, None)
    assert forms.stock_line({"l": f"{item}:{batch}:{loc}"}, "l") == (item, batch, loc)
    with pytest.raises(forms.FormError):
        forms.stock_line({"l": f"{item}"}, "l")


def test_each_path_goes_to_the_service_that_owns_it() -> None:
    s = Settings()
    table = routes(s)
    assert route_of(table, "/sites/sync-status") == s.sync_hub_url
    assert route_of(table, "/sites") == s.auth_url
    assert route_of(table, "/oauth/token") == s.auth_url
    assert route_of(table, "/stores/x/stock-on-hand") == s.inventory_url
    assert route_of(table, "/requisitions/for-approval") == s.requisition_url
    assert route_of(table, "/inbound-shipments") == s.fulfillment_url
    with pytest.raises(LookupError):
        route_of(table, "/storesX")
    assert route_of([Route("/a", "b")], "/a/c") == "b"
