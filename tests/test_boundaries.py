"""data/boundaries/countries.geojson and geo.boundaries: valid RFC 7946, the right countries, Crimea in
Ukraine, capitals where they belong, preset views that frame their countries. No network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box, shape

from geo.boundaries import BOUNDARIES_PATH, REGIONS, load_boundaries
from geo.errors import BoundariesError

OCCUPIED = "occupied since 2014"
REGION_COUNTRIES = {"ukraine": ["UA"], "belarus": ["BY"], "baltic": ["EE", "LV", "LT"], "theatre": None}

# (name, lat, lon, ISO code of the country it must fall in)
PLACES = [
    ("Simferopol", 44.95, 34.10, "UA"),
    ("Sevastopol", 44.62, 33.52, "UA"),
    ("Kerch", 45.36, 36.47, "UA"),
    ("Kyiv", 50.45, 30.52, "UA"),
    ("Moscow", 55.75, 37.62, "RU"),
    ("Krasnodar", 45.04, 38.98, "RU"),
    ("Minsk", 53.90, 27.57, "BY"),
    ("Vilnius", 54.69, 25.28, "LT"),
    ("Riga", 56.95, 24.11, "LV"),
    ("Tallinn", 59.44, 24.75, "EE"),
    ("Warsaw", 52.23, 21.01, "PL"),
    ("Chisinau", 47.01, 28.86, "MD"),
]
CAPITALS = {"ukraine": ["Kyiv"], "belarus": ["Minsk"], "baltic": ["Vilnius", "Riga", "Tallinn"]}


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    return dict(json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def countries() -> gpd.GeoDataFrame:
    world = load_boundaries()
    return world[world["status"] == ""].set_index("iso_a2")


def lonlat(name: str) -> Point:
    _, lat, lon, _ = next(place for place in PLACES if place[0] == name)
    return Point(lon, lat)  # GeoJSON order: x = longitude, y = latitude


def test_file_is_small() -> None:
    assert BOUNDARIES_PATH.stat().st_size < 2_000_000


def test_file_is_an_rfc7946_feature_collection(collection: dict[str, Any]) -> None:
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946 section 4: WGS 84 is implied, `crs` was removed
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == {"iso_a2", "name", "status"}
        assert feature["properties"]["status"] in {"", OCCUPIED}
        geometry = shape(feature["geometry"])
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}
        assert geometry.is_valid and not geometry.is_empty, feature["properties"]["name"]
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        assert -180 <= min_lon <= max_lon <= 180
        assert -90 <= min_lat <= max_lat <= 90


def test_coordinates_have_at_most_five_decimals() -> None:
    numbers = (
        BOUNDARIES_PATH.read_text(encoding="utf-8").replace("[", " ").replace("]", " ").replace(",", " ")
    )
    decimals = [
        token.split(".")[1] for token in numbers.split() if token[:1] in "-0123456789" and "." in token
    ]
    assert decimals and max(len(d) for d in decimals) <= 5


def test_one_feature_per_country(countries: gpd.GeoDataFrame) -> None:
    assert countries.index.is_unique
    assert {"UA", "BY", "RU", "PL", "LT", "LV", "EE", "MD", "RO", "FI", "SE", "NO", "KZ"} <= set(
        countries.index
    )


@pytest.mark.parametrize(("name", "lat", "lon", "iso_a2"), PLACES)
def test_place_lies_in_its_country_only(
    countries: gpd.GeoDataFrame, name: str, lat: float, lon: float, iso_a2: str
) -> None:
    point = Point(lon, lat)
    holders = [code for code, geometry in countries.geometry.items() if geometry.contains(point)]
    assert holders == [iso_a2], name


def test_crimea_is_ukraine_marked_occupied() -> None:
    world = load_boundaries()
    crimea = world[world["name"] == "Crimea"]
    assert crimea[["iso_a2", "status"]].values.tolist() == [["UA", OCCUPIED]]
    peninsula = crimea.geometry.iloc[0]
    assert peninsula.contains(lonlat("Simferopol")) and peninsula.contains(lonlat("Sevastopol"))


def test_crimea_is_inside_ukraine_and_none_of_it_in_russia(countries: gpd.GeoDataFrame) -> None:
    world = load_boundaries()
    peninsula = world.loc[world["name"] == "Crimea"].geometry.iloc[0]
    ukraine, russia = countries.geometry["UA"], countries.geometry["RU"]
    assert peninsula.difference(ukraine).area < 1e-9
    # West of the Kerch strait, up to the Perekop isthmus, nothing is left in Russia (no sliver).
    assert russia.intersection(box(32.0, 44.0, 36.55, 46.5)).is_empty


def test_neighbours_do_not_overlap(countries: gpd.GeoDataFrame) -> None:
    union_area = shapely.union_all(list(countries.geometry)).area
    assert sum(g.area for g in countries.geometry) == pytest.approx(union_area, rel=1e-6)


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_region_box_frames_its_countries(countries: gpd.GeoDataFrame, region: str) -> None:
    codes = REGION_COUNTRIES[region]
    chosen = countries if codes is None else countries.loc[codes]
    min_lon, min_lat, max_lon, max_lat = REGIONS[region]
    assert min_lon < max_lon and min_lat < max_lat
    assert box(*REGIONS[region]).contains(box(*chosen.total_bounds))
    # ... and no looser than the half-degree rounding promised in the docstring
    margins = [a - b for a, b in zip(chosen.total_bounds, REGIONS[region], strict=True)]
    assert all(abs(margin) <= 1.0 for margin in margins), margins
    for capital in CAPITALS.get(region, []):
        assert box(*REGIONS[region]).contains(lonlat(capital)), capital


def test_load_boundaries_returns_a_fresh_copy() -> None:
    first = load_boundaries()
    first["name"] = "changed"
    assert "changed" not in set(load_boundaries()["name"])
    assert load_boundaries().crs.to_epsg() == 4326


def test_missing_file_is_a_boundaries_error(tmp_path: Path) -> None:
    with pytest.raises(BoundariesError):
        load_boundaries(tmp_path / "nowhere.geojson")


def test_file_without_the_properties_is_a_boundaries_error(tmp_path: Path) -> None:
    path = tmp_path / "bare.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "x"},
                        "geometry": {"type": "Point", "coordinates": [30.0, 50.0]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(BoundariesError):
        load_boundaries(path)
