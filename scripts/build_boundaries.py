"""Build data/boundaries/countries.geojson from the npm package world-atlas (Natural Earth 1:50m admin-0).

Run from the repository root (needs `npm` and the registry, at build time only; the app never downloads):

    python scripts/build_boundaries.py                     # npm pack world-atlas@2.0.2, then build
    python scripts/build_boundaries.py --tarball FILE.tgz  # build from a tarball already on disk

Steps: fetch the pinned tarball and check its sha1 -> decode the TopoJSON arcs (shared borders are
simplified once, as arcs, so neighbours keep a common edge) -> keep the countries of COUNTRIES ->
move Crimea from Russia to Ukraine and emit it again as its own "occupied since 2014" feature ->
clip to WINDOW -> snap to a 1e-5 degree grid -> write an RFC 7946 FeatureCollection.
The choices are explained in data/boundaries/SOURCE.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

log = logging.getLogger("build_boundaries")

PACKAGE = "world-atlas"
VERSION = "2.0.2"
# sha1 of the tarball as published (`npm view world-atlas@2.0.2 dist.shasum`): a rebuild from anything
# else fails instead of silently changing the borders.
TARBALL_SHA1 = "4bca4a578f3a413bd409c3f07f2054fe7375824f"
TOPOLOGY_MEMBER = "package/countries-50m.json"

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "countries.geojson"

# (min_lon, min_lat, max_lon, max_lat): the theatre and its neighbours; cuts Russia and Kazakhstan at
# 50E so they do not dominate the file or the map.
WINDOW = (10.0, 40.0, 50.0, 72.0)
# Douglas-Peucker tolerance applied to each arc, in degrees (~0.5 km): light, invisible at country zoom.
SIMPLIFY_DEGREES = 0.005
DECIMALS = 5

# ISO 3166-1 numeric id in world-atlas -> (ISO 3166-1 alpha-2, English short name). Every country that
# reaches into WINDOW, so the map has no blank neighbours (Natural Earth draws Åland apart from
# Finland, and the Vatican and San Marino as holes in Italy, so they are kept too). Kosovo has no ISO
# numeric code: world-atlas leaves its id empty, so it is keyed by its name; XK is the code the EU and
# the IMF use for it.
COUNTRIES: dict[str, tuple[str, str]] = {
    "804": ("UA", "Ukraine"),
    "112": ("BY", "Belarus"),
    "643": ("RU", "Russia"),
    "616": ("PL", "Poland"),
    "440": ("LT", "Lithuania"),
    "428": ("LV", "Latvia"),
    "233": ("EE", "Estonia"),
    "498": ("MD", "Moldova"),
    "642": ("RO", "Romania"),
    "703": ("SK", "Slovakia"),
    "348": ("HU", "Hungary"),
    "246": ("FI", "Finland"),
    "248": ("AX", "Åland Islands"),
    "752": ("SE", "Sweden"),
    "578": ("NO", "Norway"),
    "208": ("DK", "Denmark"),
    "276": ("DE", "Germany"),
    "203": ("CZ", "Czechia"),
    "040": ("AT", "Austria"),
    "756": ("CH", "Switzerland"),
    "380": ("IT", "Italy"),
    "336": ("VA", "Vatican City"),
    "674": ("SM", "San Marino"),
    "705": ("SI", "Slovenia"),
    "191": ("HR", "Croatia"),
    "070": ("BA", "Bosnia and Herzegovina"),
    "688": ("RS", "Serbia"),
    "499": ("ME", "Montenegro"),
    "Kosovo": ("XK", "Kosovo"),
    "807": ("MK", "North Macedonia"),
    "008": ("AL", "Albania"),
    "300": ("GR", "Greece"),
    "100": ("BG", "Bulgaria"),
    "792": ("TR", "Turkey"),
    "268": ("GE", "Georgia"),
    "051": ("AM", "Armenia"),
    "031": ("AZ", "Azerbaijan"),
    "398": ("KZ", "Kazakhstan"),
}

# Crimea: Natural Earth's default admin-0 draws the peninsula inside Russia. A polygon part of Russia
# whose representative point lies in this box is Crimea (the box ends at 46.3N, south of the Kherson
# mainland; Russia has no other land there).
CRIMEA_BOX = (32.4, 44.3, 36.7, 46.3)
OCCUPIED = "occupied since 2014"


def fetch_tarball(workdir: Path) -> Path:
    """Download the pinned package with the ordinary npm client; return the tarball's path."""
    spec = f"{PACKAGE}@{VERSION}"
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    filename: str = json.loads(result.stdout)[0]["filename"]
    return workdir / filename


