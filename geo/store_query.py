"""Reading merged events out of the store as a DataFrame, column by column, with no Python object per row.

Why: at a million events, finding a 7-day window's 58k rows takes SQLite ~20 ms, but turning them into
Python tuples and then into a frame took ~0.7 s (~0.4 µs a value on our 2-core machine). So SQLite
writes each stored column of the window as ONE comma-joined text (``group_concat``, in C), Arrow splits
and parses those texts (in C), the place of each event (name, coordinates, country) is taken from an
in-memory copy of the small ``places`` table, and the frame is assembled from Arrow arrays. The layout
this relies on is in `geo.store_schema`.

The map page reads less than a frame of events: its points (`points_frame`: events merged per place
and category on the id's bits, place text looked up once per point: a season of 100,000 events in
~0.1 s), its timeline's counts per day and category (`day_counts_frame`: the ids only), and the first
page of the events table (`window_sql`'s limit).

numpy, pandas and pyarrow are imported by the functions that read, not by the module: `geo ingest`
and `geo extract` only write, and importing them was 0.4 s of every command's start.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo.store_schema import (
    CATEGORY_BITS,
    CATEGORY_MASK,
    DAY_SHIFT,
    PLACE_BITS,
    PLACE_MASK,
    SQL_CATEGORY,
    SQL_PLACE,
    day_number,
    id_range,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

EVENT_COLUMNS = ("event_key", "place_id", "name", "lat", "lon", "country", "admin1", "precision",
                 "category", "event_date", "date_precision", "source_count", "article_count",
                 "first_seen", "confidence")
MAP_COLUMNS = ("event_key", "name", "lat", "lon", "country", "category", "event_date", "source_count",
               "confidence")  # what a map point and its tooltip need

# what SQLite reads from an events row for each stored column (group_concat skips NULLs: none here);
# every other column derives from the row's id and the places table. A confidence (0..1) is written
# as an integer of billionths: SQLite prints a REAL ~3 times slower than an integer, and a season's
# map reads 100,000 of them
CONFIDENCE_SCALE = 1_000_000_000
_STORED = {"id": "e.id", "date_precision": "e.date_precision", "source_count": "e.source_count",
           "article_count": "e.article_count", "first_seen": "ifnull(e.first_seen, '')",
           "confidence": f"CAST(e.confidence * {CONFIDENCE_SCALE} + 0.5 AS INTEGER)"}
_PLACE_COLUMNS = ("place_id", "name", "country", "admin1", "precision")


@dataclass(frozen=True, slots=True)
class PlaceTable:
    """The store's places in memory, as columns indexed by place number (gaps hold nulls).

    Places are only ever added, never changed, so a copy is brought up to date by reading the places
    numbered above `last`.
    """

    last: int
    text: Mapping[str, pa.Array]  # _PLACE_COLUMNS -> strings
    lat: np.ndarray[Any, np.dtype[np.float64]]
    lon: np.ndarray[Any, np.dtype[np.float64]]


def read_places(db: sqlite3.Connection, known: PlaceTable | None) -> PlaceTable:
    """`known` brought up to date with the places stored since it was read (None: none read yet).

    Each column comes as one JSON array (escaping makes any name safe), parsed in C: a store's first
    query reads tens of thousands of places.
    """
    import numpy as np
    import pyarrow as pa

    if known is None:  # number 0 is no place: places are numbered from 1
        known = PlaceTable(0, {name: pa.array([None], pa.string()) for name in _PLACE_COLUMNS},
                           np.full(1, np.nan), np.full(1, np.nan))
    columns = ("id", "place_id", "name", "lat", "lon", "country", "admin1", "precision")
    texts = db.execute(f"SELECT {', '.join(f'json_group_array({c})' for c in columns)} "
                       "FROM places WHERE id > ?", (known.last,)).fetchone()
    values = dict(zip(columns, (json.loads(text) for text in texts), strict=True))
    if not values["id"]:
        return known
    numbers = np.asarray(values["id"])
    last = int(numbers.max())
    at = numbers - known.last - 1  # positions in the new stretch of numbers, known.last + 1 .. last

    def stretch(name: str, fill: Any) -> np.ndarray[Any, Any]:
        column = np.full(last - known.last, fill, dtype=object if fill is None else np.float64)
        column[at] = values[name]
        return column

    return PlaceTable(
        last,
        {name: pa.concat_arrays([known.text[name], pa.array(stretch(name, None), pa.string())])
         for name in _PLACE_COLUMNS},
        np.concatenate([known.lat, stretch("lat", np.nan)]),
        np.concatenate([known.lon, stretch("lon", np.nan)]))


def read_categories(db: sqlite3.Connection) -> dict[int, str]:
    """Category code -> name."""
    return dict(db.execute("SELECT code, name FROM categories"))


def filter_sql(*, start: dt.date | None, end: dt.date | None, category_codes: Collection[int] | None,
               countries: Collection[str], bbox: tuple[float, float, float, float] | None,
               min_confidence: float, outlets: Collection[str], text: str) -> tuple[str, list[Any]]:
    """The WHERE condition over ``events e`` for `Store.query`'s filters, and its parameters.

    `category_codes` None means any category. Place filters become one set of place numbers, which
    SQLite builds once per query.

    >>> filter_sql(start=dt.date(1970, 1, 2), end=None, category_codes=[1], countries=(), bbox=None,
    ...            min_confidence=0.5, outlets=(), text="")
    ('e.id >= ? AND ((e.id >> 32) & 255) IN (?) AND e.confidence >= ?', [1099511627776, 1, 0.5])
    """
    where: list[str] = []
    params: list[Any] = []
    first, last = id_range(None if start is None else day_number(start),
                           None if end is None else day_number(end))
    if first is not None:
        where.append("e.id >= ?")
        params.append(first)
    if last is not None:
        where.append("e.id <= ?")
        params.append(last)
    if category_codes is not None:
        where.append(f"{SQL_CATEGORY} IN ({_marks(category_codes)})")
        params.extend(category_codes)
    if countries:
        where.append(f"{SQL_PLACE} IN (SELECT id FROM places WHERE country IN ({_marks(countries)}))")
        params.extend(countries)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        if min_lat > max_lat:
            raise ValueError(f"bbox min_lat {min_lat} > max_lat {max_lat}")
        lon = "lon BETWEEN ? AND ?" if min_lon <= max_lon else "(lon >= ? OR lon <= ?)"
        where.append(f"{SQL_PLACE} IN (SELECT id FROM places WHERE lat BETWEEN ? AND ? AND {lon})")
        params.extend((min_lat, max_lat, min_lon, max_lon))
    if min_confidence > 0:
        where.append("e.confidence >= ?")
        params.append(min_confidence)
    if outlets:
        where.append("EXISTS (SELECT 1 FROM mentions m JOIN articles a ON a.hash = m.article_hash "
                     f"WHERE m.event = e.id AND a.source IN ({_marks(outlets)}))")
        params.extend(outlets)
    if text:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
        where.append(f"({SQL_PLACE} IN (SELECT id FROM places WHERE name LIKE ? ESCAPE '\\') OR "
                     "EXISTS (SELECT 1 FROM mentions m WHERE m.event = e.id AND m.sentence LIKE ? "
                     "ESCAPE '\\'))")
        params.extend((pattern, pattern))
    return " AND ".join(where) or "1", params


def window_sql(where: str, columns: Collection[str], *, limit: int | None = None
               ) -> tuple[str, tuple[str, ...]]:
    """One aggregate row: each stored column the frame needs, as one text; and their names.

    `limit` keeps the window's first events in id order (day, category, place) only.
    """
    stored = tuple(name for name in _STORED if name == "id" or name in columns)
    concat = ", ".join(f"group_concat({_STORED[name]})" for name in stored)
    if limit is None:
        return f"SELECT {concat} FROM events e WHERE {where}", stored
    return (f"SELECT {concat} FROM (SELECT * FROM events e WHERE {where} ORDER BY e.id LIMIT {int(limit)}) e",
            stored)


def events_frame(texts: Sequence[str | None], stored: Sequence[str], columns: Sequence[str],
                 places: PlaceTable, categories: Mapping[int, str]) -> pd.DataFrame:
    """The frame of `Store.query` from the texts of `window_sql`, ordered by id (day, category, place).

    Columns as `columns` names them (a subset of EVENT_COLUMNS, in that order); ``event_date`` and
    ``first_seen`` are datetime64[ns] days, text columns pandas' "str".
    """
    import pyarrow as pa  # pandas' own backing for the "str" dtype; installed with streamlit
    import pyarrow.compute as pc

    ids, raw = _in_id_order(texts, stored)
    day, place_no = ids >> DAY_SHIFT, ids & PLACE_MASK
    place, code = pa.array(place_no), pa.array((ids >> PLACE_BITS) & CATEGORY_MASK)
    names = _category_names(categories)

    def column(name: str) -> pa.Array:
        if name in _PLACE_COLUMNS:
            return places.text[name].take(place)
        if name in ("lat", "lon"):
            return pa.array((places.lat if name == "lat" else places.lon)[place_no])
        if name == "category":
            return names.take(code)
        if name == "event_date":
            return pa.array(day.astype("datetime64[D]").astype("datetime64[ns]"))
        if name == "event_key":
            return _event_keys(ids, places, names)
        if name == "first_seen":
            known = pc.if_else(pc.equal(raw[name], ""), pa.scalar(None, pa.string()), raw[name])
            return known.cast(pa.int32()).cast(pa.date32()).cast(pa.timestamp("ns"))
        if name == "date_precision":
            return raw[name]
        if name == "confidence":
            return pa.array(_confidence(raw[name]))
        return raw[name].cast(pa.int64())

    frame: pd.DataFrame = pa.table({name: column(name) for name in columns}).to_pandas()
    return frame


# what `points_frame` reads of each event: no place text, the id says place and category
POINT_STORED = ("id", "date_precision", "source_count", "article_count", "confidence")


def points_frame(texts: Sequence[str | None], stored: Sequence[str], places: PlaceTable,
                 categories: Mapping[int, str]) -> pd.DataFrame:
    """The map points of `Store.points` from the texts of `window_sql` over POINT_STORED (`stored`
    names them):
    `geo.map_points.aggregate_points` of the same events, grouped on the ids' place and category bits.

    Why: grouping the query frame costs a string per event (its key, place id, name, country) before
    they are merged; here places and category names are looked up once per point, and only the keys
    the points list are built.
    """
    import pyarrow as pa

    from geo.map_points import empty_points, group_points

    ids, raw = _in_id_order(texts, stored)
    if not len(ids):
        return empty_points()
    names = _category_names(categories)

    def attributes(first_rows: np.ndarray[Any, Any]) -> dict[str, Any]:
        place_no = ids[first_rows] & PLACE_MASK
        place, code = pa.array(place_no), pa.array((ids[first_rows] >> PLACE_BITS) & CATEGORY_MASK)
        text = pa.table({"place_id": places.text["place_id"].take(place), "category": names.take(code),
                         "name": places.text["name"].take(place),
                         "country": places.text["country"].take(place)}).to_pandas()
        return {"place_id": text["place_id"], "category": text["category"], "name": text["name"],
                "lat": places.lat[place_no], "lon": places.lon[place_no], "country": text["country"]}

    return group_points(ids & ((1 << DAY_SHIFT) - 1),  # category and place bits: one number per point
                        (ids >> DAY_SHIFT).astype("datetime64[D]").astype("datetime64[ns]"),
                        attributes=attributes, keys=lambda order: _event_keys(ids[order], places, names),
                        latest_precision=lambda rows: raw["date_precision"].take(pa.array(rows)).to_pandas(),
                        source_count=raw["source_count"].cast(pa.int64()).to_numpy(),
                        article_count=raw["article_count"].cast(pa.int64()).to_numpy(),
                        confidence=_confidence(raw["confidence"]))


def day_counts_frame(text: str | None, categories: Mapping[int, str]) -> pd.DataFrame:
    """`Store.day_counts` from the group_concat of the events' ``id >> PLACE_BITS`` (day and category
    bits): event_date, category, events."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    day_category, events = np.unique(_split(text).cast(pa.int64()).to_numpy(), return_counts=True)
    return pd.DataFrame({
        "event_date": (day_category >> CATEGORY_BITS).astype("datetime64[D]").astype("datetime64[ns]"),
        "category": pd.Series(_category_names(categories).take(pa.array(day_category & CATEGORY_MASK)),
                              dtype="str"),
        "events": events.astype(np.int64)})


