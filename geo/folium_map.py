"""The one map builder, shared by the dashboard (issue 5) and the briefing exports (issue 6).

`build_map` turns aggregated points (`geo.map_points.aggregate_points`) into a `folium.Map`: country
boundaries, one circle per point in one layer per category, a legend. Pure: no disk, no network
(only a tile basemap, if chosen, is fetched by the browser).

Size and speed (issue 5: a slider move served in <= 1 s, <= 3 MB sent): a `folium.CircleMarker` with
a `folium.Popup` renders ~1.3 kB of JavaScript and costs ~2 ms each, so a week of 100,000 events would be
~8 MB and ~12 s. Instead each category layer carries its points as ONE JSON array, and a short loop in
the page makes one Leaflet ``circleMarker`` per point (on a canvas: thousands stay smooth). They are
ordinary Leaflet layers of the map, so streamlit-folium sees their clicks and tooltips like folium's
own. At most `max_points` points are drawn (the most reported); the legend counts the rest.

Security: popup and tooltip strings are built and escaped by `geo.map_html`, embedded here as JSON
with ``<`` escaped (`script_json`), and placed in the page verbatim (`_DataElement`): branca would
otherwise compile each element's output as a Jinja template, evaluating any ``{{ }}`` in the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import orjson
import pandas as pd
import shapely
from branca.element import Element, Figure
from folium.template import Template

from geo.boundaries import BBox, view_box
from geo.html_escape import escape_text
from geo.map_html import point_markup
from geo.map_offline import offline_html
from geo.map_points import PointKey, PointSources
from geo.map_style import (
    BACKGROUND,
    BORDER_COLOUR,
    CRIMEA_NOTE,
    LAND_COLOUR,
    STATUS_EDGE_COLOUR,
    STATUS_FILL_COLOUR,
    STATUS_FILL_OPACITY,
    STATUS_NOTES,
    category_style,
    legend_html,
)
from geo.models import Category

__all__ = ["BASEMAPS", "CRIMEA_NOTE", "MAX_DETAILED_EVENTS", "MAX_DETAILED_POINTS", "MAX_POINTS",
           "TILE_PROVIDERS", "build_map", "detailed_event_keys", "offline_html", "script_json"]

BASEMAPS = ("none", "OpenStreetMap", "CartoDB positron")
# URL template, attribution (HTML, in the providers' own wording; the exports cite it too), max zoom.
# Written out rather than looked up in xyzservices: its CARTO entries now carry an API-key placeholder
# that would go into every request.
_OSM_CREDIT = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
TILE_PROVIDERS = {
    "OpenStreetMap": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM_CREDIT, 19),
    "CartoDB positron": ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
                         _OSM_CREDIT + ' &copy; <a href="https://carto.com/attributions">CARTO</a>', 20),
}
# bench/bench_dashboard.py: with these two caps a page stays under 3 MB whatever the window
MAX_POINTS = 6_000  # points drawn, the most reported
MAX_DETAILED_POINTS = 1_000  # of those, the most reported get their sources in the popup
MAX_DETAILED_EVENTS = 1_500  # ... while their events stay this few: reading sources costs per event
_COUNTRY_STYLE = {"color": BORDER_COLOUR, "weight": 0.8, "fillColor": LAND_COLOUR}
_STATUS_STYLE = {"color": STATUS_EDGE_COLOUR, "weight": 1.6, "dashArray": "5 4",
                 "fillColor": STATUS_FILL_COLOUR, "fillOpacity": STATUS_FILL_OPACITY}


# what may not appear raw inside a <script> element, in UTF-8, and what it becomes (same JSON value)
_SCRIPT_UNSAFE = ((b"</", b"<\\/"), (b"<!--", b"\\u003c!--"), ("\u2028".encode(), b"\\u2028"),
                  ("\u2029".encode(), b"\\u2029"))


def script_json(value: Any) -> str:
    """`value` as compact JSON that is safe inside an HTML <script> element.

    Only ``</`` (which could close the element: ``</script>``) and ``<!--`` (which could start a
    script-data escape) leave script data (HTML Living Standard, "script data state"); they become
    ``<\\/`` (the same string in JSON) and ``\\u003c!--``. U+2028/2029 are escaped for old JS engines.
    Encoded by orjson: a whole season's map carries ~2 MB of popups, which the standard library
    encodes 2-3 times slower. NaN and infinities become null.

    >>> print(script_json(["</script><!--<b>", 1.5]))
    ["<\\/script>\\u003c!--<b>",1.5]
    """
    data = orjson.dumps(value)
    for unsafe, safe in _SCRIPT_UNSAFE:  # on the bytes: one memchr-fast pass each
        data = data.replace(unsafe, safe)
    return data.decode()


class _Verbatim(Element):
    """Text put into the page as it is (a plain branca Element would compile it as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _DataElement(folium.MacroElement):
    """A MacroElement whose rendered macros go into the page verbatim.

    branca's MacroElement.render wraps each macro's output in ``Element(output)``, which compiles it
    as a Jinja template: data holding ``{{ ... }}`` would be evaluated on the server. The macros stay
    Jinja (streamlit-folium calls ``_template.module.script(element)`` itself).
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = getattr(self._template.module, part, None)
            if macro is not None:
                getattr(figure, part).add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""  # like MacroElement: its output went into the figure's parts


class _PointLayer(_DataElement):
    """The points of one category: [lat, lon, radius, tooltip html, popup html] rows drawn by a loop."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (group, style, rows) {
            rows.forEach(function (r) {
                L.circleMarker([r[0], r[1]], Object.assign({radius: r[2]}, style))
                    .bindTooltip(r[3]).bindPopup(r[4], {maxWidth: 360}).addTo(group);
            });
        })({{ this._parent.get_name() }}, {{ this.style_json }}, {{ this.rows_json }});
        {% endmacro %}
    """)

    def __init__(self, colour: str, rows: list[list[Any]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "PointLayer"
        self.style_json = script_json({"color": colour, "fillColor": colour, "weight": 1, "opacity": 0.9,
                                       "fillOpacity": 0.55})
        self.rows_json = script_json(rows)


class _Boundaries(_DataElement):
    """Country outlines as one Leaflet GeoJSON layer; a feature with a note (Crimea) dashed, with a tooltip.

    Not interactive except for the noted features, so clicks go to the points.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
            style: function (f) { return f.properties.note ? {{ this.status_style }} : {{ this.style }}; },
            onEachFeature: function (f, layer) {
                if (f.properties.note) { layer.bindTooltip(f.properties.note, {sticky: true}); }
                else { layer.options.interactive = false; }
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, boundaries: gpd.GeoDataFrame, *, tinted: bool) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "GeoJson"
        status = boundaries["status"].fillna("").astype(str).tolist()
        names = boundaries["name"].fillna("").astype(str).tolist()
        geometries = shapely.to_geojson(boundaries.geometry.to_numpy())
        notes = [escape_text(STATUS_NOTES.get(name, f"{name} — {s}")) if s else ""
                 for name, s in zip(names, status, strict=True)]
        # shapely's GeoJSON geometries hold only numbers and keywords: joined as they are, not re-parsed
        features = ",".join('{"type":"Feature","properties":' + script_json({"note": note})
                            + ',"geometry":' + (geometry or "null") + "}"
                            for note, geometry in zip(notes, geometries, strict=True))
        self.data_json = f'{{"type":"FeatureCollection","features":[{features}]}}'
        self.style = script_json({**_COUNTRY_STYLE, "fillOpacity": 0.85 if tinted else 0.05})
        self.status_style = script_json(_STATUS_STYLE)


