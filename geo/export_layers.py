"""Data exports of events: GeoJSON layers (RFC 7946), a GeoPackage and a CSV table.

One feature per EVENT (a place, a category, a day), not per map circle: a GIS user filters and
aggregates on their own. The core is pure: `event_features` turns the frames of `Store.query` and
`Store.sources` into GeoJSON feature dicts, `feature_collection` wraps them, `flat_table` turns them
into one flat row each (for CSV and GeoPackage). The writers at the end are the I/O edge: each builds
its whole document first and writes it once.

Property types are JSON-native: ISO dates as strings, lists of strings, numbers, and null for an
unknown country or first-seen date. The README's "Exports" section has the property table.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.models import Category

__all__ = ["ALL_LAYER", "COORDINATE_DECIMALS", "LIST_SEPARATOR", "PROPERTY_NAMES", "event_features",
           "feature_collection", "flat_table", "geojson_bytes", "layer_name", "layers_by_category",
           "write_csv", "write_geojson", "write_geojson_layers", "write_geopackage"]

ALL_LAYER = "all"
# RFC 7946 section 11.2: 6 decimals are about 10 cm, finer than any gazetteer point
COORDINATE_DECIMALS = 6
LIST_SEPARATOR = " | "  # joins list properties in CSV and GeoPackage, which have no list type
PROPERTY_NAMES = ("place", "gazetteer_id", "country", "precision", "category", "cue", "event_date",
                  "date_precision", "first_seen", "confidence", "source_count", "article_count",
                  "outlets", "urls", "article_ids", "sentence")
_LIST_PROPERTIES = ("outlets", "urls", "article_ids")


def layer_name(category: str) -> str:
    """The layer (and file stem) of a category: lower case letters, digits and underscores only.

    >>> layer_name("front_line"), layer_name("All"), layer_name("../x y")
    ('front_line', 'all', 'x_y')
    """
    name = re.sub(r"[^a-z0-9_]+", "_", category.strip().lower()).strip("_")
    if not name:
        raise ValueError(f"no layer name can be made of {category!r}")
    return name


def _texts(frame: pd.DataFrame, name: str) -> list[str | None]:
    """A column as strings, None for missing values (None, NaN, pandas NA) or a missing column.

    Column-wise, not a pandas call per cell: a 100,000-event export would spend seconds in `pd.isna`.
    """
    if name not in frame.columns:
        return [None] * len(frame)
    column = frame[name]
    values: list[str | None] = column.astype(object).where(column.notna(), None).tolist()
    return [None if value is None else str(value) for value in values]


def _days(frame: pd.DataFrame, name: str) -> list[str | None]:
    """A date column as ISO dates (YYYY-MM-DD), None where missing."""
    if name not in frame.columns:
        return [None] * len(frame)
    column = pd.to_datetime(frame[name])
    iso = column.dt.strftime("%Y-%m-%d").astype(object)
    days: list[str | None] = iso.where(column.notna(), None).tolist()
    return days


def _positions(lat: Any, lon: Any) -> list[list[float]]:
    """GeoJSON positions from latitudes and longitudes (sequences of equal length).

    The ONE place where our (lat, lon) becomes GeoJSON's [longitude, latitude] (RFC 7946 section 3.1.1:
    x, y order in WGS84), rounded to COORDINATE_DECIMALS; ValueError if any pair is outside WGS84's
    ranges. Every writer below reads positions from here.

    >>> _positions([50.4501, 48.12345678], [30.5234, -0.0000001])
    [[30.5234, 50.4501], [0.0, 48.123457]]
    """
    lats, lons = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    valid = (lats >= -90.0) & (lats <= 90.0) & (lons >= -180.0) & (lons <= 180.0)  # NaN is not valid
    if not valid.all():
        bad = int(np.flatnonzero(~valid)[0])
        raise ValueError(f"not a WGS84 position: lat {lats[bad]}, lon {lons[bad]}")
    # + 0.0 turns -0.0 into 0.0
    xy = np.column_stack((np.round(lons, COORDINATE_DECIMALS), np.round(lats, COORDINATE_DECIMALS))) + 0.0
    positions: list[list[float]] = xy.tolist()
    return positions


class _Evidence:
    """What one event's sources say, gathered in the order of `Store.sources` (publication order)."""

    __slots__ = ("article_ids", "cue", "outlets", "sentence", "urls")

    def __init__(self) -> None:
        self.outlets: dict[str, None] = {}  # dicts as ordered sets: first occurrence wins
        self.urls: dict[str, None] = {}
        self.article_ids: dict[str, None] = {}
        self.sentence: str | None = None
        self.cue: str | None = None


