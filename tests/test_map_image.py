"""Map images for slides (geo/map_image.py): size, content, legend, views, scale bar, hostile text."""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image
from pyproj import Geod
from shapely.geometry import box

from geo.boundaries import REGIONS, load_boundaries
from geo.folium_map import CRIMEA_NOTE
from geo.geodesy import distance_km
from geo.map_image import (
    ATTRIBUTION,
    FORMATS,
    NO_EVENTS_NOTE,
    map_figure,
    render_map_image,
    scale_bar,
)
from geo.map_points import aggregate_points
from geo.map_style import category_style
from geo.store import open_store
from geo.store_query import EVENT_COLUMNS

DAY = pd.Timestamp("2022-02-10")
# (place_id, name, lat, lon, category, reports)
PLACES = [
    ("kyiv", "Kyiv", 50.45, 30.52, "diplomacy", 9),
    ("kyiv", "Kyiv", 50.45, 30.52, "other", 2),
    ("avdiivka", "Avdiivka", 48.14, 37.74, "front_line", 5),
    ("riga", "Riga", 56.95, 24.11, "deployment", 3),
    ("kuznica", "Kuźnica", 53.51, 23.65, "migration", 4),
    ("washington", "Washington", 38.90, -77.04, "diplomacy", 20),
]
SMALL = {"width_in": 4.0, "height_in": 3.0, "dpi": 60}  # fast renders where pixels do not matter


def events_of(places: list[tuple[str, str, float, float, str, int]]) -> pd.DataFrame:
    """A Store.query-like frame: one event per (place, category), on DAY."""
    records = [{"event_key": f"{pid}|{category}|{DAY.date().isoformat()}", "place_id": pid, "name": name,
                "lat": lat, "lon": lon, "country": "", "admin1": "", "precision": "settlement",
                "category": category, "event_date": DAY, "date_precision": "day", "source_count": reports,
                "article_count": 1, "first_seen": DAY, "confidence": 0.9}
               for pid, name, lat, lon, category, reports in places]
    return pd.DataFrame.from_records(records, columns=list(EVENT_COLUMNS))


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    return aggregate_points(events_of(PLACES))


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return load_boundaries()


def tiny_boundaries() -> gpd.GeoDataFrame:
    """A country and an occupied area, shaped as load_boundaries() returns them."""
    return gpd.GeoDataFrame({"iso_a2": ["UA", "UA"], "name": ["Ukraine", "Crimea"],
                             "status": ["", "occupied since 2014"]},
                            geometry=[box(22, 44, 40, 52), box(32.5, 44.4, 36.6, 46.2)], crs="EPSG:4326")


def drawn_points(fig: Figure) -> dict[str, list[tuple[float, float]]]:
    """(lon, lat) of the circles drawn per category layer."""
    ax = fig.axes[0]
    layers = [c for c in ax.collections if isinstance(c, PathCollection)]
    return {c.get_gid().removeprefix("points-"): [tuple(xy) for xy in c.get_offsets().tolist()]
            for c in layers if (c.get_gid() or "").startswith("points-")}


def texts_with_gid(fig: Figure, gid: str) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: a.get_gid() == gid)]  # type: ignore[attr-defined]


def png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


# -- PNG: size, content, legend ----------------------------------------------------------------------

@pytest.mark.parametrize(("width_in", "height_in", "dpi"), [(10.0, 7.5, 150), (6.0, 4.0, 100)])
def test_png_has_the_requested_pixels(points: pd.DataFrame, boundaries: gpd.GeoDataFrame, width_in: float,
                                      height_in: float, dpi: int) -> None:
    data = render_map_image(points, view="ukraine", title="Ukraine", subtitle="2022-02-10 – 2022-02-20",
                            fmt="png", boundaries=boundaries, width_in=width_in, height_in=height_in, dpi=dpi)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).size == (round(width_in * dpi), round(height_in * dpi))


