"""Static map images for slides and briefings: PNG, SVG or PDF, drawn offline from the boundaries.

Issue 6: "PNG / SVG / PDF for slides, rendered offline from the boundaries (no tiles): title, date
window, legend, scale bar, attribution; the Ukraine / Belarus / Baltic / theatre views; <= 3 s for the
seeds." `render_map_image` draws the same things as the Leaflet map (`geo.folium_map.build_map`): the
country polygons, the Crimea overlay dashed and explained, one circle per (place, category) point sized
and coloured as there (`geo.map_points.point_radius`, `geo.map_style.category_style`), "other"
underneath, and a legend with counts.

Projection: plain longitude/latitude (equirectangular) with the aspect ratio corrected at the view's
centre latitude, ``1 / cos(lat0)``, so shapes look right in the middle of the map; away from it the
east-west scale drifts (by cos(lat) / cos(lat0)). The scale bar is therefore measured along its own
latitude, where it is drawn: its length is the great-circle distance between its ends
(`geo.geodesy.distance_km`), not a figure true everywhere on the map.

Thread safety: no pyplot. Each call builds its own `matplotlib.figure.Figure` on an Agg canvas, so
concurrent Streamlit sessions share no figure state. Two SVG options exist only as rcParams (text kept
as text, a fixed id salt for stable output); they are set around the SVG write under a module lock.

Untrusted text (the title, the subtitle, place names from articles) never reaches mathtext or TeX
(``parse_math=False, usetex=False`` on every text), loses control characters (which would make the
SVG invalid XML), and is shortened; matplotlib's SVG writer escapes ``<`` and ``&`` itself.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry.polygon import orient

from geo.boundaries import BBox, view_box
from geo.geodesy import EARTH_RADIUS_KM
from geo.map_points import point_radius
from geo.map_style import (
    BACKGROUND,
    BORDER_COLOUR,
    LAND_COLOUR,
    STATUS_EDGE_COLOUR,
    STATUS_FILL_COLOUR,
    STATUS_FILL_OPACITY,
    STATUS_NOTES,
    category_style,
    count_phrase,
)
from geo.models import Category

__all__ = ["ATTRIBUTION", "FORMATS", "MAX_PIXELS_PER_SIDE", "NO_EVENTS_NOTE", "ScaleBar", "fit_axes_box",
           "map_figure", "render_map_image", "scale_bar"]

FORMATS = ("png", "svg", "pdf")
# data/README.md: boundaries are Natural Earth (via world-atlas); places are GeoNames points, admin-1
# points from the countries-states-cities database (ODbL 1.0 asks produced works to credit it)
ATTRIBUTION = ("Boundaries: Natural Earth · Places: GeoNames, countries-states-cities-database · "
               "Crisis Map")
NO_EVENTS_NOTE = "No events in this view and date window"
MAX_PIXELS_PER_SIDE = 10_000  # a PNG side; more is a mistake or an attempt to exhaust memory

_STATUS_FILL = to_rgba(STATUS_FILL_COLOUR, STATUS_FILL_OPACITY)
_TEXT = "#222222"
_MUTED = "#5a6570"

# figure layout, in fractions of the figure: title band on top, map on the left, legend to its right
_MAP_REGION = (0.03, 0.07, 0.66, 0.82)  # left, bottom, width, height
_LEGEND_GAP = 0.015
_LEGEND_FONT = 8.5  # points
# folium radii are CSS pixels (1/96 in); matplotlib sizes are points (1/72 in)
_POINTS_PER_PX = 72 / 96
_FILL_ALPHA = 0.55  # as the Leaflet circles
_PLACE_LABELS = 8  # the most reported places get their name on the map ...
_LABEL_SPACING = 0.05  # ... unless a labelled place is nearer than this share of the map's width
_MIN_COUNTRY_SHARE = 0.03  # a country is labelled if it covers this share of the view
_MAX_TITLE_CHARS = 90
_MAX_NAME_CHARS = 40

_RC_LOCK = threading.Lock()
_METADATA: dict[str, dict[str, Any]] = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TEXT_OPTIONS: dict[str, Any] = {"parse_math": False, "usetex": False}
# a light box behind labels, so they read on land, sea and circles; not a stroked halo, which would turn
# the text into outlines in the SVG (path effects draw text as paths)
_LABEL_BOX: dict[str, Any] = {"boxstyle": "round,pad=0.12", "facecolor": (1, 1, 1, 0.72), "edgecolor": "none"}


@dataclass(frozen=True, slots=True)
class ScaleBar:
    """A horizontal scale bar: from (lon_start, lat) to (lon_end, lat), `km` long along the great circle."""

    lon_start: float
    lon_end: float
    lat: float
    km: float


def scale_bar(extent: BBox, *, at: tuple[float, float] = (0.04, 0.06), max_share: float = 0.25) -> ScaleBar:
    """The scale bar of a map showing `extent`: a round length (1, 2 or 5 × 10^n km) at most `max_share`
    of the map's width, starting at `at` (fractions of the extent from its lower-left corner).

    The ends lie on one parallel, so the longitude span of d km at latitude φ is exactly
    ``2 asin(sin(d / 2R) / cos φ)`` (the haversine formula solved for Δλ with Δφ = 0).

    >>> bar = scale_bar((22.0, 44.0, 40.5, 52.5))
    >>> bar.km, round(bar.lon_end - bar.lon_start, 3), round(bar.lat, 2)
    (200.0, 2.522, 44.51)
    """
    min_lon, min_lat, max_lon, max_lat = extent
    lon = min_lon + at[0] * (max_lon - min_lon)
    lat = min_lat + at[1] * (max_lat - min_lat)
    cos_lat = math.cos(math.radians(lat))
    km_per_degree = math.radians(1.0) * EARTH_RADIUS_KM * cos_lat
    longest = max_share * (max_lon - min_lon) * km_per_degree
    power = 10.0 ** math.floor(math.log10(longest))
    km = max(step * power for step in (1.0, 2.0, 5.0) if step * power <= longest)
    span = 2 * math.asin(min(1.0, math.sin(km / (2 * EARTH_RADIUS_KM)) / cos_lat))
    return ScaleBar(lon, lon + math.degrees(span), lat, km)


def fit_axes_box(extent: BBox, region: tuple[float, float, float, float],
                 figsize: tuple[float, float]) -> tuple[float, float, float, float]:
    """The largest box (left, bottom, width, height; figure fractions) inside `region` that shows
    `extent` with one degree of latitude 1 / cos(lat0) times as long as one of longitude.

    Left-aligned, so the legend can sit right of the map whatever its shape; a wide map is centred
    vertically in the region.

    >>> fit_axes_box((0.0, -10.0, 20.0, 10.0), (0.0, 0.0, 1.0, 1.0), (4.0, 2.0))  # 20° x 20° at the equator
    (0.0, 0.0, 0.5, 1.0)
    >>> fit_axes_box((0.0, -5.0, 20.0, 5.0), (0.0, 0.0, 1.0, 1.0), (2.0, 2.0))  # 20° x 10°
    (0.0, 0.25, 1.0, 0.5)
    """
    min_lon, min_lat, max_lon, max_lat = extent
    left, bottom, width, height = region
    width_in, height_in = width * figsize[0], height * figsize[1]
    shape = (max_lat - min_lat) * _aspect(extent) / (max_lon - min_lon)  # map height / map width
    if width_in * shape <= height_in:
        fitted_height = width_in * shape / figsize[1]
        return (left, bottom + (height - fitted_height) / 2, width, fitted_height)
    return (left, bottom, height_in / shape / figsize[0], height)


def map_figure(points: pd.DataFrame, *, view: str | BBox, title: str, subtitle: str,
               boundaries: gpd.GeoDataFrame | None, width_in: float = 10.0, height_in: float = 7.5
               ) -> Figure:
    """The map as a matplotlib Figure on an Agg canvas (what `render_map_image` saves), for callers
    that want to add to it or inspect it.

    Artists carry gids for tests and for styling the SVG: "land", "status", "points-<category>",
    "scale-bar", "scale-bar-label", "no-events", "title", "subtitle", "attribution".
    """
    extent = view_box(view)
    if width_in <= 0 or height_in <= 0:
        raise ValueError(f"the figure needs a positive size, not {width_in} x {height_in} in")
    fig = Figure(figsize=(width_in, height_in), facecolor="white")
    FigureCanvasAgg(fig)  # attaches itself to the figure
    ax = fig.add_axes(fit_axes_box(extent, _MAP_REGION, (width_in, height_in)))
    min_lon, min_lat, max_lon, max_lat = extent
    ax.set_xlim(min_lon, max_lon)
    ax.set_ylim(min_lat, max_lat)
    ax.set_aspect(_aspect(extent), adjustable="box", anchor="NW")
    ax.set_facecolor(BACKGROUND)  # sea
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(BORDER_COLOUR)

    notes = _draw_boundaries(ax, boundaries, extent) if boundaries is not None else []
    shown = _points_in(points, extent)
    handles, labels = _draw_points(ax, shown)
    _label_places(ax, shown, boundaries)
    if shown.empty:
        ax.text(0.5, 0.5, NO_EVENTS_NOTE, transform=ax.transAxes, ha="center", va="center", fontsize=12,
                color=_TEXT, gid="no-events", zorder=6,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": BORDER_COLOUR,
                      "alpha": 0.9},
                **_TEXT_OPTIONS)
    _draw_scale_bar(ax, scale_bar(extent))

    fig.text(0.03, 0.975, _plain(title, _MAX_TITLE_CHARS), ha="left", va="top", fontsize=16,
             fontweight="bold", color=_TEXT, gid="title", **_TEXT_OPTIONS)
    fig.text(0.03, 0.925, _plain(subtitle, _MAX_TITLE_CHARS), ha="left", va="top", fontsize=11,
             color=_MUTED, gid="subtitle", **_TEXT_OPTIONS)
    fig.text(0.97, 0.018, ATTRIBUTION, ha="right", va="bottom", fontsize=7, color=_MUTED, gid="attribution",
             **_TEXT_OPTIONS)
    for note in notes:
        handles.append(Patch(facecolor=_STATUS_FILL, edgecolor=STATUS_EDGE_COLOUR, linestyle="--",
                             linewidth=1.2))
        labels.append(textwrap.fill(note + " (dashed outline)", 34))
    if handles:
        box = ax.get_position()
        # the handle column as wide as the biggest circle of the size key, so no circle covers its label
        widest = max((h.get_markersize() for h in handles if isinstance(h, Line2D)), default=0.0)
        legend = fig.legend(handles, labels, loc="upper left", fontsize=_LEGEND_FONT,
                            title="Events (circle area ∝ reports)", title_fontsize=10, alignment="left",
                            frameon=True, framealpha=0.95, edgecolor="#999999", labelspacing=0.9,
                            borderpad=0.8, handletextpad=0.8, handlelength=max(2.0, widest / _LEGEND_FONT),
                            bbox_to_anchor=(box.x1 + _LEGEND_GAP, box.y1))
        _plain_legend_text(legend)
    return fig


def render_map_image(points: pd.DataFrame, *, view: str | BBox, title: str, subtitle: str, fmt: str,
                     boundaries: gpd.GeoDataFrame | None, width_in: float = 10.0, height_in: float = 7.5,
                     dpi: int = 150) -> bytes:
    """The map of `points` (`geo.map_points.aggregate_points`) as PNG, SVG or PDF bytes, for slides.

    `view` is a name in `geo.boundaries.REGIONS` or a (min_lon, min_lat, max_lon, max_lat) box; points
    outside it are not drawn. `title` heads the image and `subtitle` (e.g. the date window,
    `EventFilter.title()`) goes under it; both may hold any text. `boundaries` (`load_boundaries()`, or
    None for points on a plain background). A PNG is exactly ``width_in * dpi`` by ``height_in * dpi``
    pixels; the bytes are the same for the same input (no dates in the metadata, fixed SVG ids).
    Raises ValueError for an unknown `fmt` or view, or a size that is not positive or over
    MAX_PIXELS_PER_SIDE pixels a side.

    >>> empty = pd.DataFrame({"lat": [], "lon": [], "category": [], "reports": []})
    >>> render_map_image(empty, view="baltic", title="T", subtitle="", fmt="png", boundaries=None,
    ...                  width_in=2, height_in=1.5, dpi=50)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; choose one of {FORMATS}")
    if dpi <= 0 or max(width_in, height_in) * dpi > MAX_PIXELS_PER_SIDE:
        raise ValueError(f"{width_in} x {height_in} in at {dpi} dpi: each side must be 1 to "
                         f"{MAX_PIXELS_PER_SIDE:,} pixels")
    fig = map_figure(points, view=view, title=title, subtitle=subtitle, boundaries=boundaries,
                     width_in=width_in, height_in=height_in)
    buffer = io.BytesIO()
    if fmt == "svg":
        # svg.fonttype "none": text stays <text> (searchable, editable, readable by a test);
        # svg.hashsalt: element ids hashed from the content with a fixed salt, not uuid4 (stable bytes)
        with _RC_LOCK, mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "crisis-map"}):
            fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    else:
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return buffer.getvalue()