def _evidence(sources: pd.DataFrame) -> dict[str, _Evidence]:
    """Event key -> its outlets, urls and article ids, and the sentence and cue of its first source."""
    if sources.empty:
        return {}
    order = sources
    if "published" in sources.columns:  # earliest report first, whatever order the frame came in
        order = sources.iloc[sources["published"].to_numpy().argsort(kind="stable")]

    found: dict[str, _Evidence] = {}
    rows = zip(*(_texts(order, name) for name in ("event_key", "outlet", "url", "article_id", "sentence",
                                                  "cue")), strict=True)
    for key, outlet, url, article_id, sentence, cue in rows:
        evidence = found.get(key or "")
        if evidence is None:
            evidence = found[key or ""] = _Evidence()
            evidence.sentence, evidence.cue = sentence, cue
        for target, text in ((evidence.outlets, outlet), (evidence.urls, url),
                             (evidence.article_ids, article_id)):
            if text:
                target[text] = None
    return found


def event_features(events: pd.DataFrame, sources: pd.DataFrame) -> list[dict[str, Any]]:
    """One GeoJSON Feature (a dict) per row of `events`, in its order, with its sources' evidence.

    `events` is a `Store.query` frame (EVENT_COLUMNS), `sources` the `Store.sources` frame of its
    event keys (rows of other events are ignored; an event without sources gets empty lists). The
    feature ``id`` is the event key; properties are PROPERTY_NAMES, JSON-native. ``sentence`` and
    ``cue`` are those of the earliest source, the lists hold each distinct value once, earliest first.

    >>> day = pd.Timestamp("2022-02-21")
    >>> events = pd.DataFrame({"event_key": ["p|front_line|2022-02-21"], "place_id": ["p"],
    ...     "name": ["Avdiivka"], "lat": [48.1394], "lon": [37.7497], "country": ["UA"],
    ...     "precision": ["settlement"], "category": ["front_line"], "event_date": [day],
    ...     "date_precision": ["day"], "source_count": [2], "article_count": [1],
    ...     "first_seen": [day], "confidence": [0.9]})
    >>> sources = pd.DataFrame({"event_key": ["p|front_line|2022-02-21"] * 2, "outlet": ["AP", "AP"],
    ...     "url": ["https://a/1", None], "article_id": ["a1", "a1"], "sentence": ["Shelled.", "Again."],
    ...     "cue": ["shelled", ""]})
    >>> feature = event_features(events, sources)[0]
    >>> feature["geometry"], feature["properties"]["outlets"], feature["properties"]["sentence"]
    ({'type': 'Point', 'coordinates': [37.7497, 48.1394]}, ['AP'], 'Shelled.')
    """
    evidence = _evidence(sources)
    none = _Evidence()

    def numbers(name: str, decimals: int | None = None) -> list[Any]:
        if name not in events.columns:
            return [None] * len(events)
        values = pd.to_numeric(events[name], errors="coerce").to_numpy(dtype=np.float64)
        values = values if decimals is None else np.round(values, decimals)
        return [None if math.isnan(v) else v for v in values.tolist()]

    texts = (_texts(events, name) for name in ("event_key", "place_id", "name", "country", "precision",
                                               "category", "date_precision"))
    columns = (*texts, _positions(events["lat"], events["lon"]), _days(events, "event_date"),
               _days(events, "first_seen"), numbers("confidence", 4), numbers("source_count"),
               numbers("article_count"))
    features: list[dict[str, Any]] = []
    for (key, place_id, name, country, precision, category, date_precision, position, event_date,
         first_seen, confidence, source_count, article_count) in zip(*columns, strict=True):
        found = evidence.get(key or "", none)
        features.append({
            "type": "Feature",
            "id": key or "",
            "geometry": {"type": "Point", "coordinates": position},
            "properties": {
                "place": name or "",
                "gazetteer_id": place_id or "",
                "country": country or None,
                "precision": precision or "",
                "category": category or "",
                "cue": found.cue or "",
                "event_date": event_date,
                "date_precision": date_precision or "",
                "first_seen": first_seen,
                "confidence": confidence,
                "source_count": 0 if source_count is None else int(source_count),
                "article_count": 0 if article_count is None else int(article_count),
                "outlets": list(found.outlets),
                "urls": list(found.urls),
                "article_ids": list(found.article_ids),
                "sentence": found.sentence or "",
            },
        })
    return features


