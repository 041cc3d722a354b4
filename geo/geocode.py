"""Optional online geocoder fallback (Nominatim via geopy), off by default.

The offline gazetteer resolves most mentions; when ``Config.online_fallback`` is on, names it cannot
resolve may be asked of a Nominatim server. This module is an I/O edge: it talks HTTP and keeps an
on-disk cache, and it is injected into the resolver through the small `Geocoder` protocol.

Nominatim usage policy (https://operations.osmfoundation.org/policies/nominatim/), which shapes
the choices below:

* at most one request per second -- every request goes through geopy's `RateLimiter` with a
  ``min_delay_seconds`` of at least 1.0, and smaller values are rejected;
* identify the application with a real User-Agent -- ``user_agent`` is required and non-empty;
* cache results, do not ask the same thing twice -- every answer, including "not found", is kept in a
  SQLite file (`geo.geocode_cache`), so a name is asked once ever. Failures are not cached, so they are
  retried next run;
* back off when told to -- after HTTP 429 with a Retry-After header, no request is sent until then.

A failure (timeout, HTTP 429 or 5xx, a reply that is not JSON or not shaped like Nominatim's) is
logged once as a warning and the call returns None: the mention stays unresolved, nothing is raised.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from geopy.adapters import AdapterHTTPError, URLLibAdapter
from geopy.exc import (
    ConfigurationError,
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo.config import Config
from geo.errors import ConfigError
from geo.geocode_cache import CACHE_FILE_NAME, CachedAnswer, GeocodeCache, cache_key, default_cache_path
from geo.models import Place, Precision

# The cache names are re-exported: they were defined here before `geo.geocode_cache` was split off.
__all__ = [
    "CACHE_FILE_NAME",
    "MIN_DELAY_SECONDS",
    "PRECISION_BY_TYPE",
    "SOURCE",
    "CachedAnswer",
    "GeocodeCache",
    "Geocoder",
    "NominatimGeocoder",
    "cache_key",
    "default_cache_path",
    "describe_failure",
    "make_geocoder",
    "nominatim_precision",
    "place_from_nominatim",
]

logger = logging.getLogger(__name__)

# Nominatim usage policy: "an absolute maximum of 1 request per second".
MIN_DELAY_SECONDS = 1.0
SOURCE = "nominatim"

# Which Nominatim `addresstype` / `type` values mean which precision; first matching row wins and
# anything unlisted is a SITE. `class` never decides on its own: every class we care about
# ("place", "boundary", "natural") is made precise by its `type` or `addresstype`.
PRECISION_BY_TYPE: tuple[tuple[frozenset[str], Precision], ...] = (
    (frozenset({"country"}), Precision.COUNTRY),
    (frozenset({"state", "province", "region"}), Precision.ADMIN1),
    (frozenset({"city", "town", "village", "hamlet"}), Precision.SETTLEMENT),
    (frozenset({"sea", "bay", "strait"}), Precision.SEA),
)

# Why a call failed, most specific first (GeocoderTimedOut etc. all derive from GeocoderServiceError).
_FAILURE_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (GeocoderTimedOut, "timeout"),
    (GeocoderRateLimited, "rate limited (HTTP 429)"),
    (GeocoderParseError, "reply is not valid JSON"),
    (GeocoderUnavailable, "service unavailable"),
    (GeocoderServiceError, "service error"),
    (GeopyError, "geopy error"),
)
# A reply that is JSON but not shaped like Nominatim's fails inside geopy or `place_from_nominatim`
# with one of these.
_SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


@runtime_checkable
class Geocoder(Protocol):
    """Anything that can turn one place name into a Place, or None when it cannot."""

    def geocode(self, name: str, *, country_codes: tuple[str, ...] = ()) -> Place | None:
        """Return the place called `name` (restricted to ISO `country_codes` if given), or None."""
        ...


def nominatim_precision(result: Mapping[str, Any]) -> Precision:
    """Precision of a Nominatim result from its ``addresstype``, then its ``type``.

    >>> nominatim_precision({"class": "boundary", "type": "administrative", "addresstype": "state"})
    <Precision.ADMIN1: 'admin1'>
    >>> nominatim_precision({"class": "natural", "type": "strait"})
    <Precision.SEA: 'sea'>
    >>> nominatim_precision({"class": "amenity", "type": "hospital", "addresstype": "amenity"})
    <Precision.SITE: 'site'>
    """
    for label in (result.get("addresstype"), result.get("type")):
        for types, precision in PRECISION_BY_TYPE:
            if label in types:
                return precision
    return Precision.SITE


def place_from_nominatim(result: Mapping[str, Any]) -> Place:
    """Build a Place from one Nominatim ``/search`` result (format json or jsonv2).

    Raises KeyError, TypeError or ValueError when the result is not shaped like Nominatim's.

    >>> place_from_nominatim({"osm_type": "relation", "osm_id": 71971, "lat": "45.3", "lon": "36.5",
    ...     "display_name": "Kerch Strait", "class": "natural", "type": "strait",
    ...     "address": {"country_code": "ua"}})  # doctest: +NORMALIZE_WHITESPACE
    Place(id='osm:relation/71971', name='Kerch Strait', lat=45.3, lon=36.5, kind='strait',
          precision=<Precision.SEA: 'sea'>, country='UA', admin1='', population=0, source='nominatim')
    """
    display_name = str(result["display_name"])
    name = result.get("name") or display_name.split(",")[0].strip()
    address = result.get("address") or {}
    if not isinstance(address, Mapping):
        raise TypeError(f"address is {type(address).__name__}, not an object")
    country = str(address.get("country_code", "")).upper()
    if country and not (len(country) == 2 and country.isalpha()):
        raise ValueError(f"country_code {country!r} is not an ISO 3166-1 alpha-2 code")
    return Place(
        id=f"osm:{result['osm_type']}/{result['osm_id']}",
        name=str(name),
        lat=float(result["lat"]),  # Nominatim sends lat/lon as strings; both stay (lat, lon) here
        lon=float(result["lon"]),
        kind=str(result["type"]),
        precision=nominatim_precision(result),
        country=country,
        source=SOURCE,
    )


class _InjectableRateLimiter(RateLimiter):  # type: ignore[misc]  # geopy ships no type hints
    """geopy's RateLimiter with its clock and sleep injected (geopy's own tests patch these two)."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        min_delay_seconds: float,
    ) -> None:
        self._injected_clock = clock
        self._injected_sleep = sleep
        # Our code decides what a failure means: no retries here, and every exception is re-raised.
        super().__init__(
            func,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            error_wait_seconds=min_delay_seconds,
            swallow_exceptions=False,
        )

    def _clock(self) -> float:
        return self._injected_clock()

    def _sleep(self, seconds: float) -> None:
        self._injected_sleep(seconds)