def _aspect(extent: BBox) -> float:
    """Length of a degree of latitude over one of longitude on screen: 1 / cos(centre latitude)."""
    return 1.0 / math.cos(math.radians((extent[1] + extent[3]) / 2))


def _plain(text: str, limit: int) -> str:
    """Untrusted text made safe to draw: control characters and lone surrogates dropped (invalid in
    XML), whitespace runs made one space, at most `limit` characters.

    >>> _plain("Costs $5\\n\\x00and\\t$6", 40)
    'Costs $5 and $6'
    >>> _plain("x" * 50, 10)
    'xxxxxxxxx…'
    """
    text = _UNSAFE_CHARS.sub(" ", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cs")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _polygon_path(geometry: Any) -> MplPath | None:
    """One compound path of every ring of a (multi)polygon; exteriors counter-clockwise and holes
    clockwise, so holes stay empty under either fill rule."""
    vertices: list[np.ndarray[Any, Any]] = []
    codes: list[np.ndarray[Any, Any]] = []
    for part in shapely.get_parts(geometry):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        polygon = orient(part, sign=1.0)  # shapely.orient_polygons would need shapely 2.1
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            ring_codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            vertices.append(coords)
            codes.append(ring_codes)
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _draw_boundaries(ax: Axes, boundaries: gpd.GeoDataFrame, extent: BBox) -> list[str]:
    """Country polygons, the features with a status dashed on top; returns the notes of those in view."""
    if boundaries.empty:
        return []
    view = shapely.box(*extent)
    status = boundaries["status"].fillna("").astype(str).to_numpy() if "status" in boundaries else (
        np.full(len(boundaries), ""))
    names = boundaries["name"].fillna("").astype(str).tolist() if "name" in boundaries else [""] * len(status)
    geometries = boundaries.geometry.to_numpy()
    in_view = shapely.intersects(geometries, view)
    land, marked, notes = [], [], []
    for geometry, name, state, visible in zip(geometries, names, status, in_view, strict=True):
        path = _polygon_path(geometry) if visible else None
        if path is None:
            continue
        if state:
            marked.append(PathPatch(path))
            notes.append(STATUS_NOTES.get(name, f"{_plain(name, _MAX_NAME_CHARS)} — {_plain(state, 60)}"))
        else:
            land.append(PathPatch(path))
    ax.add_collection(PatchCollection(land, facecolor=LAND_COLOUR, edgecolor=BORDER_COLOUR, linewidth=0.6,
                                      zorder=1, gid="land"), autolim=False)
    if marked:
        ax.add_collection(PatchCollection(marked, facecolor=_STATUS_FILL, edgecolor=STATUS_EDGE_COLOUR,
                                          linewidth=1.2, linestyle=(0, (4, 3)), zorder=2, gid="status"),
                          autolim=False)
    _label_countries(ax, boundaries, geometries, names, status, extent)
    return list(dict.fromkeys(notes))


def _label_countries(ax: Axes, boundaries: gpd.GeoDataFrame, geometries: np.ndarray[Any, Any],
                     names: Sequence[str], status: np.ndarray[Any, Any], extent: BBox) -> None:
    """Names of the countries that fill a fair share of the view, at a point inside their visible part."""
    view_area = (extent[2] - extent[0]) * (extent[3] - extent[1])
    visible = shapely.clip_by_rect(geometries, *extent)
    areas = shapely.area(visible)
    for part, area, name, state in zip(visible, areas, names, status, strict=True):
        if state or not name or area < _MIN_COUNTRY_SHARE * view_area:
            continue
        spot = shapely.point_on_surface(part)
        ax.text(spot.x, spot.y, _plain(name, _MAX_NAME_CHARS).upper(), ha="center", va="center",
                fontsize=8, color="#9aa5ae", zorder=2.5, clip_on=True, gid="country-label", **_TEXT_OPTIONS)


def _points_in(points: pd.DataFrame, extent: BBox) -> pd.DataFrame:
    """The points with coordinates inside `extent` (edges included)."""
    if points.empty:
        return points
    lats = pd.to_numeric(points["lat"], errors="coerce").to_numpy(dtype=np.float64)
    lons = pd.to_numeric(points["lon"], errors="coerce").to_numpy(dtype=np.float64)
    inside = (lons >= extent[0]) & (lons <= extent[2]) & (lats >= extent[1]) & (lats <= extent[3])
    return points.loc[inside]


def _marker_size(radius: Any) -> np.ndarray[Any, Any]:
    """scatter's `s` (marker area in points²) for circles of `radius` CSS pixels: (2r in points)²."""
    return (2 * _POINTS_PER_PX * np.asarray(radius, dtype=np.float64)) ** 2


def _draw_points(ax: Axes, shown: pd.DataFrame) -> tuple[list[Artist], list[str]]:
    """One scatter layer per category, "other" first (underneath), the biggest circles first in each;
    returns the legend handles and labels: one per category, then the size key."""
    if shown.empty:
        return [], []
    reports = pd.to_numeric(shown["reports"], errors="coerce").fillna(1).to_numpy(dtype=np.float64)
    radius = (shown["radius"].to_numpy(dtype=np.float64) if "radius" in shown.columns
              else point_radius(reports))
    category = shown["category"].astype(str).to_numpy()
    present = set(category)
    known = [c.value for c in Category]
    ordered = [c for c in known if c in present] + sorted(present - set(known))
    lons, lats = shown["lon"].to_numpy(dtype=np.float64), shown["lat"].to_numpy(dtype=np.float64)
    handles: list[Artist] = []
    labels: list[str] = []
    for layer, name in enumerate(sorted(ordered, key=lambda c: c != Category.OTHER)):
        rows = np.flatnonzero(category == name)
        rows = rows[np.argsort(-reports[rows], kind="stable")]
        style = category_style(name)
        ax.scatter(lons[rows], lats[rows], s=_marker_size(radius[rows]),
                   facecolors=[to_rgba(style.colour, _FILL_ALPHA)],
                   edgecolors=[to_rgba(style.colour, 0.9)], linewidths=0.8, zorder=3 + layer / 10,
                   gid=f"points-{name}")
    for name in ordered:
        rows = np.flatnonzero(category == name)
        style = category_style(name)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=10, markerfacecolor=style.colour,
                              markeredgecolor=style.colour))  # solid: the legend names the colour
        total = int(reports[rows].sum())
        counts = f"{count_phrase(len(rows), 'place')} · {count_phrase(total, 'report')}"
        labels.append(f"{style.glyph} {style.label}\n{counts}")
    most = int(reports.max())
    for count in dict.fromkeys((1, most)):
        size = math.sqrt(float(_marker_size(point_radius([count]))[0]))
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=size, markerfacecolor="none",
                              markeredgecolor=_MUTED))
        labels.append(count_phrase(count, "report"))
    return handles, labels


