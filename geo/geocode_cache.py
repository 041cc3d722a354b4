"""The on-disk cache of online geocoder answers: one SQLite file, one row per (name, countries) query.

Split from `geo.geocode` because storage is its own concept: the geocoder decides *what* to ask and
how to behave on the wire; this module only remembers answers. It exists for the Nominatim usage
policy (https://operations.osmfoundation.org/policies/nominatim/): "cache results, do not ask the
same thing twice". Every answer, "not found" included, is kept, so a name is asked once ever; a
broken cache is logged and treated as a miss so it never stops a run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import ConfigError, GeocoderError
from geo.text import normalise

__all__ = ["CACHE_FILE_NAME", "CachedAnswer", "GeocodeCache", "cache_key", "default_cache_path"]

logger = logging.getLogger(__name__)

CACHE_FILE_NAME = "geocode.sqlite"


def default_cache_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/crisis-map/geocode.sqlite``, or under ``~/.cache`` when that is unset.

    A relative ``XDG_CACHE_HOME`` is ignored, as the XDG Base Directory spec asks.

    >>> default_cache_path({"XDG_CACHE_HOME": "/var/cache/me"}).as_posix()
    '/var/cache/me/crisis-map/geocode.sqlite'
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "crisis-map" / CACHE_FILE_NAME


def cache_key(name: str, country_codes: tuple[str, ...] = ()) -> tuple[str, str]:
    """The cache key of a query: the normalised name and the sorted, lower-case country codes.

    Raises ConfigError for a country code that is not two letters.

    >>> cache_key("Yel'nya", ("UA", "by"))
    ('yelnya', 'by,ua')
    """
    codes = sorted({code.strip().lower() for code in country_codes})
    for code in codes:
        if len(code) != 2 or not code.isalpha():
            raise ConfigError(f"country code {code!r} is not an ISO 3166-1 alpha-2 code")
    return normalise(name), ",".join(codes)


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One cached reply: the raw Nominatim result, or None for "not found", and when it was fetched."""

    result: dict[str, Any] | None
    fetched_at: str


class GeocodeCache:
    """A SQLite file of geocoder answers keyed by `cache_key`; every write is one transaction.

    Opening creates the file and its table; a file that cannot be opened raises GeocoderError.
    Later read or write failures are logged and treated as a miss: a broken cache never stops a run.
    """

    _SCHEMA = """
        CREATE TABLE IF NOT EXISTS answers (
            name TEXT NOT NULL,
            country_codes TEXT NOT NULL,
            result TEXT,              -- Nominatim result as JSON; NULL means "not found"
            fetched_at TEXT NOT NULL, -- ISO 8601, UTC
            PRIMARY KEY (name, country_codes)
        )
    """

    def __init__(self, path: str | os.PathLike[str], *, now: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._now = now
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn, conn:
                conn.execute(self._SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise GeocoderError(f"geocoder cache {self.path} cannot be opened: {exc}") from exc

    def _connect(self) -> closing[sqlite3.Connection]:
        return closing(sqlite3.connect(self.path, timeout=10.0))

    def get(self, key: tuple[str, str]) -> CachedAnswer | None:
        """The cached answer for `key`, or None when the name was never asked (or the row is bad)."""
        try:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT result, fetched_at FROM answers WHERE name = ? AND country_codes = ?", key
                ).fetchone()
        except sqlite3.Error as exc:
            logger.warning("geocoder: cache %s cannot be read: %s", self.path, exc)
            return None
        if row is None:
            return None
        text, fetched_at = row
        if text is None:
            return CachedAnswer(None, str(fetched_at))
        try:
            result = json.loads(text)
        except ValueError:
            result = None
        if not isinstance(result, dict):
            logger.warning("geocoder: cached answer for %r is corrupt; asking again", key[0])
            return None
        return CachedAnswer(result, str(fetched_at))

    def put(self, key: tuple[str, str], result: Mapping[str, Any] | None) -> None:
        """Store a result (None = "not found") for `key`, replacing any older answer."""
        text = None if result is None else json.dumps(result, ensure_ascii=False, sort_keys=True)
        fetched_at = dt.datetime.fromtimestamp(self._now(), tz=dt.UTC).isoformat(timespec="seconds")
        try:
            with self._connect() as conn, conn:  # `with conn` = one transaction, rolled back on error
                conn.execute(
                    "INSERT OR REPLACE INTO answers (name, country_codes, result, fetched_at)"
                    " VALUES (?, ?, ?, ?)",
                    (*key, text, fetched_at),
                )
        except sqlite3.Error as exc:
            logger.warning("geocoder: cache %s cannot be written: %s", self.path, exc)