def _in_id_order(texts: Sequence[str | None], stored: Sequence[str]
                 ) -> tuple[np.ndarray[Any, Any], dict[str, pa.Array]]:
    """The event ids of `window_sql` texts, ascending, and every stored column split into values."""
    import numpy as np
    import pyarrow as pa

    raw = {name: _split(text) for name, text in zip(stored, texts, strict=True)}
    ids = raw["id"].cast(pa.int64()).to_numpy()
    if np.any(ids[1:] < ids[:-1]):  # a scan in id order needs no sort; another plan would
        order = np.argsort(ids, kind="stable")
        ids, raw = ids[order], {name: array.take(pa.array(order)) for name, array in raw.items()}
    return ids, raw


def _confidence(billionths: pa.Array) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Confidences from the integers `_STORED` writes them as (exact for up to 9 decimals)."""
    import pyarrow as pa

    values: np.ndarray[Any, np.dtype[np.float64]] = billionths.cast(pa.int64()).to_numpy() / CONFIDENCE_SCALE
    return values


def _category_names(categories: Mapping[int, str]) -> pa.Array:
    """Category name by code, every code of the id's bits (unknown ones null)."""
    import pyarrow as pa

    return pa.array([categories.get(c) for c in range(CATEGORY_MASK + 1)], pa.string())


def _event_keys(ids: np.ndarray[Any, Any], places: PlaceTable, names: pa.Array) -> pa.Array:
    """The text key (place_id|category|ISO day, `geo.store.event_key`) of each event id."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    days, nth = np.unique(ids >> DAY_SHIFT, return_inverse=True)  # a window holds few days: format once
    iso_day = pa.array(days.astype(np.int32)).cast(pa.date32()).cast(pa.string()).take(nth)
    place, code = pa.array(ids & PLACE_MASK), pa.array((ids >> PLACE_BITS) & CATEGORY_MASK)
    return pc.binary_join_element_wise(places.text["place_id"].take(place), names.take(code), iso_day, "|")


def _split(text: str | None) -> pa.Array:
    """The values of one group_concat text; NULL (no rows) is no values, '' is one empty value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if text is None:
        return pa.array([], pa.string())
    return pc.split_pattern(pa.array([text], pa.string()), ",").flatten()


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" * len(values))