def _label_places(ax: Axes, shown: pd.DataFrame, boundaries: gpd.GeoDataFrame | None) -> None:
    """The names of the most reported places in view (all categories together), beside their circles.

    Countries are left to the country labels; names are untrusted text (`_plain`).
    """
    if shown.empty or "name" not in shown.columns:
        return
    countries = (set() if boundaries is None or "name" not in boundaries
                 else set(boundaries["name"].astype(str)))
    key = shown["place_id"] if "place_id" in shown.columns else shown["name"]
    totals = (pd.DataFrame({"key": key.astype(str).to_numpy(), "name": shown["name"].astype(str).to_numpy(),
                            "lat": shown["lat"].to_numpy(dtype=np.float64),
                            "lon": shown["lon"].to_numpy(dtype=np.float64),
                            "reports": pd.to_numeric(shown["reports"], errors="coerce").fillna(0).to_numpy()})
              .groupby("key", sort=False)
              .agg(name=("name", "first"), lat=("lat", "first"), lon=("lon", "first"),
                   reports=("reports", "sum"))
              .sort_values("reports", ascending=False, kind="stable"))
    totals = totals.loc[~totals["name"].isin(countries)]
    # greedy: the most reported first, skipping places crowding one already labelled (on-screen distance)
    min_lon, max_lon = ax.get_xlim()
    min_lat, max_lat = ax.get_ylim()
    stretch = _aspect((min_lon, min_lat, max_lon, max_lat))
    spacing = _LABEL_SPACING * (max_lon - min_lon)
    chosen: list[tuple[str, float, float]] = []
    for name, lat, lon in zip(totals["name"], totals["lat"], totals["lon"], strict=True):
        if len(chosen) == _PLACE_LABELS:
            break
        if all(math.hypot(lon - x, (lat - y) * stretch) >= spacing for _, y, x in chosen):
            chosen.append((name, lat, lon))
    for name, lat, lon in chosen:
        east = lon > min_lon + 0.75 * (max_lon - min_lon)  # near the right edge: label to the left
        ax.annotate(_plain(name, _MAX_NAME_CHARS), (lon, lat), xytext=(-5 if east else 5, 3),
                    textcoords="offset points", ha="right" if east else "left", fontsize=7.5, color=_TEXT,
                    zorder=5, bbox=_LABEL_BOX, annotation_clip=True, clip_on=True, gid="place-label",
                    **_TEXT_OPTIONS)


