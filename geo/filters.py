"""What the map, the timeline and the table show: one filter, its URL form and its store query.

An `EventFilter` is what a user sets in the dashboard's sidebar: a view (region), a date window,
categories, countries, a minimum confidence, an outlet, a search text and a basemap. The dashboard
mirrors it in the page URL (`EventFilter.to_query_params`, `from_query_params`) so that a view can be
shared, and the CLI export reads the same parameters. Reading a URL is tolerant: a link is typed,
pasted and cut short by people, so a bad value falls back to its default instead of failing the page.
Pure: nothing here reads the store or the clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypedDict

from geo.boundaries import REGIONS, BBox
from geo.folium_map import BASEMAPS
from geo.models import Category

__all__ = ["DEFAULT_VIEW", "MAX_TEXT", "VIEWS", "EventFilter", "StoreQuery", "from_query_params",
           "step_window"]

VIEWS: Mapping[str, str] = MappingProxyType({"ukraine": "Ukraine", "belarus": "Belarus",
                                            "baltic": "Baltic states", "theatre": "Whole theatre"})
"""Map views (keys of `geo.boundaries.REGIONS`) and their names in the UI."""
DEFAULT_VIEW = "theatre"
MAX_TEXT = 200  # characters of search text kept: a search is a place name or a few words
_CATEGORIES = tuple(c.value for c in Category)


class StoreQuery(TypedDict):
    """The keyword arguments of `geo.store.Store.query` that a filter sets."""

    start: dt.date | None
    end: dt.date | None
    categories: tuple[str, ...]
    countries: tuple[str, ...]
    bbox: BBox | None
    min_confidence: float
    outlets: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class EventFilter:
    """The events a user asked to see, and how to draw them.

    Empty `categories` or `countries` and an empty `outlet` mean "all"; `start`/`end` None mean an
    open end; `text` searches place names and source sentences. Values are checked when the filter is
    built (ValueError); `from_query_params` turns any URL into a valid filter.
    """

    view: str = DEFAULT_VIEW
    start: dt.date | None = None
    end: dt.date | None = None
    categories: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_confidence: float = 0.0
    outlet: str = ""
    text: str = ""
    basemap: str = "none"

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"unknown view {self.view!r}; choose one of {list(VIEWS)}")
        if self.basemap not in BASEMAPS:
            raise ValueError(f"unknown basemap {self.basemap!r}; choose one of {BASEMAPS}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, not {self.min_confidence}")

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The filter as URL query parameters; defaults are left out to keep links short.

        >>> EventFilter("ukraine", dt.date(2022, 1, 10), dt.date(2022, 1, 16), ("front_line",),
        ...             min_confidence=0.5).to_query_params()
        {'view': 'ukraine', 'from': '2022-01-10', 'to': '2022-01-16', 'cat': ['front_line'], 'conf': '0.5'}
        """
        params: dict[str, str | list[str]] = {"view": self.view}
        if self.start is not None:
            params["from"] = self.start.isoformat()
        if self.end is not None:
            params["to"] = self.end.isoformat()
        if self.categories:
            params["cat"] = list(self.categories)
        if self.countries:
            params["country"] = list(self.countries)
        if self.min_confidence:
            params["conf"] = f"{self.min_confidence:g}"
        if self.outlet:
            params["outlet"] = self.outlet
        if self.text:
            params["q"] = self.text
        if self.basemap != "none":
            params["basemap"] = self.basemap
        return params

    def store_query_kwargs(self) -> StoreQuery:
        """Keyword arguments for `Store.query`: the view becomes a bounding box, except the whole
        theatre, which keeps every event (the theatre box would drop the reports from Washington).

        >>> EventFilter("baltic", outlet="BBC").store_query_kwargs()["bbox"]
        (20.5, 53.5, 28.5, 60.0)
        >>> EventFilter().store_query_kwargs()["bbox"] is None
        True
        """
        return StoreQuery(start=self.start, end=self.end, categories=self.categories,
                          countries=self.countries,
                          bbox=None if self.view == "theatre" else REGIONS[self.view],
                          min_confidence=self.min_confidence,
                          outlets=(self.outlet,) if self.outlet else (), text=self.text)

    def title(self) -> str:
        """A one-line caption of the view and window, e.g. for a map legend.

        >>> EventFilter("belarus", dt.date(2022, 2, 10), dt.date(2022, 2, 20)).title()
        'Belarus, 2022-02-10 – 2022-02-20'
        """
        window = " – ".join(d.isoformat() if d else "…" for d in (self.start, self.end))
        return VIEWS[self.view] if window == "… – …" else f"{VIEWS[self.view]}, {window}"