def feature_collection(features: Sequence[Mapping[str, Any]], *, name: str | None = None
                       ) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of `features`; `name` (a foreign member GDAL reads as the layer
    name) when given. No ``crs`` member: RFC 7946 removed it, coordinates are always WGS84.

    >>> feature_collection([], name="all")
    {'type': 'FeatureCollection', 'name': 'all', 'features': []}
    """
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if name is not None:
        collection["name"] = name
    collection["features"] = list(features)
    return collection


def layers_by_category(features: Sequence[Mapping[str, Any]], categories: Iterable[str] = ()
                       ) -> dict[str, list[Mapping[str, Any]]]:
    """Layer name -> its features: ALL_LAYER first with every feature, then one layer per category.

    A layer is made for each of `categories` even when no feature has it (an empty selection gives
    empty layers, not missing files); with no `categories`, one for every `Category`, and features of
    a category outside the list still get their own layer.

    >>> f = [{"properties": {"category": "diplomacy"}}]
    >>> {name: len(layer) for name, layer in layers_by_category(f, ["diplomacy", "migration"]).items()}
    {'all': 1, 'diplomacy': 1, 'migration': 0}
    """
    wanted = list(categories) or [c.value for c in Category]
    layers: dict[str, list[Mapping[str, Any]]] = {ALL_LAYER: list(features)}
    layers.update({layer_name(category): [] for category in wanted})
    for feature in features:
        layers.setdefault(layer_name(feature["properties"]["category"]), []).append(feature)
    return layers


def flat_table(features: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per feature for formats without nesting or lists (CSV, GeoPackage attributes).

    Columns: ``id``, ``lat``, ``lon`` (read back from the GeoJSON position), then PROPERTY_NAMES with
    the lists joined by LIST_SEPARATOR. Dates stay ISO strings.

    >>> f = {"id": "k", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
    ...      "properties": {"outlets": ["AP", "BBC"], "urls": [], "article_ids": ["a"], "source_count": 2,
    ...                     "article_count": 2}}
    >>> flat_table([f])[["id", "lat", "lon", "outlets", "urls"]].values.tolist()
    [['k', 50.4, 30.5, 'AP | BBC', '']]
    """
    records = []
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]  # GeoJSON order is lon, lat
        props = feature["properties"]
        row: dict[str, Any] = {"id": feature.get("id"), "lat": lat, "lon": lon}
        for name in PROPERTY_NAMES:
            value = props.get(name)
            row[name] = LIST_SEPARATOR.join(value or ()) if name in _LIST_PROPERTIES else value
        records.append(row)
    frame = pd.DataFrame.from_records(records, columns=["id", "lat", "lon", *PROPERTY_NAMES])
    for name in ("lat", "lon", "confidence"):
        frame[name] = frame[name].astype("float64")
    for name in ("source_count", "article_count"):
        frame[name] = frame[name].astype("int64")
    return frame


# -- writers (the I/O edge) ------------------------------------------------------------------------------

def geojson_bytes(collection: Mapping[str, Any]) -> bytes:
    """A FeatureCollection as UTF-8 JSON (RFC 8259; non-ASCII letters kept as they are)."""
    return json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _part_path(path: Path) -> Path:
    """A temporary name beside `path`: the file is built there, then renamed over `path` in one step,
    so a failed export leaves no half-written file and an older file is replaced whole."""
    return path.with_name(f".{path.name}.{os.getpid()}.part{path.suffix}")


def _replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through `_part_path` (created with the usual permissions)."""
    temp = _part_path(path)
    try:
        with temp.open("wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_geojson(features: Sequence[Mapping[str, Any]], path: Path, *, name: str = ALL_LAYER) -> Path:
    """Write one FeatureCollection file of `features`; the path written."""
    _replace_atomically(path, geojson_bytes(feature_collection(features, name=name)))
    return path


def write_geojson_layers(features: Sequence[Mapping[str, Any]], folder: Path,
                         categories: Iterable[str] = ()) -> dict[Path, int]:
    """Write ``all.geojson`` and one ``<category>.geojson`` per layer of `layers_by_category` into
    `folder` (which must exist); the paths written and their feature counts."""
    written: dict[Path, int] = {}
    for name, layer in layers_by_category(features, categories).items():
        written[write_geojson(layer, folder / f"{name}.geojson", name=name)] = len(layer)
    return written


def write_csv(features: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write `flat_table(features)` as UTF-8 CSV (RFC 4180 quoting: a sentence may hold commas,
    quotes and line breaks); the path written."""
    text: str = flat_table(features).to_csv(index=False, lineterminator="\r\n")
    _replace_atomically(path, text.encode())
    return path


def write_geopackage(features: Sequence[Mapping[str, Any]], path: Path,
                     categories: Iterable[str] = ()) -> dict[str, int]:
    """Write a GeoPackage with the layers of `layers_by_category` (point layers, EPSG:4326, attributes
    of `flat_table` without lat/lon); the layer names and their feature counts.

    The file is built beside `path` and renamed over it when complete (`_part_path`): an older file at
    `path` is replaced whole, with no stale layers, and a failure leaves it untouched.
    """
    import geopandas as gpd  # heavy: imported only by this writer
    import pyogrio
    import shapely

    temp = _part_path(path)
    temp.unlink(missing_ok=True)  # left by a killed export: GDAL would add layers to it
    counts: dict[str, int] = {}
    try:
        for name, layer in layers_by_category(features, categories).items():
            table = flat_table(layer).drop(columns=["lat", "lon"])
            # positions come from the GeoJSON geometry: already x=lon, y=lat, no second swap here
            points = shapely.points([f["geometry"]["coordinates"] for f in layer]) if layer else []
            frame = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(points, crs="EPSG:4326"))
            pyogrio.write_dataframe(frame, temp, layer=name, driver="GPKG", geometry_type="Point")
            counts[name] = len(layer)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return counts
