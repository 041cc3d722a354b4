"""EventFilter: URL parameters in and out, tolerant reading, the store query, the play window."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.filters import MAX_TEXT, EventFilter, from_query_params, step_window

FIRST, LAST = dt.date(2021, 11, 1), dt.date(2022, 2, 28)
RANGE = (FIRST, LAST)


@pytest.mark.parametrize(("params", "expected"), [
    ({}, EventFilter(start=FIRST, end=LAST)),
    ({"view": "UKRAINE"}, EventFilter("ukraine", FIRST, LAST)),
    ({"from": "2022-02-10", "to": "2022-01-10"},  # reversed: put right way round
     EventFilter(start=dt.date(2022, 1, 10), end=dt.date(2022, 2, 10))),
    ({"from": "1999-01-01", "to": "2099-01-01"}, EventFilter(start=FIRST, end=LAST)),
    ({"from": "2030-01-01"}, EventFilter(start=LAST, end=LAST)),
    ({"cat": "diplomacy,Migration, ,bogus", "country": ["ua", "XYZ", "1A", "ua"]},
     EventFilter(start=FIRST, end=LAST, categories=("diplomacy", "migration"), countries=("UA",))),
    ({"conf": "0.456"}, EventFilter(start=FIRST, end=LAST, min_confidence=0.46)),
    ({"conf": "-1"}, EventFilter(start=FIRST, end=LAST)),
    ({"conf": "inf"}, EventFilter(start=FIRST, end=LAST)),
    ({"basemap": "openstreetmap", "q": "  Kyiv  "},
     EventFilter(start=FIRST, end=LAST, basemap="OpenStreetMap", text="Kyiv")),
    ({"view": ["ukraine", "baltic"]}, EventFilter("baltic", FIRST, LAST)),  # the last one, as browsers do
    ({"view": []}, EventFilter(start=FIRST, end=LAST)),
])
def test_urls_are_read_tolerantly(params: dict[str, str | list[str]], expected: EventFilter) -> None:
    assert from_query_params(params, date_range=RANGE) == expected


def test_known_countries_and_outlets_filter_a_link() -> None:
    url = {"country": ["UA", "FR"], "outlet": "Nobody"}
    got = from_query_params(url, date_range=RANGE, countries={"UA", "BY"}, outlets={"AP"})
    assert got.countries == ("UA",) and got.outlet == ""
    assert from_query_params({"outlet": "AP"}, outlets={"AP"}).outlet == "AP"


def test_without_a_date_range_dates_stay_as_given_or_open() -> None:
    got = from_query_params({"to": "2022-01-05"})
    assert (got.start, got.end) == (None, dt.date(2022, 1, 5))
    assert "from" not in got.to_query_params()


@pytest.mark.parametrize("bad", [dict(view="mars"), dict(basemap="x"), dict(min_confidence=1.5),
                                 dict(start=LAST, end=FIRST)])
def test_a_filter_checks_its_values(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        EventFilter(**bad)  # type: ignore[arg-type]


def test_the_store_query_of_a_view() -> None:
    query = EventFilter("ukraine", FIRST, LAST, ("front_line",), ("UA",), 0.5, "AP", "Kyiv")
    assert query.store_query_kwargs() == {
        "start": FIRST, "end": LAST, "categories": ("front_line",), "countries": ("UA",),
        "bbox": (22.0, 44.0, 40.5, 52.5), "min_confidence": 0.5, "outlets": ("AP",), "text": "Kyiv"}


@given(st.dictionaries(st.sampled_from(["view", "from", "to", "cat", "country", "conf", "outlet", "q",
                                        "basemap", "other"]),
                       st.one_of(st.text(max_size=300), st.lists(st.text(max_size=30), max_size=4))))
def test_any_url_gives_a_valid_filter_that_survives_its_own_url(params: dict[str, str | list[str]]) -> None:
    got = from_query_params(params, date_range=RANGE)
    assert got.start is not None and got.end is not None and FIRST <= got.start <= got.end <= LAST
    assert len(got.text) <= MAX_TEXT
    assert from_query_params(got.to_query_params(), date_range=RANGE) == got


@given(st.dates(FIRST, LAST), st.dates(FIRST, LAST), st.integers(1, 200), st.booleans())
def test_a_step_keeps_the_window_inside_the_period(a: dt.date, b: dt.date, days: int, forward: bool) -> None:
    start, end = min(a, b), max(a, b)
    new_start, new_end = step_window(start, end, days=days, first=FIRST, last=LAST, forward=forward)
    assert FIRST <= new_start <= new_end <= LAST
    assert (new_end - new_start).days + 1 == min(days, (LAST - FIRST).days + 1)
