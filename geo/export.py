"""Exports of a filtered view of the store: data layers, a briefing page and map images.

`export_view` is what ``geo export`` runs: the events an `EventFilter` selects, written as GeoJSON
layers, a GeoPackage, a CSV table (`geo.export_layers`), a standalone HTML briefing map
(`geo.briefing_html`) or a PNG / SVG / PDF image (`geo.map_image`). `export_bytes` makes the same
files in memory for the dashboard's download buttons. Both read the store the way the map page does
(`Store.query` or `Store.points` with the filter's arguments, `sources_by_point`), so an export
shows what the dashboard shows for the same filter.

An empty selection is not an error: the layers are written empty and the summary says so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from geo.boundaries import load_boundaries
from geo.errors import ExportError
from geo.export_layers import (
    ALL_LAYER,
    event_features,
    feature_collection,
    geojson_bytes,
    write_csv,
    write_geojson,
    write_geojson_layers,
    write_geopackage,
)
from geo.filters import EventFilter
from geo.map_points import sources_by_point
from geo.store import Store

__all__ = ["DATA_FORMATS", "DEFAULT_TITLE", "EXPORT_FORMATS", "IMAGE_FORMATS", "MIME_TYPES", "ExportError",
           "ExportSummary", "export_bytes", "export_file_name", "export_view", "resolve_out"]

DATA_FORMATS = ("geojson", "gpkg", "csv")
IMAGE_FORMATS = ("png", "svg", "pdf")
EXPORT_FORMATS = (*DATA_FORMATS, "html", *IMAGE_FORMATS)
MIME_TYPES: Mapping[str, str] = MappingProxyType({
    "geojson": "application/geo+json",  # RFC 7946 section 12
    "gpkg": "application/geopackage+sqlite3",  # OGC GeoPackage 1.3, registered with IANA
    "csv": "text/csv",
    "html": "text/html",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
})
DEFAULT_TITLE = "Crisis Map"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote: the files, the events selected and, for data formats, each layer's count."""

    fmt: str
    paths: tuple[Path, ...]
    events: int
    layers: Mapping[str, int] = field(default_factory=dict)
    points: int | None = None  # map points (place, category) drawn by html / image exports

    def describe(self) -> str:
        """One line for the CLI, e.g. ``wrote 6 geojson files to out: all 297, deployment 85, ...``.

        >>> ExportSummary("csv", (Path("e.csv"),), 0, {"all": 0}).describe()
        'wrote e.csv (csv): no events match the filters, the file is empty'
        """
        where = str(self.paths[0]) if len(self.paths) == 1 else \
            f"{len(self.paths)} {self.fmt} files to {os.path.commonpath([str(p) for p in self.paths])}"
        head = f"wrote {where}" + (f" ({self.fmt})" if len(self.paths) == 1 else "")
        if self.events == 0:
            empty = "the layers are empty" if len(self.layers) > 1 else \
                "the file is empty" if self.layers else "the map shows no points"
            return f"{head}: no events match the filters, {empty}"
        if self.layers:
            return f"{head}: " + ", ".join(f"{name} {count:,}" for name, count in self.layers.items())
        return f"{head}: {self.events:,} events at {self.points or 0:,} places and categories"


def export_file_name(flt: EventFilter, fmt: str) -> str:
    """A file name that says what an export holds: view and date window.

    >>> import datetime as dt
    >>> export_file_name(EventFilter("ukraine", dt.date(2022, 2, 10), dt.date(2022, 2, 20)), "gpkg")
    'crisis-map-ukraine-2022-02-10_2022-02-20.gpkg'
    >>> export_file_name(EventFilter(), "geojson")
    'crisis-map-theatre.geojson'
    """
    window = "" if flt.start is None and flt.end is None else "-" + "_".join(
        d.isoformat() if d else "open" for d in (flt.start, flt.end))
    return f"crisis-map-{flt.view}{window}.{_check_format(fmt)}"


def _check_format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    return fmt


def resolve_out(fmt: str, out: str | Path, flt: EventFilter) -> tuple[Path, bool]:
    """The path an export writes and whether it is a folder of GeoJSON layers; ExportError if it
    cannot be written there. Creates nothing.

    `out` names a folder when it ends with a path separator, is an existing folder, or is a new path
    without a suffix: geojson then writes its layers into it, any other format one file named by
    `export_file_name`. Otherwise `out` is the file (for geojson it must end in ``.geojson`` or
    ``.json``). The folder that holds the file, or the new folder, must already exist.
    """
    _check_format(fmt)
    text, path = str(out), Path(out)
    is_folder = text.endswith(("/", os.sep)) or path.is_dir() or (path.suffix == "" and not path.exists())
    if not is_folder:
        if fmt == "geojson" and path.suffix.lower() not in (".geojson", ".json"):
            raise ExportError(f"--out {text}: a geojson export is a .geojson file or a folder "
                              "(end it with /)")
        _check_writable_dir(path.parent, text)
        return path, False
    if path.exists() and not path.is_dir():
        raise ExportError(f"--out {text}: is a file, not a folder")
    _check_writable_dir(path if path.exists() else path.parent, text)
    return (path, True) if fmt == "geojson" else (path / export_file_name(flt, fmt), False)