def test_png_is_not_blank(points: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> None:
    pixels = png_pixels(render_map_image(points, view="theatre", title="Theatre", subtitle="all dates",
                                         fmt="png", boundaries=boundaries))
    distinct = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(distinct) > 200  # land, sea, borders, circles, anti-aliased text
    assert pixels.std() > 20
    white = (pixels == 255).all(axis=2).mean()
    assert 0.1 < white < 0.9  # margins and legend are white, the map is not


def test_legend_names_each_category_with_counts(points: pd.DataFrame) -> None:
    fig = map_figure(points, view="ukraine", title="T", subtitle="S", boundaries=tiny_boundaries())
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    # in view: Kyiv (diplomacy 9, other 2), Avdiivka (front line 5); Riga, Kuźnica, Washington are not
    assert labels[:3] == [
        f"{category_style('front_line').glyph} Front line / fighting\n1 place · 5 reports",
        f"{category_style('diplomacy').glyph} Diplomacy\n1 place · 9 reports",
        f"{category_style('other').glyph} Other\n1 place · 2 reports"]
    assert labels[3:5] == ["1 report", "9 reports"]  # the size key: the smallest and the biggest circle
    assert labels[5].replace("\n", " ") == CRIMEA_NOTE + " (dashed outline)"
    assert legend.get_title().get_text().startswith("Events")


def test_legend_colours_are_drawn_in_the_legend_box_of_the_png(points: pd.DataFrame) -> None:
    """The PNG shows each category's colour inside the legend's box, and not the colour of a category
    that is not in view."""
    options = {"width_in": 8.0, "height_in": 6.0}
    dpi = 100
    data = render_map_image(points, view="ukraine", title="T", subtitle="S", fmt="png", boundaries=None,
                            dpi=dpi, **options)
    pixels = png_pixels(data).astype(int)
    fig = map_figure(points, view="ukraine", title="T", subtitle="S", boundaries=None, **options)
    fig.set_dpi(dpi)
    fig.canvas.draw()
    box_ = fig.legends[0].get_window_extent()
    top = pixels.shape[0] - round(box_.y1)  # display y grows upwards, image rows downwards
    region = pixels[top:pixels.shape[0] - round(box_.y0), round(box_.x0):round(box_.x1)]
    assert region.size > 0

    def has(colour: str) -> bool:
        rgb = np.array([round(255 * c) for c in to_rgb(colour)])
        return bool((np.abs(region - rgb).max(axis=2) <= 2).sum() >= 20)

    for category in ("front_line", "diplomacy", "other"):
        assert has(category_style(category).colour), category
    assert not has(category_style("deployment").colour)  # Riga is not in view


# -- views, points, scale bar ------------------------------------------------------------------------

def test_each_view_has_its_own_extent(points: pd.DataFrame) -> None:
    extents = {}
    for view, bbox in REGIONS.items():
        ax = map_figure(points, view=view, title=view, subtitle="", boundaries=None, **_size()).axes[0]
        extents[view] = (*ax.get_xlim(), *ax.get_ylim())
        assert extents[view] == pytest.approx((bbox[0], bbox[2], bbox[1], bbox[3]))
    assert len(set(extents.values())) == len(REGIONS)


def test_a_bbox_view_works_and_a_bad_one_raises(points: pd.DataFrame) -> None:
    fig = map_figure(points, view=(23.0, 53.0, 25.0, 57.5), title="", subtitle="", boundaries=None)
    assert drawn_points(fig) == {"migration": [(23.65, 53.51)], "deployment": [(24.11, 56.95)]}
    with pytest.raises(ValueError, match="unknown view"):
        render_map_image(points, view="atlantis", title="", subtitle="", fmt="png", boundaries=None)
    with pytest.raises(ValueError, match="view box"):
        render_map_image(points, view=(30.0, 50.0, 20.0, 55.0), title="", subtitle="", fmt="png",
                         boundaries=None)


def test_the_map_keeps_the_local_aspect_ratio(points: pd.DataFrame) -> None:
    """On screen a degree of latitude is 1 / cos(lat0) degrees of longitude long, lat0 the view's centre."""
    for view, (min_lon, min_lat, max_lon, max_lat) in REGIONS.items():
        fig = map_figure(points, view=view, title="", subtitle="", boundaries=None)
        fig.canvas.draw()
        box_ = fig.axes[0].get_window_extent()
        expected = (max_lat - min_lat) / (max_lon - min_lon) / np.cos(np.radians((min_lat + max_lat) / 2))
        assert box_.height / box_.width == pytest.approx(expected, rel=0.01), view


def test_points_outside_the_view_are_not_drawn(points: pd.DataFrame) -> None:
    drawn = drawn_points(map_figure(points, view="baltic", title="", subtitle="", boundaries=None))
    assert drawn == {"deployment": [(24.11, 56.95)], "migration": [(23.65, 53.51)]}  # Riga, Kuźnica
    theatre = drawn_points(map_figure(points, view="theatre", title="", subtitle="", boundaries=None))
    assert sum(len(xy) for xy in theatre.values()) == len(points) - 1  # all but Washington


def test_other_is_drawn_underneath_and_big_circles_first() -> None:
    places = [("a", "A", 50.0, 30.0, "diplomacy", 1), ("b", "B", 50.5, 31.0, "diplomacy", 30),
              ("c", "C", 49.0, 29.0, "other", 50)]
    ax = map_figure(aggregate_points(events_of(places)), view="ukraine", title="", subtitle="",
                    boundaries=None).axes[0]
    layers = {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("points-")}
    assert layers["points-other"].get_zorder() < layers["points-diplomacy"].get_zorder()
    sizes = layers["points-diplomacy"].get_sizes()
    assert sizes[0] > sizes[1]  # area grows with reports; the biggest is drawn first, underneath


@pytest.mark.parametrize("view", sorted(REGIONS))
def test_scale_bar_length_matches_geodesy(points: pd.DataFrame, view: str) -> None:
    fig = map_figure(points, view=view, title="", subtitle="", boundaries=None)
    (line,) = [a for a in fig.findobj(Line2D) if a.get_gid() == "scale-bar"]
    (lon_start, lon_end), (lat, lat_end) = line.get_xdata(), line.get_ydata()
    assert lat == lat_end
    (label,) = texts_with_gid(fig, "scale-bar-label")
    km = float(label.removesuffix(" km").replace(",", ""))
    assert km == scale_bar(REGIONS[view]).km
    assert distance_km(lat, lon_start, lat, lon_end) == pytest.approx(km, rel=1e-9)  # the sphere
    _, _, metres = Geod(ellps="WGS84").inv(lon_start, lat, lon_end, lat)
    assert metres / 1000 == pytest.approx(km, rel=0.005)  # and the ellipsoid, independently
    min_lon, min_lat, max_lon, max_lat = REGIONS[view]
    assert min_lon < lon_start < lon_end < max_lon and min_lat < lat < max_lat
    assert 0.05 < (lon_end - lon_start) / (max_lon - min_lon) <= 0.25 * 1.01


def test_crimea_is_dashed_and_noted_only_where_it_is_in_view(points: pd.DataFrame,
                                                             boundaries: gpd.GeoDataFrame) -> None:
    fig = map_figure(points, view="ukraine", title="", subtitle="", boundaries=boundaries)
    (status,) = [c for c in fig.axes[0].collections if c.get_gid() == "status"]
    _, dashes = status.get_linestyle()[0]
    assert dashes  # a dash pattern, not a solid line
    legend_text = " ".join(t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts())
    assert CRIMEA_NOTE in legend_text
    baltic = map_figure(points, view="baltic", title="", subtitle="", boundaries=boundaries)
    assert not [c for c in baltic.axes[0].collections if c.get_gid() == "status"]
    assert CRIMEA_NOTE not in " ".join(t.get_text() for t in baltic.legends[0].get_texts())


def test_title_subtitle_attribution_and_place_labels(points: pd.DataFrame,
                                                      boundaries: gpd.GeoDataFrame) -> None:
    fig = map_figure(points, view="ukraine", title="Ukraine, week 7", subtitle="2022-02-10 – 2022-02-16",
                     boundaries=boundaries)
    assert texts_with_gid(fig, "title") == ["Ukraine, week 7"]
    assert texts_with_gid(fig, "subtitle") == ["2022-02-10 – 2022-02-16"]
    assert texts_with_gid(fig, "attribution") == [ATTRIBUTION]
    assert set(texts_with_gid(fig, "place-label")) == {"Kyiv", "Avdiivka"}
    assert "UKRAINE" in texts_with_gid(fig, "country-label")


def test_no_points_still_gives_a_map_with_a_note(boundaries: gpd.GeoDataFrame) -> None:
    empty = aggregate_points(events_of([]))
    fig = map_figure(empty, view="belarus", title="Belarus", subtitle="", boundaries=boundaries)
    assert texts_with_gid(fig, "no-events") == [NO_EVENTS_NOTE]
    assert not drawn_points(fig)
    pixels = png_pixels(render_map_image(empty, view="belarus", title="Belarus", subtitle="", fmt="png",
                                         boundaries=boundaries))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # land and borders are still drawn
    # points, but none in view: the same note
    far = map_figure(aggregate_points(events_of(PLACES[-1:])), view="belarus", title="", subtitle="",
                     boundaries=None)
    assert texts_with_gid(far, "no-events") == [NO_EVENTS_NOTE]


# -- formats and hostile text ------------------------------------------------------------------------

def test_unknown_format_or_size_raises(points: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown image format"):
        render_map_image(points, view="ukraine", title="", subtitle="", fmt="gif", boundaries=None)
    with pytest.raises(ValueError, match="pixels"):
        render_map_image(points, view="ukraine", title="", subtitle="", fmt="png", boundaries=None, dpi=0)
    with pytest.raises(ValueError, match="pixels"):
        render_map_image(points, view="ukraine", title="", subtitle="", fmt="png", boundaries=None,
                         width_in=100, dpi=300)


def test_pdf_is_a_pdf(points: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> None:
    data = render_map_image(points, view="baltic", title="Baltic", subtitle="", fmt="pdf",
                            boundaries=boundaries)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


HOSTILE_TITLE = 'Costs $5 and $6 <script>alert("x")</script> & <b>more</b> $\\frac{1}{2}$'


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)  # well-formed XML or this raises
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() == "script"]
    return ["".join(el.itertext()) for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "text"]


def test_svg_is_xml_with_the_title_as_literal_text_and_no_script(points: pd.DataFrame,
                                                                boundaries: gpd.GeoDataFrame) -> None:
    hostile = aggregate_points(events_of([("x", "<script>alert(1)</script> $x^2$", 46.5, 30.7, "other", 3)]))
    data = render_map_image(pd.concat([points, hostile], ignore_index=True), view="ukraine",
                            title=HOSTILE_TITLE, subtitle="$1 – $2", fmt="svg", boundaries=boundaries)
    assert b"<script" not in data
    texts = svg_texts(data)
    assert HOSTILE_TITLE in texts  # literally: no mathtext, no markup
    assert "$1 – $2" in texts
    assert "<script>alert(1)</script> $x^2$" in texts  # the place name, escaped by the SVG writer


def test_dollar_signs_render_literally_in_png_and_pdf(points: pd.DataFrame) -> None:
    for fmt in ("png", "pdf"):  # an odd number of '$' would make mathtext raise
        assert render_map_image(points, view="ukraine", title="Costs $5", subtitle="$", fmt=fmt,
                                boundaries=None, **SMALL)
    fig = map_figure(points, view="ukraine", title=HOSTILE_TITLE, subtitle="", boundaries=None)
    (title,) = fig.findobj(lambda a: a.get_gid() == "title")  # type: ignore[attr-defined]
    assert title.get_text() == HOSTILE_TITLE and not title.get_parse_math()


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # any text: glyphs DejaVu lacks
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=120), name=st.text(max_size=60))
def test_any_text_gives_valid_images(title: str, name: str) -> None:
    points = aggregate_points(events_of([("p", name, 50.0, 30.0, "diplomacy", 2)]))
    svg = render_map_image(points, view="ukraine", title=title, subtitle=name, fmt="svg", boundaries=None,
                           **SMALL)
    svg_texts(svg)
    assert render_map_image(points, view="ukraine", title=title, subtitle=name, fmt="png", boundaries=None,
                            **SMALL).startswith(b"\x89PNG")


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_same_bytes(points: pd.DataFrame, fmt: str) -> None:
    """No dates in the metadata and fixed SVG ids: images can be compared and committed."""
    first, second = (render_map_image(points, view="belarus", title="Belarus", subtitle="", fmt=fmt,
                                      boundaries=tiny_boundaries(), **SMALL) for _ in range(2))
    assert first == second


# -- the seeds, end to end ---------------------------------------------------------------------------

def test_seed_store_theatre_png_within_three_seconds(seed_store_path: Path) -> None:
    """Issue 6: <= 3 s for the seeds, boundaries included (read from disk here if not cached yet)."""
    with open_store(seed_store_path) as store:
        events = store.query()
    started = time.perf_counter()
    points = aggregate_points(events)
    data = render_map_image(points, view="theatre", title="Crisis Map: the seed articles",
                            subtitle="2021-04-01 – 2022-02-20", fmt="png", boundaries=load_boundaries())
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0
    assert Image.open(io.BytesIO(data)).size == (1500, 1125)
    fig = map_figure(points, view="theatre", title="", subtitle="", boundaries=load_boundaries())
    assert {"Kyiv", "Moscow"} <= set(texts_with_gid(fig, "place-label"))
    assert set(drawn_points(fig)) == {"deployment", "front_line", "diplomacy", "migration", "other"}


def _size() -> dict[str, float]:
    return {"width_in": 10.0, "height_in": 7.5}
