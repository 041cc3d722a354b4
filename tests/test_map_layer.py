"""The map layer: aggregation per (place, category), popups from hostile text, the map page, offline."""

from __future__ import annotations

import json
import re
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.boundaries import load_boundaries
from geo.folium_map import BASEMAPS, CRIMEA_NOTE, MAX_POINTS, build_map, offline_html, script_json
from geo.html_escape import safe_url
from geo.map_html import point_markup
from geo.map_points import (
    MAX_RADIUS,
    MIN_RADIUS,
    POINT_COLUMNS,
    aggregate_points,
    point_radius,
    sources_by_point,
)
from geo.map_style import CATEGORY_STYLES, legend_html
from geo.models import Category
from geo.store_query import EVENT_COLUMNS, MAP_COLUMNS

DAY = pd.Timestamp("2022-01-10")


def events_frame(rows: list[tuple[str, str, int, int, float, str]]) -> pd.DataFrame:
    """A Store.query-like frame from (place_id, category, day offset, source_count, confidence,
    date_precision) rows."""
    records = []
    for place_id, category, offset, sources, confidence, precision in rows:
        day = DAY + pd.Timedelta(days=offset)
        records.append({
            "event_key": f"{place_id}|{category}|{day.date().isoformat()}", "place_id": place_id,
            "name": f"Name of {place_id}", "lat": 50.0 + len(place_id) / 10, "lon": 30.0, "country": "UA",
            "admin1": "", "precision": "settlement", "category": category, "event_date": day,
            "date_precision": precision, "source_count": sources, "article_count": max(1, sources - 1),
            "first_seen": day, "confidence": confidence})
    return pd.DataFrame.from_records(records, columns=list(EVENT_COLUMNS))


def tiny_boundaries() -> gpd.GeoDataFrame:
    """Two squares: a country and an occupied area, as geo.boundaries.load_boundaries shapes them."""
    return gpd.GeoDataFrame({"iso_a2": ["UA", "UA"], "name": ["Ukraine", "Crimea"],
                             "status": ["", "occupied since 2014"]},
                            geometry=[box(22, 44, 40, 52), box(32.5, 44.4, 36.6, 46.2)], crs="EPSG:4326")


# -- aggregation -------------------------------------------------------------------------------------

def test_aggregate_points_sums_and_keys() -> None:
    events = events_frame([
        ("kyiv", "diplomacy", 2, 3, 0.9, "week"),
        ("kyiv", "diplomacy", 0, 2, 0.5, "day"),
        ("kyiv", "front_line", 1, 1, 0.7, "day"),
        ("lviv", "diplomacy", 0, 1, 0.6, "published"),
        ("kyiv", "diplomacy", 5, 4, 0.4, "month"),
    ])
    points = aggregate_points(events)
    assert list(points.columns) == list(POINT_COLUMNS)
    assert len(points) == 3
    kyiv = points.set_index(["place_id", "category"]).loc[("kyiv", "diplomacy")]
    assert kyiv["reports"] == 9 and kyiv["events"] == 3 and kyiv["articles"] == 2 + 1 + 3
    assert kyiv["first_date"] == DAY and kyiv["last_date"] == DAY + pd.Timedelta(days=5)
    assert kyiv["date_precision"] == "month"  # of the latest event
    assert kyiv["confidence"] == 0.9
    assert list(kyiv["event_keys"]) == ["kyiv|diplomacy|2022-01-10", "kyiv|diplomacy|2022-01-12",
                                        "kyiv|diplomacy|2022-01-15"]
    assert points["reports"].tolist() == [9, 1, 1]  # most reported first
    assert points["reports"].sum() == events["source_count"].sum()
    assert sorted(k for keys in points["event_keys"] for k in keys) == sorted(events["event_key"])


def test_aggregate_points_reads_map_columns_frames() -> None:
    events = events_frame([("a|b", "other", 0, 2, 0.5, "day"), ("a|b", "other", 1, 1, 0.5, "day")])
    points = aggregate_points(events.loc[:, list(MAP_COLUMNS)])
    assert points["place_id"].tolist() == ["a|b"]  # a '|' in the place id survives
    assert points["reports"].tolist() == [3] and points["articles"].tolist() == [0]


def test_aggregate_points_of_nothing() -> None:
    points = aggregate_points(events_frame([]))
    assert points.empty and list(points.columns) == list(POINT_COLUMNS)