class NominatimGeocoder:
    """A `Geocoder` asking a Nominatim server, at most once per `min_delay_seconds`, with a cache.

    ``user_agent`` must identify the application and ``min_delay_seconds`` must be at least 1.0
    (https://operations.osmfoundation.org/policies/nominatim/); both are checked and raise
    ConfigError. ``domain`` may carry a port and a path prefix (``127.0.0.1:8080``,
    ``example.org/nominatim``). ``clock`` (monotonic seconds) and ``sleep`` drive the rate limiter and
    the 429 back-off; ``now`` (Unix seconds) stamps cache rows. Tests inject all three.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        timeout: float = 10.0,
        min_delay_seconds: float = MIN_DELAY_SECONDS,
        cache_path: str | os.PathLike[str] | None = None,
        language: str = "en",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not user_agent.strip():
            raise ConfigError("geocoder user agent must identify the application (Nominatim policy)")
        if min_delay_seconds < MIN_DELAY_SECONDS:
            raise ConfigError("geocoder min delay must be at least 1 second (Nominatim policy)")
        if timeout <= 0:
            raise ConfigError("geocoder timeout must be positive")
        if scheme not in ("http", "https"):
            raise ConfigError(f"geocoder scheme must be http or https, not {scheme!r}")
        try:
            # URLLibAdapter: stdlib only and no hidden transport-level retries (requests' has 2).
            # Proxies come from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), geopy's default.
            nominatim = Nominatim(
                user_agent=user_agent.strip(),
                domain=domain,
                scheme=scheme,
                timeout=timeout,
                adapter_factory=URLLibAdapter,
            )
        except ConfigurationError as exc:
            raise ConfigError(f"geocoder: {exc}") from exc
        self._timeout = timeout
        self._language = language
        self._clock = clock
        self._retry_after_until: float | None = None
        self._ask = _InjectableRateLimiter(
            nominatim.geocode, clock=clock, sleep=sleep, min_delay_seconds=min_delay_seconds
        )
        self.cache = GeocodeCache(default_cache_path() if cache_path is None else cache_path, now=now)

    @property
    def cache_path(self) -> Path:
        return self.cache.path

    @property
    def min_delay_seconds(self) -> float:
        return float(self._ask.min_delay_seconds)

    def geocode(self, name: str, *, country_codes: tuple[str, ...] = ()) -> Place | None:
        """The place Nominatim finds for `name`, from the cache when it was asked before.

        Returns None when the name is not found or the request failed (logged as a warning).
        Raises ConfigError only for a country code that is not two letters.
        """
        query = " ".join(name.split())
        key = cache_key(query, country_codes)
        if not key[0]:
            return None
        cached = self.cache.get(key)
        if cached is not None:
            return self._place_from_cache(query, cached)
        if self._backing_off(query):
            return None
        try:
            location = self._ask(
                query,
                exactly_one=True,
                addressdetails=True,
                country_codes=key[1].split(",") if key[1] else None,
                language=self._language,
                timeout=self._timeout,
            )
            place = None if location is None else place_from_nominatim(location.raw)
        except GeopyError as exc:
            self._note_rate_limit(exc)
            logger.warning("geocoder: %s asking for %r: %s", describe_failure(exc), query, _first_line(exc))
            return None
        except _SHAPE_ERRORS as exc:
            logger.warning("geocoder: unexpected reply asking for %r: %s", query, _first_line(exc))
            return None
        self.cache.put(key, None if location is None else location.raw)
        return place

    def _place_from_cache(self, query: str, cached: CachedAnswer) -> Place | None:
        if cached.result is None:
            return None
        try:
            return place_from_nominatim(cached.result)
        except _SHAPE_ERRORS as exc:
            logger.warning("geocoder: cached answer for %r is unusable: %s", query, exc)
            return None

    def _note_rate_limit(self, exc: GeopyError) -> None:
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(exc, GeocoderRateLimited) and retry_after:
            self._retry_after_until = self._clock() + float(retry_after)

    def _backing_off(self, query: str) -> bool:
        until = self._retry_after_until
        if until is None:
            return False
        left = until - self._clock()
        if left <= 0:
            self._retry_after_until = None
            return False
        logger.warning("geocoder: not asking for %r: rate limited, retry after %.0f s", query, left)
        return True


def describe_failure(exc: Exception) -> str:
    """A short reason for a geopy failure, naming the HTTP status when there was one.

    >>> describe_failure(GeocoderTimedOut("Service timed out"))
    'timeout'
    """
    cause = exc.__cause__
    if isinstance(cause, AdapterHTTPError):
        if cause.status_code == 429:
            return "rate limited (HTTP 429)"
        return f"HTTP {cause.status_code} error"
    for cls, reason in _FAILURE_REASONS:
        if isinstance(exc, cls):
            return reason
    return "error"


def _first_line(exc: BaseException, limit: int = 200) -> str:
    """The exception text fit for one log line (geopy puts a whole bad reply body in its message)."""
    text = str(exc).strip().splitlines()
    return text[0][:limit] if text else type(exc).__name__


def make_geocoder(config: Config) -> Geocoder | None:
    """The online fallback the config asks for: None unless ``config.online_fallback`` is on.

    Raises ConfigError when ``geocoder_url`` is not an http(s) URL, GeocoderError when the cache file
    (``geocoder_cache``, or `default_cache_path`) cannot be opened.

    >>> make_geocoder(Config()) is None
    True
    """
    if not config.online_fallback:
        return None
    url = urlsplit(config.geocoder_url)
    if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
        raise ConfigError(f"geocoder_url {config.geocoder_url!r} is not an http(s) base URL")
    return NominatimGeocoder(
        user_agent=config.geocoder_user_agent,
        domain=url.netloc + url.path.rstrip("/"),
        scheme=url.scheme,
        timeout=config.geocoder_timeout_s,
        min_delay_seconds=config.geocoder_min_delay_s,
        cache_path=config.geocoder_cache or None,
    )