class _Legend(_DataElement):
    """The legend next to the map, and the map's background colour (seen where no tiles are drawn)."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>#{{ this._parent.get_name() }} {
            background: {{ this.background }}; }</style>{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.markup }}{% endmacro %}
    """)

    def __init__(self, markup: str, background: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "Legend"
        self.markup = markup
        self.background = background


def detailed_event_keys(points: pd.DataFrame, *, max_points: int = MAX_DETAILED_POINTS,
                        max_events: int = MAX_DETAILED_EVENTS) -> list[str]:
    """The event keys whose sources the popups of `points` (`aggregate_points`, most reported first)
    show: those of the first `max_points` points, stopping before the point that would pass
    `max_events` events in all. A week holds about one event per point; a whole season merges dozens
    into a busy point, and reading the sources of all of them would cost more than the rest of the map.
    The first point is always detailed.

    >>> points = pd.DataFrame({"event_keys": [["a", "b"], ["c"], ["d", "e", "f"]]})
    >>> detailed_event_keys(points, max_events=3)
    ['a', 'b', 'c']
    >>> detailed_event_keys(points, max_points=1)
    ['a', 'b']
    """
    keys: list[str] = []
    for point_keys in points["event_keys"].head(max_points):
        if keys and len(keys) + len(point_keys) > max_events:
            break
        keys.extend(point_keys)
    return keys


def build_map(points: pd.DataFrame, *, boundaries: gpd.GeoDataFrame | None,
              view: str | BBox = "theatre", basemap: str = "none",
              details: Mapping[PointKey, PointSources] | None = None, title: str | None = None,
              max_points: int = MAX_POINTS, max_detailed: int = MAX_DETAILED_POINTS) -> folium.Map:
    """A Leaflet map of aggregated `points` (`aggregate_points`), fitted to `view`.

    `view` is a name in `geo.boundaries.REGIONS` or a (min_lon, min_lat, max_lon, max_lat) box.
    `basemap` is one of BASEMAPS: "none" draws no tiles (a plain background: works offline), the others
    add that tile layer. `boundaries` (`load_boundaries()`, or None) become one GeoJSON layer, the
    feature with a status (Crimea) dashed, with a tooltip. `details` (`sources_by_point`) adds outlets,
    links, the evidence sentence and the resolution method to the popups of the `max_detailed` most
    reported points (fetch sources for `detailed_event_keys` only: `aggregate_points` puts the most
    reported first). `title` (any text; escaped) heads the legend and names the page. Only the
    `max_points` most reported points are drawn; the legend says how many were left out.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {BASEMAPS}")
    min_lon, min_lat, max_lon, max_lat = view_box(view)
    m = folium.Map(location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2], zoom_start=5, tiles=None,
                   prefer_canvas=True, control_scale=True, zoom_snap=0.25)  # fit views closely
    if basemap in TILE_PROVIDERS:
        url, attribution, max_zoom = TILE_PROVIDERS[basemap]
        folium.TileLayer(url, attr=attribution, name=basemap, max_zoom=max_zoom, control=False).add_to(m)
    figure = m.get_root()
    if title and isinstance(figure, Figure):
        figure.title = escape_text(title)  # branca writes <title>{{ this.title }}</title> unescaped
    m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    has_boundaries = boundaries is not None and not boundaries.empty
    if has_boundaries:
        _Boundaries(boundaries, tinted=basemap == "none").add_to(m)

    shown = points.sort_values("reports", ascending=False, kind="stable").head(max_points)
    shown_categories: list[str] = shown["category"].astype("str").tolist()
    if details is not None:
        detailed = set(zip(shown["place_id"].head(max_detailed).astype("str").tolist(),
                           shown_categories[:max_detailed], strict=True))
        details = {key: value for key, value in details.items() if key in detailed}
    rows = _point_rows(shown, details)
    rows_of: dict[str, list[list[Any]]] = {}
    for category, row in zip(shown_categories, rows, strict=True):
        rows_of.setdefault(category, []).append(row)
    categories = [c.value for c in Category if c.value in rows_of] + sorted(set(rows_of) - set(Category))
    # "other" says least: drawn first, underneath; within a layer the most reported first (biggest at
    # the bottom), so small circles stay clickable
    for category in sorted(categories, key=lambda c: c != Category.OTHER):
        style, layer_rows = category_style(category), rows_of[category]
        group = folium.FeatureGroup(name=escape_text(f"{style.glyph} {style.label} ({len(layer_rows):,})"))
        _PointLayer(style.colour, layer_rows).add_to(group)
        group.add_to(m)
    if categories:
        folium.LayerControl(collapsed=False).add_to(m)  # expanded: needs no icon image, works offline

    legend = legend_html(categories or [c.value for c in Category], title=title,
                         hidden_points=len(points) - len(shown),
                         notes=[CRIMEA_NOTE + " (dashed outline)"] if has_boundaries else [])
    _Legend(legend, BACKGROUND).add_to(m)
    return m


def _point_rows(points: pd.DataFrame, details: Mapping[PointKey, PointSources] | None) -> list[list[Any]]:
    """[lat, lon, radius, tooltip html, popup html] per point; coordinates to 4 decimals (~10 m)."""
    tooltips, popups = point_markup(points, details)
    return [list(row) for row in zip(points["lat"].astype(float).round(4).tolist(),
                                     points["lon"].astype(float).round(4).tolist(),
                                     points["radius"].astype(float).tolist(), tooltips, popups, strict=True)]