@pytest.mark.parametrize("reports", [[1, 2, 3, 5, 8, 13, 100, 1_000, 10**6]])
def test_radius_grows_with_reports_and_is_clamped(reports: list[int]) -> None:
    radius = point_radius(reports)
    assert np.all(np.diff(radius) >= 0)
    assert radius[0] == MIN_RADIUS and radius[-1] == MAX_RADIUS
    assert radius[3] > radius[1]  # strictly growing below the clamp


def test_sources_by_point_summarises_evidence() -> None:
    sources = pd.DataFrame({
        "event_key": ["kyiv|diplomacy|2022-01-12", "kyiv|diplomacy|2022-01-10", "kyiv|diplomacy|2022-01-10",
                      "lviv|other|2022-01-10"],
        "outlet": ["BBC", "AP", "BBC", None],
        "url": ["https://bbc.example/2", "https://ap.example/1", "https://bbc.example/2", None],
        "published": pd.to_datetime(["2022-01-12", "2022-01-10", "2022-01-11", "2022-01-10"]),
        "mention": ["Kyiv", "Kiev", "Kyiv", "Lviv"],
        "sentence": ["late", "first", "middle", "only"],
        "method": ["alias", "gazetteer", "context", "gazetteer"],
        "confidence": [0.6, 0.8, 0.95, 0.5]})
    summary = sources_by_point(sources)
    kyiv = summary[("kyiv", "diplomacy")]
    assert kyiv.outlets == ("AP", "BBC")
    assert kyiv.links == (("AP", "https://ap.example/1"), ("BBC", "https://bbc.example/2"))
    assert (kyiv.sentence, kyiv.mention) == ("first", "Kiev")  # earliest published
    assert (kyiv.method, kyiv.confidence, kyiv.mentions) == ("context", 0.95, 3)
    assert summary[("lviv", "other")].outlets == () and summary[("lviv", "other")].links == ()
    assert sources_by_point(sources.iloc[:0]) == {}


def test_point_markup_words_each_point_from_its_own_row() -> None:
    events = events_frame([("a", "diplomacy", 0, 1234, 0.91, "week"), ("a", "diplomacy", 3, 1, 0.5, "day"),
                           ("b", "front_line", 1, 1, 0.456, "published")])
    events.loc[2, ["country", "article_count"]] = ["", 0]
    points = aggregate_points(events)
    sources = sources_by_point(pd.DataFrame({
        "event_key": [events.loc[2, "event_key"]], "outlet": ["AP"], "url": ["https://ap.example/1"],
        "published": [DAY], "mention": ["B"], "sentence": ["Shelling near B."], "method": ["alias"],
        "confidence": [0.7]}))
    tooltips, popups = point_markup(points, sources)
    a, b = points.index[points["place_id"] == "a"][0], points.index[points["place_id"] == "b"][0]
    assert tooltips[a] == "◆ Name of a · 1,235 reports" and tooltips[b] == "✕ Name of b · 1 report"
    assert popups[a] == ("<b>◆ Name of a</b> (UA)<br>Diplomacy<br>2022-01-10 – 2022-01-13 · date: exact "
                         "day<br>1,235 reports, 1,234 article mentions, on 2 days<br><small>place confidence "
                         "0.91; sources left out of this map: narrow the dates</small>")
    assert popups[b].startswith("<b>✕ Name of b</b><br>Front line / fighting<br>2022-01-11 · date: "
                                "publication date, no date in the text<br>1 report, on 1 day<br>Sources: <a ")
    assert "<i>“Shelling near B.”</i>" in popups[b]
    assert "place resolved by alias, confidence 0.70" in popups[b]
    plain_tooltips, plain = point_markup(points)  # no details: no sources, and none said left out
    assert plain_tooltips == tooltips and plain[a] == popups[a].replace(
        "; sources left out of this map: narrow the dates", "")
    assert "Sources" not in plain[b] and plain[b].endswith("<small>place confidence 0.46</small>")


# -- hostile text -------------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '" onmouseover="alert(1)',
           "' onfocus='alert(1)", "</script><script>alert(1)</script>", "{{ 7*7 }}{% raw %}"]