def sha1_of(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def read_topology(tarball: Path) -> dict[str, Any]:
    """The TopoJSON topology inside the package tarball."""
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile(TOPOLOGY_MEMBER)
        if member is None:
            raise FileNotFoundError(f"{TOPOLOGY_MEMBER} not in {tarball}")
        return dict(json.load(member))


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat arcs of a quantized topology (TopoJSON spec 2.1.2 and 2.2).

    Each position after the first of an arc is a delta from the previous one, in quantized units;
    `transform` maps quantized units to degrees: x * scale + translate.

    >>> decode_arcs({"transform": {"scale": [0.5, 0.25], "translate": [10, 40]},
    ...              "arcs": [[[0, 0], [2, 4], [-1, 0]]]})
    [[(10.0, 40.0), (11.0, 41.0), (10.5, 41.0)]]
    """
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def simplify_arcs(
    arcs: Iterable[list[tuple[float, float]]], tolerance: float
) -> list[list[tuple[float, float]]]:
    """Douglas-Peucker on each arc. Endpoints are kept, so rings still close and shared borders match."""
    simplified = []
    for arc in arcs:
        if len(arc) > 2:
            line = LineString(arc).simplify(tolerance, preserve_topology=False)
            arc = [(x, y) for x, y in line.coords]
        simplified.append(arc)
    return simplified


def stitch_ring(
    indices: Sequence[int], arcs: Sequence[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    """One ring from arc indices; a negative index ~i means arc i reversed (TopoJSON spec 2.2).

    Consecutive arcs share their joining point, so it is kept once.

    >>> arcs = [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], [(0.0, 0.0), (1.0, 1.0)]]
    >>> stitch_ring([0, ~1], arcs)
    [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]
    """
    ring: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def unwrap_antimeridian(ring: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring with each longitude moved by whole turns to lie within 180 degrees of the one before.

    world-atlas keeps spherical rings whole, so Russia's ring jumps from 180 to -180 at Chukotka; read
    as planar, that jump is a line across the whole map that cuts the Kola coast and makes the polygon
    invalid. Unwrapped, Chukotka lies east of 180 and the clip to WINDOW drops it.

    >>> unwrap_antimeridian([(179.0, 65.0), (-179.0, 66.0), (-179.0, 64.0), (179.0, 65.0)])
    [(179.0, 65.0), (181.0, 66.0), (181.0, 64.0), (179.0, 65.0)]
    """
    unwrapped = [ring[0]]
    for x, y in ring[1:]:
        turns = round((unwrapped[-1][0] - x) / 360)
        unwrapped.append((x + 360 * turns, y))
    if min(x for x, _ in unwrapped) < -180:
        unwrapped = [(x + 360, y) for x, y in unwrapped]
    return unwrapped


def polygons_of(geometry: dict[str, Any], arcs: Sequence[list[tuple[float, float]]]) -> list[Polygon]:
    """Shapely polygons of one TopoJSON Polygon or MultiPolygon object."""
    if geometry["type"] == "Polygon":
        parts = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {geometry['type']!r}")
    polygons = []
    for rings in parts:
        shell, *holes = (unwrap_antimeridian(stitch_ring(ring, arcs)) for ring in rings)
        # A tiny ring can collapse below 4 points after simplification; it is below map resolution.
        if len(shell) >= 4:
            polygons.append(Polygon(shell, [hole for hole in holes if len(hole) >= 4]))
    return polygons