def _draw_scale_bar(ax: Axes, bar: ScaleBar) -> None:
    """The bar with end ticks (haloed, so it reads on land and sea) and its length above it."""
    halo = [patheffects.withStroke(linewidth=4, foreground="white")]
    ax.plot([bar.lon_start, bar.lon_end], [bar.lat, bar.lat], color=_TEXT, linewidth=2, solid_capstyle="butt",
            zorder=6, gid="scale-bar", path_effects=halo)
    tick = 0.012 * (ax.get_ylim()[1] - ax.get_ylim()[0])
    for lon in (bar.lon_start, bar.lon_end):
        ax.plot([lon, lon], [bar.lat - tick, bar.lat + tick], color=_TEXT, linewidth=1.2, zorder=6,
                path_effects=halo)
    ax.text((bar.lon_start + bar.lon_end) / 2, bar.lat + 1.5 * tick, f"{bar.km:,g} km", ha="center",
            va="bottom", fontsize=8, color=_TEXT, zorder=6, gid="scale-bar-label", bbox=_LABEL_BOX,
            **_TEXT_OPTIONS)


def _plain_legend_text(legend: Legend) -> None:
    """Legend labels and title as literal text (they hold '$' in no build today, but stay literal)."""
    for text in [*legend.get_texts(), legend.get_title()]:
        text.set_parse_math(False)
        text.set_usetex(False)