def hostile_map() -> tuple[str, str]:
    """The rendered and the offline page of a map whose every text comes from a hostile article."""
    events = events_frame([(f"p{i}", category.value, i, i + 1, 0.9, "day")
                           for i, category in enumerate(Category)])
    events["name"] = [HOSTILE[i % len(HOSTILE)] + f" #{i}" for i in range(len(events))]
    events["country"] = HOSTILE[2]
    n = len(events)
    sources = pd.DataFrame({
        "event_key": events["event_key"], "outlet": [HOSTILE[(i + 1) % len(HOSTILE)] for i in range(n)],
        "url": ["javascript:alert(1)", 'https://ok.example/a?x=1&y=" onclick="alert(1)',
                "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:alert(1)", "//evil.example/x"][:n],
        "published": [DAY] * n, "mention": HOSTILE[:1] * n,
        "sentence": [HOSTILE[(i + 2) % len(HOSTILE)] + " and more" for i in range(n)],
        "method": [HOSTILE[(i + 3) % len(HOSTILE)] for i in range(n)], "confidence": [0.5] * n})
    m = build_map(aggregate_points(events), boundaries=tiny_boundaries(), details=sources_by_point(sources),
                  title="</title><script>alert(1)</script>{{ 7*7 }}")
    return m.get_root().render(), offline_html(m)


@pytest.mark.parametrize("page", hostile_map(), ids=["render", "offline"])
def test_hostile_text_never_reaches_the_page_unescaped(page: str) -> None:
    for text in [*HOSTILE, "<img", "javascript:", "JaVaScRiPt:", "data:text/html", "49"]:
        if text == "49":
            assert "{{ 7*7 }}" not in page and "&#123;&#123; 7*7 &#125;&#125;" in page  # not evaluated
            continue
        assert text not in page, text
    assert "alert(1)</script>" not in page
    assert page.count("<script") == page.count("</script>")  # nothing closed or opened a script early
    # the one http(s) URL is linked with its quotes escaped (inside the JSON data: href=\"...\"),
    # the javascript:, data: and protocol-relative ones are not linked at all
    assert 'href=\\"https://ok.example/a?x=1&amp;y=&quot; onclick=&quot;alert(1)\\"' in page
    assert page.count('href=\\"') == 1


def test_safe_url_only_allows_absolute_http() -> None:
    assert safe_url("http://a.example/x") == "http://a.example/x"
    assert safe_url("HTTPS://a.example") == "HTTPS://a.example"
    for url in ["javascript:alert(1)", " https://a.example", "java\nscript:alert(1)", "data:text/html,x",
                "//a.example", "/relative", "mailto:x@a.example", "https:///nohost", None, 3]:
        assert safe_url(url) is None, url


def test_script_json_cannot_close_the_script() -> None:
    value = ["</script><!--<script>", "</SCRIPT >", "\u2028", "<b>"]
    text = script_json(value)
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == value


# -- the map ------------------------------------------------------------------------------------------

def small_map(**options: object) -> str:
    events = events_frame([("a", "diplomacy", 0, 2, 0.9, "day"), ("b", "front_line", 1, 1, 0.5, "day")])
    return build_map(aggregate_points(events), **{"boundaries": tiny_boundaries(), **options}) \
        .get_root().render()


def test_basemap_none_adds_no_tile_layer() -> None:
    page = small_map(basemap="none")
    assert "L.tileLayer" not in page and "tile_layer" not in page
    assert "background: #" in page  # a plain background instead
    assert "L.tileLayer" in small_map(basemap="OpenStreetMap")
    assert "basemaps.cartocdn.com" in small_map(basemap="CartoDB positron")
    with pytest.raises(ValueError, match="basemap"):
        small_map(basemap="Stamen")
    assert set(BASEMAPS) == {"none", "OpenStreetMap", "CartoDB positron"}


def test_boundaries_layer_with_crimea_dashed_and_explained() -> None:
    page = small_map()
    assert page.count("L.geoJson(") == 1
    assert CRIMEA_NOTE in page and '"dashArray":"5 4"' in page
    assert "L.geoJson(" not in small_map(boundaries=None)


def test_real_boundaries_render() -> None:
    page = small_map(boundaries=load_boundaries(), view="ukraine")
    assert page.count("L.geoJson(") == 1 and CRIMEA_NOTE in page
    assert "[[44.0, 22.0], [52.5, 40.5]]" in page  # fitted to REGIONS["ukraine"], as [[lat, lon], ...]


def test_one_circle_per_point_in_one_layer_per_category() -> None:
    page = small_map()
    assert page.count("L.featureGroup(") == 2 and page.count("L.circleMarker(") == 2  # one loop each
    assert CATEGORY_STYLES[Category.DIPLOMACY].colour in page
    assert "L.control.layers(" in page


def test_legend_present() -> None:
    page = small_map(title="Week 2")
    assert 'class="crisis-map-legend"' in page and "Week 2" in page
    assert CATEGORY_STYLES[Category.FRONT_LINE].label in page
    assert "<script" not in legend_html(list(Category), title="<script>")


