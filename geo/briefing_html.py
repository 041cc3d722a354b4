"""The standalone briefing page (issue 6): the dashboard's map with a header, attribution and sources.

One HTML file to open from disk or embed in an iframe: a header with the title, the view and the date
window, the map that `geo.folium_map.build_map` draws for the dashboard (legend included), an
attribution line naming the data behind it, and the articles the points rest on. With
``offline=True`` Leaflet is inlined (`geo.map_offline.offline_html`), so with basemap "none" the page
makes no network request at all; otherwise it loads Leaflet from folium's CDNs as a saved folium map
does.

The header, attribution and sources are put into the page branca has already rendered, as strings:
none of them passes through a Jinja template, so ``{{ ... }}`` in an article is never evaluated, and
every untrusted value (title, outlets, article titles, URLs, the filter's outlet and search text) goes
through `geo.html_escape` on its way in. Pure: no disk (except the vendored Leaflet that
`offline_html` reads), no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.filters import VIEWS, EventFilter
from geo.folium_map import TILE_PROVIDERS, build_map
from geo.html_escape import escape_text, safe_url
from geo.map_offline import offline_html
from geo.map_points import PointKey, PointSources
from geo.map_style import category_style, count_phrase

__all__ = ["MAX_SOURCES", "BriefingSource", "attribution_html", "briefing_html", "date_window",
           "header_html", "sources_from_details", "sources_from_frame", "sources_html"]

MAX_SOURCES = 1_000  # articles listed; the rest are counted (a briefing page, not an archive)

# data/README.md: places are GeoNames (CC BY 4.0) plus admin-1 points from the countries-states-cities
# database (ODbL 1.0, which asks for attribution of produced works); borders are Natural Earth
_DATA_CREDITS = ('Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), '
                 '<a href="https://github.com/dr5hn/countries-states-cities-database">countries-states-cities'
                 "</a> (ODbL 1.0) · Boundaries: "
                 '<a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain)')

# folium writes `html, body {height: 100%}` and a map of 100 % height: the page must instead grow with
# its sources list, the map filling the width at a fixed share of the viewport (also inside an iframe).
# The legend is `position: fixed` for the dashboard's iframe; here it stays on the map while scrolling.
_STYLE = """<style>
html, body { height: auto; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       background: #fff; }
.briefing-header { padding: 8px 12px 6px; }
.briefing-header h1 { font-size: 1.35em; line-height: 1.25; margin: 0 0 2px; font-weight: 600; }
.briefing-header p { margin: 0; color: #444; }
.briefing-map { position: relative; width: 100%; height: 70vh; min-height: 300px; }
.briefing-map .crisis-map-legend { position: absolute !important; }
.briefing-attribution { margin: 0; padding: 4px 12px; font-size: 12px; color: #555;
                         border-bottom: 1px solid #ddd; }
.briefing-sources { padding: 4px 12px 16px; }
.briefing-sources h2 { font-size: 1.1em; margin: 8px 0 4px; }
.briefing-sources ol { margin: 0; padding-left: 1.8em; }
.briefing-sources li { margin: 2px 0; overflow-wrap: anywhere; }
.briefing-sources .note, .briefing-sources .count { color: #555; }
</style>
"""
# where branca's page ends its head and starts its body, and ends its body (before the map's script);
# article text cannot produce these: it is HTML-escaped, or JSON in a script with "</" escaped
_HEAD_BODY = re.compile(r"</head>\s*<body>", re.IGNORECASE)
_BODY_END = re.compile(r"</body>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BriefingSource:
    """One article in the sources list. Raw (unescaped) text; `url` is None unless it is http(s).

    `published` is an ISO date or ''; `count` is how many events (or, from `details` alone, map
    points) the article supports.
    """

    outlet: str
    title: str
    published: str
    url: str | None
    count: int


def briefing_html(points: pd.DataFrame, details: Mapping[PointKey, PointSources], flt: EventFilter, *,
                  title: str, offline: bool, boundaries: gpd.GeoDataFrame | None,
                  sources: pd.DataFrame | None = None) -> str:
    """The briefing page of aggregated `points` (`aggregate_points`) under the filter `flt`.

    The map is `build_map` (the dashboard's) with `details` (`sources_by_point`) in the popups, fitted
    to ``flt.view`` on ``flt.basemap``. `title` (any text; escaped) heads the page and the legend.
    The sources list comes from `sources` (a `Store.sources` frame of the points' events: outlet,
    title, date, link and events per article) when given, else from `details` (outlets and links,
    counted per map point). ``offline=True`` inlines Leaflet: with basemap "none" the page then
    loads nothing from the network.
    """
    fmap = build_map(points, boundaries=boundaries, view=flt.view, basemap=flt.basemap, details=details,
                     title=title)
    page = offline_html(fmap) if offline else fmap.get_root().render()
    if sources is not None:
        items, unit = sources_from_frame(sources), "event"
    else:
        items, unit = sources_from_details(details), "map point"
    covered = len(details) if len(details) < len(points) else None
    before = header_html(title, flt, points)
    after = attribution_html(flt.basemap) + sources_html(items, unit=unit, points_covered=covered,
                                                         points_total=len(points))
    return _insert(page, before_map=before, after_map=after)


def _insert(page: str, *, before_map: str, after_map: str) -> str:
    """`page` (a rendered folium page) with our style in its head and the map's body wrapped:
    `before_map`, the map and its legend in a fixed-height box, then `after_map`."""
    start = _HEAD_BODY.search(page)
    end = _BODY_END.search(page, start.end()) if start is not None else None
    if start is None or end is None:
        raise ValueError("the rendered map has no </head><body> ... </body> to put the briefing in")
    head_end = start.start()
    return (page[:head_end] + _STYLE + page[head_end:start.end()] + "\n" + before_map
            + '\n<div class="briefing-map">' + page[start.end():end.start()] + "</div>\n" + after_map
            + page[end.start():])


def date_window(flt: EventFilter, points: pd.DataFrame) -> str:
    """The date window as "first – last"; an open end of the filter becomes the points' own first or
    last date, and with neither "all dates".

    >>> import datetime as dt
    >>> pts = pd.DataFrame({"first_date": [pd.Timestamp("2022-01-03")],
    ...                     "last_date": [pd.Timestamp("2022-02-01")]})
    >>> date_window(EventFilter(end=dt.date(2022, 1, 31)), pts)
    '2022-01-03 – 2022-01-31'
    >>> date_window(EventFilter(), pts.iloc[:0])
    'all dates'
    """
    start = flt.start.isoformat() if flt.start else _day(points["first_date"].min()) if len(points) else ""
    end = flt.end.isoformat() if flt.end else _day(points["last_date"].max()) if len(points) else ""
    if not start and not end:
        return "all dates"
    return f"{start or '…'} – {end or '…'}"


def _day(value: Any) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def header_html(title: str, flt: EventFilter, points: pd.DataFrame) -> str:
    """The page header: the title, then view, date window and counts, then any narrowing filters.

    >>> print(header_html("<b>Week 7</b>", EventFilter("baltic", outlet="A&B"), pd.DataFrame(
    ...     {"events": [2], "reports": [3], "first_date": [pd.Timestamp("2022-02-14")],
    ...      "last_date": [pd.Timestamp("2022-02-15")]})))
    <header class="briefing-header"><h1>&lt;b&gt;Week 7&lt;/b&gt;</h1><p>Baltic states · \
2022-02-14 – 2022-02-15 · 2 events (3 reports) at 1 place and category</p><p>Outlet: A&amp;B</p></header>
    """
    events = int(points["events"].sum()) if len(points) else 0
    reports = int(points["reports"].sum()) if len(points) else 0
    summary = (f"{escape_text(VIEWS[flt.view])} · {escape_text(date_window(flt, points))} · "
               f"{count_phrase(events, 'event')} ({count_phrase(reports, 'report')}) at "
               f"{count_phrase(len(points), 'place and category', 'places and categories')}")
    filters = []
    if flt.categories:
        filters.append("Categories: " + ", ".join(category_style(c).label for c in flt.categories))
    if flt.countries:
        filters.append("Countries: " + ", ".join(flt.countries))
    if flt.min_confidence:
        filters.append(f"place confidence ≥ {flt.min_confidence:g}")
    if flt.outlet:
        filters.append(f"Outlet: {flt.outlet}")
    if flt.text:
        filters.append(f"Search: “{flt.text}”")
    narrowed = f"<p>{escape_text(' · '.join(filters))}</p>" if filters else ""
    return f'<header class="briefing-header"><h1>{escape_text(title)}</h1><p>{summary}</p>{narrowed}</header>'


def attribution_html(basemap: str) -> str:
    """The attribution line under the map: places, boundaries, and the tile provider if tiles are drawn.

    >>> "Tiles" in attribution_html("none"), "OpenStreetMap" in attribution_html("OpenStreetMap")
    (False, True)
    """
    parts = [_DATA_CREDITS]
    if basemap in TILE_PROVIDERS:
        parts.append("Tiles: " + TILE_PROVIDERS[basemap][1])
    parts.append('Map: <a href="https://leafletjs.com/">Leaflet</a>, Crisis Map')
    return f'<p class="briefing-attribution">{" · ".join(parts)}</p>\n'


def sources_from_frame(sources: pd.DataFrame) -> list[BriefingSource]:
    """One entry per article of a `Store.sources` frame (its article_hash), with the number of distinct
    events it supports; in publication order, then by outlet and title.

    >>> frame = pd.DataFrame({"event_key": ["a|other|d1", "b|other|d1", "a|other|d1"],
    ...     "article_hash": ["h1", "h1", "h2"], "outlet": ["AP", "AP", None], "title": ["T", "T", None],
    ...     "url": ["https://ap.example/1", "https://ap.example/1", "javascript:x"],
    ...     "published": pd.to_datetime(["2022-02-02", "2022-02-02", "2022-02-01"])})
    >>> [(s.outlet, s.published, s.url, s.count) for s in sources_from_frame(frame)]
    [('', '2022-02-01', None, 1), ('AP', '2022-02-02', 'https://ap.example/1', 2)]
    """
    if sources.empty:
        return []
    frame = pd.DataFrame({
        "article": sources["article_hash"].astype("str"),
        "event_key": sources["event_key"].astype("str"),
        "outlet": sources["outlet"].fillna("").astype("str"),
        "title": sources["title"].fillna("").astype("str"),
        "url": sources["url"].fillna("").astype("str"),
        "published": pd.to_datetime(sources["published"])})
    articles = frame.groupby("article", sort=False).agg(
        outlet=("outlet", "first"), title=("title", "first"), url=("url", "first"),
        published=("published", "min"), count=("event_key", "nunique"))
    articles = articles.sort_values(["published", "outlet", "title"], na_position="last", kind="stable")
    return [BriefingSource(row.outlet, row.title, _day(row.published), safe_url(row.url), int(row.count))
            for row in articles.itertuples(index=False)]


def sources_from_details(details: Mapping[PointKey, PointSources]) -> list[BriefingSource]:
    """One entry per article link in `details` (then one per outlet that has no link), with the number
    of map points it supports; most supporting first. No titles or dates: details do not carry them.

    >>> d = {("a", "other"): PointSources(("AP", "X"), (("AP", "https://ap.example/1"),), "", "", "", 1, 1),
    ...      ("b", "other"): PointSources(("AP",), (("AP", "https://ap.example/1"),), "", "", "", 1, 1)}
    >>> [(s.outlet, s.url, s.count) for s in sources_from_details(d)]
    [('AP', 'https://ap.example/1', 2), ('X', None, 1)]
    """
    links: dict[str, tuple[str, int]] = {}
    unlinked: dict[str, int] = {}
    for point in details.values():
        linked_outlets = set()
        for outlet, url in dict.fromkeys(point.links):
            seen_outlet, count = links.get(url, (outlet, 0))
            links[url] = (seen_outlet, count + 1)
            linked_outlets.add(outlet)
        for outlet in point.outlets:
            if outlet not in linked_outlets:
                unlinked[outlet] = unlinked.get(outlet, 0) + 1
    items = [BriefingSource(outlet, "", "", safe_url(url), count) for url, (outlet, count) in links.items()]
    items.sort(key=lambda s: -s.count)
    items += sorted((BriefingSource(outlet, "", "", None, count) for outlet, count in unlinked.items()),
                    key=lambda s: -s.count)
    return items


def sources_html(items: Iterable[BriefingSource], *, unit: str = "event", points_covered: int | None = None,
                 points_total: int | None = None, max_items: int = MAX_SOURCES) -> str:
    """The sources list: one line per article (outlet, title linked to the article if its URL is
    http(s), date, what it supports). `points_covered` < `points_total` says the list covers only
    the most reported points.

    >>> print(sources_html([BriefingSource("<AP>", "", "2022-02-01", "https://ap.example/1", 1)]))
    <section class="briefing-sources"><h2>Sources: 1 article</h2><ol><li><b>&lt;AP&gt;</b> — \
<a href="https://ap.example/1" target="_blank" rel="noopener noreferrer">https://ap.example/1</a> · \
2022-02-01 · <span class="count">1 event</span></li></ol></section>
    """
    listed = list(items)
    notes = []
    if points_covered is not None and points_total is not None and points_covered < points_total:
        notes.append(f"Articles behind the {points_covered:,} most reported of the {points_total:,} "
                     "places and categories on the map.")
    if len(listed) > max_items:
        notes.append(f"The first {max_items:,} are listed; {len(listed) - max_items:,} more are not.")
    if not listed:
        notes.append("No articles: no events in this window and these filters.")
    rows = "".join(f"<li>{_source_line(item, unit)}</li>" for item in listed[:max_items])
    return (f'<section class="briefing-sources"><h2>Sources: {count_phrase(len(listed), "article")}</h2>'
            + "".join(f'<p class="note">{note}</p>' for note in notes)
            + (f"<ol>{rows}</ol>" if rows else "") + "</section>")


def _source_line(item: BriefingSource, unit: str) -> str:
    outlet = f"<b>{escape_text(item.outlet)}</b>" if item.outlet else "<b>unknown outlet</b>"
    label = escape_text(item.title or item.url or "")
    if item.url is not None:
        label = (f'<a href="{escape_text(item.url)}" target="_blank" rel="noopener noreferrer">'
                 f"{label}</a>")
    parts = [f"{outlet} — {label}" if label else outlet]
    if item.published:
        parts.append(escape_text(item.published))
    parts.append(f'<span class="count">{count_phrase(item.count, escape_text(unit))}</span>')
    return " · ".join(parts)
