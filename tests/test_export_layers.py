"""Data exports (geo.export_layers, geo.export): one GeoJSON feature per event, valid against the
official schema and RFC 7946, read back through GDAL (GeoJSON, every GeoPackage layer) and pandas (CSV)
with the same counts and coordinates; hostile text round-trips as plain strings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.config import Config
from geo.export import (
    EXPORT_FORMATS,
    MIME_TYPES,
    ExportError,
    ExportSummary,
    export_bytes,
    export_file_name,
    export_view,
    resolve_out,
)
from geo.export_layers import (
    ALL_LAYER,
    LIST_SEPARATOR,
    PROPERTY_NAMES,
    _positions,
    event_features,
    feature_collection,
    flat_table,
    layer_name,
    layers_by_category,
    write_csv,
    write_geojson,
    write_geojson_layers,
    write_geopackage,
)
from geo.filters import EventFilter
from geo.gazetteer import Gazetteer
from geo.ingest import ingest
from geo.models import Article, Category
from geo.store import Store, open_store

Checker = Callable[[Any], None]
CATEGORIES = [c.value for c in Category]
HOSTILE_SENTENCE = ('Russian troops shelled Avdiivka <script>alert("xss")</script> {{ 7*7 }}, "quoted", '
                    "on Monday.")
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "place": (str,), "gazetteer_id": (str,), "country": (str, type(None)), "precision": (str,),
    "category": (str,), "cue": (str,), "event_date": (str,), "date_precision": (str,),
    "first_seen": (str, type(None)), "confidence": (float, int), "source_count": (int,),
    "article_count": (int,), "outlets": (list,), "urls": (list,), "article_ids": (list,), "sentence": (str,)}


@pytest.fixture
def seeds(seed_store_path: Path) -> Iterator[Store]:
    with open_store(seed_store_path) as store:
        yield store


def seed_features(store: Store) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    events = store.query()
    return events, event_features(events, store.sources(events["event_key"]))


def coordinates_by_id(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """id -> (lon, lat) of a frame read back by pyogrio."""
    return {str(i): (float(p.x), float(p.y)) for i, p in zip(frame["id"], frame.geometry, strict=True)}


# -- pure builders ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("category", "expected"), [
    ("deployment", "deployment"), ("front_line", "front_line"), ("Front Line", "front_line"),
    ("all", "all"), ("../../etc/passwd", "etc_passwd"), ("é", None), ("", None)])
def test_layer_name(category: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            layer_name(category)
    else:
        assert layer_name(category) == expected


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (50.4501, 30.5234, [30.5234, 50.4501]),  # lon first
    (48.12345678, 37.98765432, [37.987654, 48.123457]),  # 6 decimals
    (-33.9, -70.6, [-70.6, -33.9]),
    (51.4769, -0.0000001, [0.0, 51.4769]),  # no -0.0
    (90.0, 180.0, [180.0, 90.0]), (-90.0, -180.0, [-180.0, -90.0])])
def test_position_is_lon_lat_rounded(lat: float, lon: float, expected: list[float]) -> None:
    position = _positions([lat], [lon])[0]
    assert position == expected
    assert json.dumps(position) == json.dumps(expected)


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 180.5), (float("nan"), 0.0)])
def test_position_outside_wgs84_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValueError):
        _positions([50.0, lat], [30.0, lon])


def test_layers_by_category_keeps_every_asked_layer() -> None:
    features = [{"properties": {"category": c}} for c in ("diplomacy", "other", "diplomacy")]
    layers = layers_by_category(features)
    assert list(layers) == [ALL_LAYER, *CATEGORIES]
    assert [len(layer) for layer in layers.values()] == [3, 0, 0, 2, 0, 1]
    assert list(layers_by_category([], ["migration"])) == [ALL_LAYER, "migration"]


def test_features_of_the_seed_store(seeds: Store, check_geojson: Checker) -> None:
    events, features = seed_features(seeds)
    assert len(features) == len(events) > 200  # one feature per event, not per map point
    assert [f["id"] for f in features] == events["event_key"].tolist()
    for feature, (_, event) in zip(features, events.iterrows(), strict=True):
        lon, lat = feature["geometry"]["coordinates"]
        assert abs(lon - event["lon"]) <= 1e-6 and abs(lat - event["lat"]) <= 1e-6  # lon, lat order
        props = feature["properties"]
        assert list(props) == list(PROPERTY_NAMES)
        for name, types in PROPERTY_TYPES.items():
            assert isinstance(props[name], types), (name, props[name])
        for name in ("outlets", "urls", "article_ids"):
            assert all(isinstance(v, str) and v for v in props[name])
        assert dt.date.fromisoformat(props["event_date"]) == event["event_date"].date()
        assert props["category"] == event["category"] and props["place"] == event["name"]
        assert props["article_ids"] and props["sentence"]  # every stored event has a source
        assert 0 <= props["confidence"] <= 1 and props["source_count"] >= 1
    collection = feature_collection(features, name=ALL_LAYER)
    check_geojson(collection)
    check_geojson(json.loads(json.dumps(collection)))  # the written form too


def test_features_without_sources_or_optional_columns() -> None:
    events = pd.DataFrame({"event_key": ["p|other|2022-01-10"], "place_id": ["p"], "name": ["P"],
                           "lat": [50.123456789], "lon": [30.0], "country": [None], "category": ["other"],
                           "event_date": [pd.Timestamp("2022-01-10")], "date_precision": ["day"],
                           "source_count": [1], "article_count": [1], "first_seen": [pd.NaT],
                           "confidence": [0.123456]})
    props = event_features(events, pd.DataFrame())[0]["properties"]
    assert props["country"] is None and props["first_seen"] is None and props["precision"] == ""
    assert props["outlets"] == props["urls"] == props["article_ids"] == [] and props["sentence"] == ""
    assert props["confidence"] == 0.1235


# -- writers, read back ----------------------------------------------------------------------------------

def test_geojson_layers_validate_and_read_back_through_gdal(seeds: Store, tmp_path: Path,
                                                            check_geojson: Checker) -> None:
    events, features = seed_features(seeds)
    written = write_geojson_layers(features, tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.geojson" for n in [ALL_LAYER, *CATEGORIES])
    expected = {f["id"]: tuple(f["geometry"]["coordinates"]) for f in features}
    total = 0
    for path, count in written.items():
        document = json.loads(path.read_text(encoding="utf-8"))
        check_geojson(document)
        assert len(document["features"]) == count
        categories = {f["properties"]["category"] for f in document["features"]}
        if path.stem != ALL_LAYER:
            assert categories <= {path.stem}
            total += count
        frame = pyogrio.read_dataframe(path)
        assert len(frame) == count
        for key, (lon, lat) in coordinates_by_id(frame).items():
            assert abs(lon - expected[key][0]) <= 1e-6 and abs(lat - expected[key][1]) <= 1e-6
    assert total == written[tmp_path / "all.geojson"] == len(events)


def test_geopackage_has_every_layer_with_the_same_points(seeds: Store, tmp_path: Path) -> None:
    events, features = seed_features(seeds)
    path = tmp_path / "events.gpkg"
    path.write_text("an older file, replaced whole")
    counts = write_geopackage(features, path)
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert set(layers) == set(counts) == {ALL_LAYER, *CATEGORIES}
    assert set(layers.values()) == {"Point"}
    store_points = {k: (lon, lat) for k, lon, lat in zip(events["event_key"], events["lon"], events["lat"],
                                                          strict=True)}
    for name, count in counts.items():
        frame = pyogrio.read_dataframe(path, layer=name)
        assert len(frame) == count
        assert frame.crs is not None and frame.crs.to_epsg() == 4326
        if name != ALL_LAYER:
            assert set(frame["category"]) <= {name}
        for key, (lon, lat) in coordinates_by_id(frame).items():
            assert abs(lon - store_points[key][0]) <= 1e-6 and abs(lat - store_points[key][1]) <= 1e-6
    assert counts[ALL_LAYER] == len(events) == sum(v for k, v in counts.items() if k != ALL_LAYER)
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left


def test_csv_reads_back_with_lat_lon_and_joined_lists(seeds: Store, tmp_path: Path) -> None:
    events, features = seed_features(seeds)
    path = write_csv(features, tmp_path / "events.csv")
    frame = pd.read_csv(path, keep_default_na=False)
    assert list(frame.columns) == ["id", "lat", "lon", *PROPERTY_NAMES]
    assert len(frame) == len(events)
    assert np.allclose(frame["lat"], events["lat"], atol=1e-6)
    assert np.allclose(frame["lon"], events["lon"], atol=1e-6)
    for row, feature in zip(frame.itertuples(), features, strict=True):
        assert row.article_ids == LIST_SEPARATOR.join(feature["properties"]["article_ids"])


def test_an_empty_selection_writes_empty_layers(tmp_path: Path, check_geojson: Checker) -> None:
    written = write_geojson_layers([], tmp_path, ["diplomacy"])
    assert {p.name: n for p, n in written.items()} == {"all.geojson": 0, "diplomacy.geojson": 0}
    for path in written:
        check_geojson(json.loads(path.read_text()))
        assert len(pyogrio.read_dataframe(path)) == 0
    counts = write_geopackage([], tmp_path / "empty.gpkg")
    assert set(counts.values()) == {0}
    assert all(len(pyogrio.read_dataframe(tmp_path / "empty.gpkg", layer=n)) == 0 for n in counts)
    assert list(pd.read_csv(write_csv([], tmp_path / "empty.csv")).columns)[:3] == ["id", "lat", "lon"]
    assert flat_table([]).empty


def test_hostile_text_round_trips_as_plain_strings(tmp_path: Path, gazetteer: Gazetteer, config: Config,
                                                   check_geojson: Checker) -> None:
    outlet = '<b>Evil</b>, "Outlet" | {{ x }}'
    article = Article("evil<script>", HOSTILE_SENTENCE, title="<img src=x onerror=alert(1)>",
                      published=dt.date(2022, 2, 21), source=outlet, url="javascript:alert(1)")
    with open_store(tmp_path / "events.sqlite") as store:
        ingest([article], store, gazetteer, config)
        _, features = seed_features(store)
    assert features and all(f["properties"]["sentence"] == HOSTILE_SENTENCE for f in features)
    assert all(f["properties"]["outlets"] == [outlet] for f in features)
    assert all(f["properties"]["urls"] == ["javascript:alert(1)"] for f in features)  # data, not a link

    path = write_geojson(features, tmp_path / "evil.geojson")
    document = json.loads(path.read_text(encoding="utf-8"))
    check_geojson(document)
    assert {f["properties"]["sentence"] for f in document["features"]} == {HOSTILE_SENTENCE}
    assert "&lt;" not in path.read_text()  # plain JSON strings: no HTML escaping in a data format
    assert set(pyogrio.read_dataframe(path)["sentence"]) == {HOSTILE_SENTENCE}

    write_geopackage(features, tmp_path / "evil.gpkg")
    gpkg = pyogrio.read_dataframe(tmp_path / "evil.gpkg", layer=ALL_LAYER)
    assert set(gpkg["sentence"]) == {HOSTILE_SENTENCE} and set(gpkg["outlets"]) == {outlet}

    table = pd.read_csv(write_csv(features, tmp_path / "evil.csv"), keep_default_na=False)
    assert set(table["sentence"]) == {HOSTILE_SENTENCE} and set(table["outlets"]) == {outlet}
    assert set(table["article_ids"]) == {"evil<script>"}


# -- geo.export ------------------------------------------------------------------------------------------

def test_export_view_filters_like_the_map(seeds: Store, tmp_path: Path, check_geojson: Checker) -> None:
    flt = EventFilter("baltic", dt.date(2021, 11, 1), dt.date(2022, 2, 28), ("deployment", "diplomacy"))
    summary = export_view(seeds, flt, "geojson", f"{tmp_path}/layers/")
    expected = seeds.query(**flt.store_query_kwargs())
    assert summary.events == len(expected) > 0
    assert sorted(p.name for p in summary.paths) == ["all.geojson", "deployment.geojson", "diplomacy.geojson"]
    document = json.loads((tmp_path / "layers" / "all.geojson").read_text())
    check_geojson(document)
    assert [f["id"] for f in document["features"]] == expected["event_key"].tolist()
    min_lon, min_lat, max_lon, max_lat = 20.5, 53.5, 28.5, 60.0
    for feature in document["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert min_lon <= lon <= max_lon and min_lat <= lat <= max_lat
        assert feature["properties"]["category"] in {"deployment", "diplomacy"}
    assert "all " in summary.describe() and str(summary.events) in summary.describe()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
def test_export_bytes_for_downloads(seeds: Store, fmt: str) -> None:
    flt = EventFilter("ukraine", dt.date(2022, 2, 10), dt.date(2022, 2, 20))
    data, name, mime = export_bytes(seeds, flt, fmt)
    assert name == f"crisis-map-ukraine-2022-02-10_2022-02-20.{fmt}" and mime == MIME_TYPES[fmt]
    count = len(seeds.query(**flt.store_query_kwargs()))
    if fmt == "geojson":
        assert len(json.loads(data)["features"]) == count
    elif fmt == "gpkg":
        assert data.startswith(b"SQLite format 3\x00")
    else:
        assert data.decode().count("\r\n") == count + 1  # header + one line per event (no line breaks
        # inside the seeds' sentences)


def test_every_format_has_a_mime_type() -> None:
    assert set(MIME_TYPES) == set(EXPORT_FORMATS)


@pytest.mark.parametrize(("fmt", "out", "expected", "folder"), [
    ("geojson", "{tmp}/layers/", "{tmp}/layers", True),
    ("geojson", "{tmp}/layers", "{tmp}/layers", True),  # new, no suffix: a folder
    ("geojson", "{tmp}/events.geojson", "{tmp}/events.geojson", False),
    ("geojson", "{tmp}/events.json", "{tmp}/events.json", False),
    ("gpkg", "{tmp}/events.gpkg", "{tmp}/events.gpkg", False),
    ("csv", "{tmp}/", "{tmp}/crisis-map-theatre.csv", False),  # a folder: the file named for the view
    ("png", "{tmp}/maps/", "{tmp}/maps/crisis-map-theatre.png", False)])
def test_resolve_out(tmp_path: Path, fmt: str, out: str, expected: str, folder: bool) -> None:
    assert resolve_out(fmt, out.format(tmp=tmp_path), EventFilter()) == (
        Path(expected.format(tmp=tmp_path)), folder)


@pytest.mark.parametrize(("fmt", "out", "message"), [
    ("geojson", "{tmp}/events.csv", ".geojson file or a folder"),
    ("csv", "{tmp}/missing/events.csv", "does not exist"),
    ("geojson", "{tmp}/missing/layers/", "does not exist"),
    ("csv", "{tmp}/a-file/events.csv", "not a folder"),
    ("geojson", "{tmp}/a-file/", "not a folder"),
    ("shp", "{tmp}/events.shp", "unknown export format")])
def test_resolve_out_refuses(tmp_path: Path, fmt: str, out: str, message: str) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ExportError, match=message):
        resolve_out(fmt, out.format(tmp=tmp_path), EventFilter())


def test_export_view_leaves_an_existing_file_on_failure(seeds: Store, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "events.geojson"
    path.write_text("older export")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("geo.export_layers.os.replace", fail)
    with pytest.raises(ExportError, match="No space left"):
        export_view(seeds, EventFilter(), "geojson", path)
    assert path.read_text() == "older export"
    assert [p.name for p in tmp_path.iterdir()] == ["events.geojson"]  # the part file was removed


def test_summary_says_when_nothing_matched() -> None:
    summary = ExportSummary("geojson", (Path("o/all.geojson"), Path("o/other.geojson")), 0,
                            {"all": 0, "other": 0})
    assert summary.describe() == \
        "wrote 2 geojson files to o: no events match the filters, the layers are empty"
    assert "no events" in ExportSummary("png", (Path("m.png"),), 0, points=0).describe()


def test_file_names_say_view_and_window() -> None:
    assert export_file_name(EventFilter("baltic", end=dt.date(2022, 1, 1)), "csv") == \
        "crisis-map-baltic-open_2022-01-01.csv"



@pytest.mark.parametrize("damage", ["crs", "decimals", "range", "no_geometry", "bad_type"])
def test_the_geojson_checker_catches_what_it_should(check_geojson: Checker, damage: str) -> None:
    """The checker itself: a test that cannot fail proves nothing."""
    feature: dict[str, Any] = {"type": "Feature", "id": "k", "properties": {},
                               "geometry": {"type": "Point", "coordinates": [30.5, 50.4]}}
    document: dict[str, Any] = feature_collection([feature])
    check_geojson(document)
    if damage == "crs":
        document["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
    elif damage == "decimals":
        feature["geometry"]["coordinates"] = [30.1234567, 50.4]
    elif damage == "range":
        feature["geometry"]["coordinates"] = [50.4, 130.5]  # lat, lon swapped for a place in the Far East
    elif damage == "no_geometry":
        del feature["geometry"]
    else:
        document["type"] = "Featurecollection"
    with pytest.raises(AssertionError):
        check_geojson(document)