def test_points_beyond_the_cap_are_counted_in_the_legend() -> None:
    events = events_frame([(f"p{i}", "other", 0, 1 + i % 3, 0.9, "day") for i in range(12)])
    page = build_map(aggregate_points(events), boundaries=None, max_points=5).get_root().render()
    assert "7 more points with fewer reports not shown" in page
    assert MAX_POINTS >= 1_000


def test_only_the_most_reported_points_carry_sources() -> None:
    events = events_frame([(f"p{i}", "other", 0, 10 - i, 0.9, "day") for i in range(4)])
    points = aggregate_points(events)
    sources = pd.DataFrame({"event_key": events["event_key"], "outlet": "AP",
                            "url": [f"https://ap.example/{i}" for i in range(4)], "published": DAY,
                            "mention": "x", "sentence": "s", "method": "gazetteer", "confidence": 0.9})
    page = build_map(points, boundaries=None, details=sources_by_point(sources), max_detailed=2) \
        .get_root().render()
    assert "https://ap.example/0" in page and "https://ap.example/1" in page
    assert "https://ap.example/2" not in page and page.count("sources left out of this map") == 2


def test_streamlit_folium_renders_the_layers_it_finds() -> None:
    """streamlit-folium renders each element's script macro itself, not through Figure.render."""
    streamlit_folium = pytest.importorskip("streamlit_folium")
    events = events_frame([("a", "diplomacy", 0, 2, 0.9, "day")])
    m = build_map(aggregate_points(events), boundaries=tiny_boundaries())
    m.get_root().render()
    script = streamlit_folium.generate_leaflet_string(m)
    assert "L.circleMarker(" in script and "L.geoJson(" in script and "Name of a" in script


def test_unknown_view_raises() -> None:
    with pytest.raises(ValueError, match="view"):
        small_map(view="narnia")


# -- offline ------------------------------------------------------------------------------------------

def test_offline_html_loads_nothing_from_the_network() -> None:
    events = events_frame([("a", "migration", 0, 2, 0.9, "day")])
    page = offline_html(build_map(aggregate_points(events), boundaries=tiny_boundaries()))
    tags = re.findall(r"<(?:script|link)\b[^>]*>", page, re.IGNORECASE)
    for tag in tags:
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", tag, re.IGNORECASE), tag
    assert "Leaflet 1.9.4" in page and ".leaflet-container" in page  # inlined JS and CSS
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "$(" not in page.split("L.version", 1)[-1]  # no jQuery call in our own script either


def test_map_of_100k_events_stays_small() -> None:
    rng = np.random.default_rng(5)
    n = 100_000
    place = rng.integers(0, 20_000, n)
    categories = np.array([c.value for c in Category])[rng.integers(0, len(Category), n)]
    days = DAY + pd.to_timedelta(rng.integers(0, 120, n), unit="D")
    events = pd.DataFrame({
        "event_key": [f"syn:{p}|{c}|{i}" for i, (p, c) in enumerate(zip(place, categories, strict=True))],
        "place_id": [f"syn:{p}" for p in place], "name": [f"Place{p:05d}" for p in place],
        "lat": 44 + (place % 160) / 10, "lon": 20 + (place // 160) / 6, "country": "UA",
        "category": categories, "event_date": days, "date_precision": "day",
        "source_count": rng.integers(1, 4, n), "article_count": 1, "confidence": rng.random(n)})
    points = aggregate_points(events)
    assert points["reports"].sum() == events["source_count"].sum()
    page = offline_html(build_map(points, boundaries=load_boundaries()))
    assert len(page.encode()) < 3 * 2**20
    assert f"{len(points) - MAX_POINTS:,} more points" in page


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs a chromium binary")
def test_offline_page_draws_every_point_with_no_network(tmp_path: object) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    events = events_frame([(f"p{i}", Category(list(Category)[i % 5]).value, i % 3, 1, 0.9, "day")
                           for i in range(40)])
    events["name"] = HOSTILE[0]
    page_html = offline_html(build_map(aggregate_points(events), boundaries=tiny_boundaries()))
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("dialog", lambda dialog: (problems.append("dialog " + dialog.message), dialog.dismiss()))
        page.on("request", lambda request: problems.append(request.url)
                if not request.url.startswith(("data:", "about:")) else None)
        page.set_content(page_html)
        page.wait_for_timeout(300)
        circles = page.evaluate("""() => { const map = window[document.querySelector('.folium-map').id];
            let n = 0; map.eachLayer(l => { if (l instanceof L.CircleMarker) n++; }); return n; }""")
        browser.close()
    assert circles == 40 and problems == []
