"""The briefing page: header, attribution and sources around the dashboard's map; hostile text stays
text; the offline page fetches nothing."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from geo.boundaries import load_boundaries
from geo.briefing_html import BriefingSource, briefing_html, sources_from_details, sources_html
from geo.filters import EventFilter
from geo.map_points import aggregate_points, sources_by_point

DAY = pd.Timestamp("2022-02-14")
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}"]
HOSTILE_ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;",
                   "&#123;&#123; 7*7 &#125;&#125;"]


def frames(name: str = "Kharkiv", outlet: str = "Wire", title: str = "Shelling",
           sentence: str = "Shelling near Kharkiv.") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two events at two places (a `Store.query`-like frame) and their three mentions from two articles
    (a `Store.sources`-like frame); every article text given by the caller."""
    keys = [f"kharkiv|front_line|{DAY.date()}", f"lviv|migration|{(DAY + pd.Timedelta(days=1)).date()}"]
    events = pd.DataFrame({
        "event_key": keys, "place_id": ["kharkiv", "lviv"], "name": [name, "Lviv"], "lat": [49.99, 49.84],
        "lon": [36.23, 24.03], "country": ["UA", "UA"], "category": ["front_line", "migration"],
        "event_date": [DAY, DAY + pd.Timedelta(days=1)], "date_precision": ["day", "day"],
        "source_count": [2, 1], "article_count": [2, 1], "confidence": [0.9, 0.8]})
    sources = pd.DataFrame({
        "event_key": [keys[0], keys[0], keys[1]], "article_id": ["a1", "a2", "a2"],
        "article_hash": ["h1", "h2", "h2"], "title": [title, "Refugees reach Lviv", "Refugees reach Lviv"],
        "outlet": [outlet, "Agency", "Agency"],
        "url": ["javascript:alert(1)", "https://agency.example/lviv", "https://agency.example/lviv"],
        "published": pd.to_datetime(["2022-02-14", "2022-02-15", "2022-02-15"]),
        "mention": [name, name, "Lviv"],
        "sentence": [sentence, "Fighting near Kharkiv.", "Refugees in Lviv."],
        "method": ["theatre_prior"] * 3, "confidence": [0.9, 0.7, 0.8]})
    return events, sources


def page_of(events: pd.DataFrame, sources: pd.DataFrame, flt: EventFilter | None = None, *,
            title: str = "Weekly briefing", offline: bool = True, with_frame: bool = True) -> str:
    points = aggregate_points(events)
    return briefing_html(points, sources_by_point(sources), flt or EventFilter("ukraine"), title=title,
                         offline=offline, boundaries=None, sources=sources if with_frame else None)


def attribution_line(page: str) -> str:
    line = re.search(r'<p class="briefing-attribution">(.*?)</p>', page)
    assert line is not None, "no attribution line"
    return line[1]


def test_header_window_attribution_and_sources() -> None:
    events, sources = frames()
    flt = EventFilter("ukraine", dt.date(2022, 2, 10), dt.date(2022, 2, 20), categories=("front_line",
                      "migration"), min_confidence=0.5)
    page = page_of(events, sources, flt, title="Weekly briefing")
    header = re.search(r'<header class="briefing-header">.*?</header>', page, re.DOTALL)
    assert header is not None
    assert "<h1>Weekly briefing</h1>" in header.group()
    assert "Ukraine · 2022-02-10 – 2022-02-20" in header.group()
    assert "2 events (3 reports) at 2 places and categories" in header.group()
    assert "Front line / fighting, Migration / refugees" in header.group() and "≥ 0.5" in header.group()
    assert "<title>Weekly briefing</title>" in page
    # build_map's legend, inside the map's box, then the attribution
    assert (page.index('<div class="briefing-map">') < page.index('<div class="crisis-map-legend"')
            < page.index('<p class="briefing-attribution"'))
    credits = attribution_line(page)
    assert "GeoNames</a> (CC BY 4.0)" in credits and "Natural Earth</a> (public domain)" in credits
    assert "countries-states-cities" in credits and "Tiles:" not in credits
    sources_list = page[page.index('<section class="briefing-sources">'):]
    assert "Sources: 2 articles" in sources_list
    # one line per article, in publication order: outlet, title, date, events; a link only for http(s)
    assert sources_list.index("Wire") < sources_list.index("Agency")
    assert "<b>Wire</b> — Shelling · 2022-02-14 · <span class=\"count\">1 event</span>" in sources_list
    assert ('<a href="https://agency.example/lviv" target="_blank" rel="noopener noreferrer">Refugees reach '
            'Lviv</a> · 2022-02-15 · <span class="count">2 events</span>') in sources_list
    assert "javascript:" not in page


def test_open_window_is_the_events_own_dates() -> None:
    events, sources = frames()
    page = page_of(events, sources, EventFilter("theatre"))
    assert "Whole theatre · 2022-02-14 – 2022-02-15 ·" in page