def country_key(geometry: dict[str, Any]) -> str:
    """The COUNTRIES key of a world-atlas geometry: its ISO numeric id, else its name (Kosovo)."""
    return str(geometry.get("id") or geometry["properties"]["name"])


def split_crimea(russia: Sequence[Polygon]) -> tuple[list[Polygon], list[Polygon]]:
    """(Russia without Crimea, the Crimean parts): a part is Crimean if its representative point is in
    CRIMEA_BOX."""
    crimea_box = box(*CRIMEA_BOX)
    crimea = [part for part in russia if crimea_box.contains(part.representative_point())]
    rest = [part for part in russia if not crimea_box.contains(part.representative_point())]
    return rest, crimea


def finish(polygons: Sequence[Polygon]) -> BaseGeometry:
    """Repair, union, clip to WINDOW, snap to the output grid; always a valid (Multi)Polygon or empty.

    The decoded parts are valid (tested at the pinned version); make_valid is a cheap safety net in
    case a narrow part crosses itself after simplification.
    """
    geometry = shapely.union_all([shapely.make_valid(part) for part in polygons])
    geometry = geometry.intersection(box(*WINDOW))
    geometry = shapely.set_precision(geometry, 10.0**-DECIMALS)
    polygonal = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon | MultiPolygon)]
    return shapely.union_all(polygonal)


def feature(geometry: BaseGeometry, iso_a2: str, name: str, status: str = "") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"iso_a2": iso_a2, "name": name, "status": status},
        "geometry": round_coordinates(mapping(geometry)),
    }


def round_coordinates(value: Any) -> Any:
    """Coordinates rounded to DECIMALS (~1 m); set_precision leaves float noise like 30.120000000000001."""
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [round_coordinates(item) for item in value]
    if isinstance(value, dict):
        return {key: round_coordinates(item) for key, item in value.items()}
    return value


def build_features(topology: dict[str, Any]) -> list[dict[str, Any]]:
    """The output features, countries sorted by ISO code, then the Crimea overlay."""
    arcs = simplify_arcs(decode_arcs(topology), SIMPLIFY_DEGREES)
    wanted = {
        COUNTRIES[country_key(g)]: polygons_of(g, arcs)
        for g in topology["objects"]["countries"]["geometries"]
        if country_key(g) in COUNTRIES
    }
    missing = set(COUNTRIES.values()) - set(wanted)
    if missing:
        raise ValueError(f"countries missing from the topology: {sorted(missing)}")

    ukraine, russia = COUNTRIES["804"], COUNTRIES["643"]
    wanted[russia], crimea = split_crimea(wanted[russia])
    if not crimea:
        raise ValueError("no part of Russia lies on the Crimean peninsula; check CRIMEA_BOX")
    log.info("moved %d Crimean part(s) of Russia to Ukraine", len(crimea))
    wanted[ukraine] = [*wanted[ukraine], *crimea]

    features = [feature(finish(polys), iso, name) for (iso, name), polys in sorted(wanted.items())]
    features.append(feature(finish(crimea), "UA", "Crimea", OCCUPIED))
    return features


def write_collection(features: list[dict[str, Any]], path: Path) -> None:
    """RFC 7946 FeatureCollection: WGS 84 lon/lat is implied, so there is no `crs` member (section 4)."""
    collection = {"type": "FeatureCollection", "features": features}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="use this world-atlas tarball instead of npm pack")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory() as workdir:
        tarball = args.tarball or fetch_tarball(Path(workdir))
        digest = sha1_of(tarball)
        if digest != TARBALL_SHA1:
            log.error("%s has sha1 %s, expected %s", tarball, digest, TARBALL_SHA1)
            return 1
        topology = read_topology(tarball)

    features = build_features(topology)
    write_collection(features, args.output)
    log.info("wrote %d features, %d bytes to %s", len(features), args.output.stat().st_size, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