def _check_writable_dir(folder: Path, out: str) -> None:
    where = folder if str(folder) else Path(".")
    if not where.exists():
        raise ExportError(f"--out {out}: the folder {where} does not exist")
    if not where.is_dir():
        raise ExportError(f"--out {out}: {where} is not a folder")
    if not os.access(where, os.W_OK | os.X_OK):
        raise ExportError(f"--out {out}: the folder {where} is not writable")


def export_view(store: Store, flt: EventFilter, fmt: str, out: str | Path, *, title: str | None = None,
                offline: bool = False) -> ExportSummary:
    """Write the events `flt` selects from `store` as `fmt` (one of EXPORT_FORMATS) at `out`.

    Data formats write one feature per event (`geo.export_layers`): geojson a folder of layers
    (``all.geojson`` and one per category) or, for a ``.geojson`` path, one file of every event; gpkg
    one layer per category plus ``all``; csv one table. ``html`` is the briefing page (Leaflet inlined
    when `offline`), png / svg / pdf a map image; `title` heads both (default "Crisis Map"; the view
    and date window are added below it). Raises ExportError for a bad format or output path (checked
    before the store is read), StoreError if the store cannot be read.
    """
    target, is_folder = resolve_out(fmt, out, flt)
    try:
        (target if is_folder else target.parent).mkdir(exist_ok=True)  # its parent was checked
        if fmt in DATA_FORMATS:
            events, features = _view_features(store, flt)
            categories = flt.categories
            if fmt == "geojson" and is_folder:
                written = write_geojson_layers(features, target, categories)
                return ExportSummary(fmt, tuple(written), len(events),
                                     {path.stem: count for path, count in written.items()})
            if fmt == "geojson":
                write_geojson(features, target)
                layers = {ALL_LAYER: len(features)}
            elif fmt == "gpkg":
                layers = write_geopackage(features, target, categories)
            else:
                write_csv(features, target)
                layers = {ALL_LAYER: len(features)}
            return ExportSummary(fmt, (target,), len(events), layers)
        data, events_count, points_count = _render_map(store, flt, fmt, title=title, offline=offline)
        target.write_bytes(data)
        return ExportSummary(fmt, (target,), events_count, points=points_count)
    except OSError as exc:
        raise ExportError(f"could not write {target}: {exc.strerror or exc}") from exc


def export_bytes(store: Store, flt: EventFilter, fmt: str, *, title: str | None = None,
                 offline: bool = True) -> tuple[bytes, str, str]:
    """The export of `export_view` in memory, for a download button: (content, file name, MIME type).

    geojson is the one collection of every event; gpkg is built in a temporary file and read back.
    """
    name, mime = export_file_name(flt, fmt), MIME_TYPES[fmt]
    if fmt in DATA_FORMATS:
        _events, features = _view_features(store, flt)
        if fmt == "geojson":
            return geojson_bytes(feature_collection(features, name=ALL_LAYER)), name, mime
        with tempfile.TemporaryDirectory(prefix="crisis-map-export-") as folder:
            path = Path(folder) / name
            if fmt == "gpkg":
                write_geopackage(features, path, flt.categories)
            else:
                write_csv(features, path)
            return path.read_bytes(), name, mime
    data, *_ = _render_map(store, flt, fmt, title=title, offline=offline)
    return data, name, mime


def _view_features(store: Store, flt: EventFilter) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The events the filter selects, and one GeoJSON feature per event with its sources."""
    events = store.query(**flt.store_query_kwargs())
    return events, event_features(events, store.sources(events["event_key"]))


def _render_map(store: Store, flt: EventFilter, fmt: str, *, title: str | None, offline: bool
                ) -> tuple[bytes, int, int]:
    """The html page or map image of the filter's points: (content, events, points). Their modules
    are imported here, on use: they load folium / matplotlib."""
    points = store.points(**flt.store_query_kwargs())
    heading = title or DEFAULT_TITLE
    if fmt == "html":
        from geo.briefing_html import briefing_html
        from geo.folium_map import detailed_event_keys

        sources = store.sources(detailed_event_keys(points))
        page = briefing_html(points, sources_by_point(sources), flt, title=heading, offline=offline,
                             boundaries=load_boundaries(), sources=sources)
        data = page.encode()
    elif fmt in IMAGE_FORMATS:
        from geo.map_image import render_map_image

        data = render_map_image(points, view=flt.view, title=heading, subtitle=flt.title(), fmt=fmt,
                                boundaries=load_boundaries())
    else:
        raise ExportError(f"{fmt!r} is not a map format; choose html, {', '.join(IMAGE_FORMATS)}")
    return data, int(points["events"].sum()), len(points)