def from_query_params(params: Mapping[str, str | Sequence[str]], *,
                      date_range: tuple[dt.date, dt.date] | None = None,
                      countries: Collection[str] | None = None,
                      outlets: Collection[str] | None = None) -> EventFilter:
    """The filter a URL describes; every bad or unknown value falls back to its default.

    Dates are clamped into `date_range` (the store's first and last event dates; missing dates become
    its ends), a reversed window is put right way round; unknown categories are dropped, and so are
    countries and an outlet absent from `countries`/`outlets` when those are given. Lists may come
    as repeated parameters or comma-separated.

    >>> days = (dt.date(2021, 11, 1), dt.date(2022, 2, 28))
    >>> f = from_query_params({"view": "belarus", "from": "2022-01-10", "to": "2099-01-01",
    ...                        "cat": ["front_line", "bogus"], "conf": "2"}, date_range=days)
    >>> f.view, f.start, f.end, f.categories, f.min_confidence
    ('belarus', datetime.date(2022, 1, 10), datetime.date(2022, 2, 28), ('front_line',), 0.0)
    >>> from_query_params({"view": "mars", "from": "last week", "basemap": "<b>"}, date_range=days)
    EventFilter(view='theatre', start=datetime.date(2021, 11, 1), end=datetime.date(2022, 2, 28), \
categories=(), countries=(), min_confidence=0.0, outlet='', text='', basemap='none')
    >>> g = EventFilter("baltic", *days, ("diplomacy", "migration"), ("LT",), 0.4, "BBC", "Vilnius")
    >>> from_query_params(g.to_query_params(), date_range=days) == g
    True
    """
    start, end = _date(params, "from"), _date(params, "to")
    if date_range is not None:
        first, last = date_range
        start = min(max(start or first, first), last)
        end = min(max(end or last, first), last)
    if start is not None and end is not None and start > end:
        start, end = end, start
    view = (_last(params, "view") or "").strip().lower()
    basemaps = {name.lower(): name for name in BASEMAPS}
    wanted_countries = (code.upper() for code in _values(params, "country"))
    outlet = _last(params, "outlet") or ""
    return EventFilter(
        view=view if view in VIEWS else DEFAULT_VIEW,
        start=start,
        end=end,
        categories=_unique(c for c in (c.lower() for c in _values(params, "cat")) if c in _CATEGORIES),
        countries=_unique(c for c in wanted_countries if len(c) == 2 and c.isascii() and c.isalpha()
                          and (countries is None or c in countries)),
        min_confidence=_confidence(_last(params, "conf")),
        outlet=outlet if outlets is None or outlet in outlets else "",
        text=(_last(params, "q") or "").strip()[:MAX_TEXT],
        basemap=basemaps.get((_last(params, "basemap") or "").strip().lower(), "none"),
    )


def step_window(start: dt.date, end: dt.date, *, days: int, first: dt.date, last: dt.date,
                forward: bool = True) -> tuple[dt.date, dt.date]:
    """The next (or previous) `days`-day window when playing through the period [first, last].

    A selection of exactly `days` days moves by its length; any other selection becomes the first
    `days` days from its start (forward) or the last ones up to its end (back). The window never
    leaves [first, last]: at the end of the period it stays where it is, which is how play stops.

    >>> d, period = dt.date, {"first": dt.date(2022, 1, 1), "last": dt.date(2022, 2, 28)}
    >>> step_window(d(2022, 1, 1), d(2022, 2, 28), days=7, **period)  # whole period: its first week
    (datetime.date(2022, 1, 1), datetime.date(2022, 1, 7))
    >>> step_window(d(2022, 1, 1), d(2022, 1, 7), days=7, **period)
    (datetime.date(2022, 1, 8), datetime.date(2022, 1, 14))
    >>> step_window(d(2022, 2, 20), d(2022, 2, 26), days=7, **period)  # clamped to the last week
    (datetime.date(2022, 2, 22), datetime.date(2022, 2, 28))
    >>> step_window(d(2022, 1, 8), d(2022, 1, 14), days=7, forward=False, **period)
    (datetime.date(2022, 1, 1), datetime.date(2022, 1, 7))
    """
    if days < 1:
        raise ValueError(f"a window has at least one day, not {days}")
    span = dt.timedelta(days=days - 1)
    is_window = (end - start).days + 1 == days
    if forward:
        new_start = start + dt.timedelta(days=days) if is_window else start
    else:
        new_start = (end - dt.timedelta(days=days) if is_window else end) - span
    new_start = max(first, min(new_start, last - span))
    return new_start, min(last, new_start + span)


def _values(params: Mapping[str, str | Sequence[str]], key: str) -> list[str]:
    """Every value of a list parameter, repeated or comma-separated, blanks dropped."""
    raw = params.get(key, ())
    values = [raw] if isinstance(raw, str) else [str(v) for v in raw]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _last(params: Mapping[str, str | Sequence[str]], key: str) -> str | None:
    """The value of a single-valued parameter; the last one if it was repeated (as browsers do)."""
    raw = params.get(key)
    if raw is None or isinstance(raw, str):
        return raw
    return str(raw[-1]) if len(raw) else None


def _date(params: Mapping[str, str | Sequence[str]], key: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((_last(params, key) or "").strip())
    except ValueError:
        return None


def _confidence(value: str | None) -> float:
    try:
        number = float(value or 0)
    except ValueError:
        return 0.0
    return round(number, 2) if math.isfinite(number) and 0.0 <= number <= 1.0 else 0.0


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))  # first occurrences, in order