def test_sources_from_details_alone_count_map_points() -> None:
    events, sources = frames()
    page = page_of(events, sources, with_frame=False)
    assert ">https://agency.example/lviv</a> · <span class=\"count\">2 map points</span>" in page
    assert "<b>Wire</b> · <span class=\"count\">1 map point</span>" in page  # no http(s) link: no <a>
    entries = sources_from_details(sources_by_point(sources))
    assert [(e.outlet, e.url, e.count) for e in entries] == [("Agency", "https://agency.example/lviv", 2),
                                                            ("Wire", None, 1)]


def test_sources_list_is_capped_and_says_so() -> None:
    items = [BriefingSource(f"Outlet {i}", "", "", None, 1) for i in range(5)]
    listed = sources_html(items, max_items=3, points_covered=10, points_total=40)
    assert listed.count("<li>") == 3 and "2 more are not" in listed
    assert "the 10 most reported of the 40" in listed
    assert "No articles" in sources_html([])


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "online"])
@pytest.mark.parametrize("where", ["title", "place", "outlet", "sentence", "article title"])
def test_hostile_text_is_escaped_everywhere(where: str, offline: bool) -> None:
    for payload, escaped in zip(HOSTILE, HOSTILE_ESCAPED, strict=True):
        text = f"Kharkiv {payload}"
        events, sources = frames(name=text if where == "place" else "Kharkiv",
                                 outlet=text if where == "outlet" else "Wire",
                                 sentence=text if where == "sentence" else "Shelling near Kharkiv.",
                                 title=text if where == "article title" else "Shelling")
        page = page_of(events, sources, title=text if where == "title" else "Weekly briefing",
                       offline=offline)
        # raw in the page, or in the popups' JSON (where "</" is written "<\\/"): neither
        assert payload not in page and payload.split("</")[0] not in page, (where, payload)
        assert escaped in page, (where, payload)  # shown as text; braces as entities: no template ran
        tags = page_tags(page)
        assert not [t for t in tags if t[0] == "img" or any(name.startswith("on") for name, _ in t[1])]
        assert page.count("<script") == page.count("</script>")


def test_filter_text_is_escaped_in_the_header() -> None:
    events, sources = frames()
    page = page_of(events, sources, EventFilter("ukraine", outlet=HOSTILE[0], text=HOSTILE[1]))
    assert HOSTILE[0] not in page and HOSTILE[1] not in page
    assert "Outlet: " + HOSTILE_ESCAPED[0] in page and HOSTILE_ESCAPED[1] in page


class _PageParser(HTMLParser):
    """The page's elements (tag, attributes) and the URLs a browser would fetch on opening it: src of
    any element, href of any element but <a> (links are followed only when clicked), and CSS
    url()/@import in <style> and style attributes. Script content is not markup: it is skipped."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "srcset", "poster", "data") or (name == "href" and tag != "a"):
                self.urls.append(value)
            if name == "style":
                self._css(value)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def _css(self, text: str) -> None:
        self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
        self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", text)


def parsed(page: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser


def fetched_urls(page: str) -> list[str]:
    return parsed(page).urls


def page_tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    return parsed(page).tags


def test_offline_page_fetches_nothing_from_the_network() -> None:
    events, sources = frames()
    page = briefing_html(aggregate_points(events), sources_by_point(sources), EventFilter("ukraine"),
                         title="Weekly briefing", offline=True, boundaries=load_boundaries(),
                         sources=sources)
    urls = fetched_urls(page)
    remote = [u for u in urls if re.match(r"\s*(?:https?:)?//", u, re.IGNORECASE)]
    assert remote == []
    # Leaflet's CSS names its own images (relative: file siblings, loaded only for markers and a
    # collapsed layer control, which these maps never show)
    assert set(urls) <= {"#default#VML", "images/layers.png", "images/layers-2x.png",
                         "images/marker-icon.png"}
    assert "Leaflet 1.9.4" in page and "L.tileLayer" not in page
    assert "fonts.googleapis" not in page and "@font-face" not in page
    assert '<a href="https://agency.example/lviv"' in page  # links are there, but not fetched


def test_online_page_loads_leaflet_from_the_cdn() -> None:
    events, sources = frames()
    page = page_of(events, sources, offline=False)
    assert any("leaflet" in u and u.startswith("https://") for u in fetched_urls(page))


@pytest.mark.parametrize("basemap", ["OpenStreetMap", "CartoDB positron"])
def test_tile_attribution_only_with_a_basemap(basemap: str) -> None:
    events, sources = frames()
    page = page_of(events, sources, EventFilter("ukraine", basemap=basemap))
    line = attribution_line(page)
    assert "Tiles: &copy; <a href=\"https://www.openstreetmap.org/copyright\">" in line
    assert ("CARTO" in line) == (basemap == "CartoDB positron")
    assert "L.tileLayer" in page


def test_empty_selection_still_makes_a_page() -> None:
    events, sources = frames()
    page = page_of(events.iloc[:0], sources.iloc[:0], EventFilter("baltic"))
    assert "Baltic states · all dates · 0 events (0 reports) at 0 places and categories" in page
    assert "No articles" in page and 'class="briefing-map"' in page
