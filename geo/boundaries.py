"""Country polygons for the maps (I/O edge) and the preset views of the theatre.

The polygons are data/boundaries/countries.geojson, built by scripts/build_boundaries.py from Natural
Earth (see data/boundaries/SOURCE.md): one feature per country with `iso_a2`, `name` and `status`, Crimea
inside Ukraine, plus a second Crimea feature with status "occupied since 2014" for maps to hatch.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd

from geo.errors import BoundariesError

BOUNDARIES_PATH = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "countries.geojson"
COLUMNS = ("iso_a2", "name", "status")

BBox = tuple[float, float, float, float]
"""(min_lon, min_lat, max_lon, max_lat) in degrees, the order of shapely's `bounds` and GeoJSON's bbox."""

REGIONS: MappingProxyType[str, BBox] = MappingProxyType(
    {
        "ukraine": (22.0, 44.0, 40.5, 52.5),
        "belarus": (23.0, 51.0, 33.0, 56.5),
        "baltic": (20.5, 53.5, 28.5, 60.0),
        "theatre": (10.0, 40.0, 50.0, 72.0),
    }
)
"""Preset map views, name -> BBox.

Written out rather than computed so that choosing a view never reads the file. Each box is the total
bounds of its countries in countries.geojson (ukraine: UA with Crimea; belarus: BY; baltic: EE, LV, LT)
rounded outward to the next half degree, which leaves a thin margin round the border; `theatre` is the
window the file is clipped to. tests/test_boundaries.py checks each box against the file.
"""


def view_box(view: str | BBox) -> BBox:
    """The box of a view: a name in REGIONS, or a (min_lon, min_lat, max_lon, max_lat) box, checked.

    >>> view_box("baltic")
    (20.5, 53.5, 28.5, 60.0)
    >>> view_box((30, 50, 20, 55))
    Traceback (most recent call last):
    ValueError: a view box is (min_lon, min_lat, max_lon, max_lat) in degrees, not (30, 50, 20, 55)
    """
    if isinstance(view, str):
        try:
            return REGIONS[view]
        except KeyError:
            raise ValueError(f"unknown view {view!r}; choose one of {sorted(REGIONS)}") from None
    min_lon, min_lat, max_lon, max_lat = (float(value) for value in view)
    if not (-180 <= min_lon < max_lon <= 180 and -90 < min_lat < max_lat < 90):
        raise ValueError(f"a view box is (min_lon, min_lat, max_lon, max_lat) in degrees, not {view!r}")
    return (min_lon, min_lat, max_lon, max_lat)


def load_boundaries(path: Path | None = None) -> gpd.GeoDataFrame:
    """The country polygons (EPSG:4326), columns iso_a2, name, status, geometry.

    Read once per path and cached; each call returns a copy, so a caller may change its frame freely.

    >>> world = load_boundaries()
    >>> world.loc[world["status"] != "", ["iso_a2", "name", "status"]].values.tolist()
    [['UA', 'Crimea', 'occupied since 2014']]
    """
    return _read_boundaries(path or BOUNDARIES_PATH).copy()


@functools.lru_cache(maxsize=4)
def _read_boundaries(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise BoundariesError(f"no boundaries file at {path}; see data/boundaries/SOURCE.md to rebuild it")
    frame = gpd.read_file(path)
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise BoundariesError(f"{path} lacks the properties {missing}")
    # GeoJSON is always WGS 84 lon/lat (RFC 7946 section 4); say so even if a reader left crs unset.
    return frame.set_crs("EPSG:4326", allow_override=True)
