"""geo.geocode against a local stand-in for Nominatim (tests/nominatim_server.py); never the internet."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from nominatim_server import PROXY_VARIABLES, FakeNominatim, Reply, nominatim_result, running_nominatim

from geo.config import Config
from geo.errors import ConfigError
from geo.geocode import (
    GeocodeCache,
    Geocoder,
    NominatimGeocoder,
    cache_key,
    default_cache_path,
    make_geocoder,
    nominatim_precision,
    place_from_nominatim,
)
from geo.models import Place, Precision

USER_AGENT = "crisis-map-tests/1.0 (tests@example.org)"
CLIENT_TIMEOUT_S = 0.5
NOW = 1_700_000_000.0  # 2023-11-14T22:13:20+00:00


KYIV = nominatim_result("Kyiv", "50.4500336", "30.5241361", cls="boundary", type_="administrative",
                        addresstype="city", osm_id=421866)


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The geocoder honours proxy variables; a proxy must not stand between us and 127.0.0.1."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    with running_nominatim() as fake:
        yield fake


class FakeTime:
    """A monotonic clock that only moves when the rate limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def cache_file(tmp_path: Path) -> Path:
    return tmp_path / "geocode.sqlite"


@pytest.fixture
def new_geocoder(
    nominatim: FakeNominatim, fake_time: FakeTime, cache_file: Path
) -> Callable[[], NominatimGeocoder]:
    """Build a geocoder on the fake server and the shared cache file; call again for a new instance."""

    def build() -> NominatimGeocoder:
        return NominatimGeocoder(
            user_agent=USER_AGENT,
            domain=f"127.0.0.1:{nominatim.port}",
            scheme="http",
            timeout=CLIENT_TIMEOUT_S,
            cache_path=cache_file,
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            now=lambda: NOW,
        )

    return build


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "geo.geocode" and r.levelno == logging.WARNING]


# --- results -> Place --------------------------------------------------------------------------------

FOUND_CASES = [
    # query, result, expected (lat, lon, precision, country, kind)
    ("Kyiv", KYIV, (50.4500336, 30.5241361, Precision.SETTLEMENT, "UA", "administrative")),
    ("Ukraine", nominatim_result("Ukraine", "49.4871968", "31.2718321", cls="boundary",
                                 type_="administrative", addresstype="country", osm_id=60199),
     (49.4871968, 31.2718321, Precision.COUNTRY, "UA", "administrative")),
    ("Luhansk Oblast", nominatim_result("Luhansk Oblast", "48.7", "39.2", cls="boundary",
                                        type_="administrative", addresstype="state", osm_id=71971),
     (48.7, 39.2, Precision.ADMIN1, "UA", "administrative")),
    ("Yelnya", nominatim_result("Yelnya", "54.5772", "33.1756", type_="town", osm_type="node",
                                osm_id=27505017, country_code="ru"),
     (54.5772, 33.1756, Precision.SETTLEMENT, "RU", "town")),
    ("Black Sea", nominatim_result("Black Sea", "43.4", "34.2", type_="sea", osm_type="node",
                                   osm_id=305639190, country_code=""),
     (43.4, 34.2, Precision.SEA, "", "sea")),
    ("Kerch Strait", nominatim_result("Kerch Strait", "45.3", "36.5", cls="natural", type_="strait",
                                      osm_type="way", osm_id=4),
     (45.3, 36.5, Precision.SEA, "UA", "strait")),
    ("Chernobyl NPP", nominatim_result("Chernobyl NPP", "51.3894", "30.0989", cls="power",
                                       type_="plant", osm_type="way", osm_id=5),
     (51.3894, 30.0989, Precision.SITE, "UA", "plant")),
]


@pytest.mark.parametrize(("query", "result", "expected"), FOUND_CASES, ids=[c[0] for c in FOUND_CASES])
def test_found_place_becomes_a_place(
    nominatim: FakeNominatim,
    new_geocoder: Callable[[], NominatimGeocoder],
    query: str,
    result: dict[str, Any],
    expected: tuple[float, float, Precision, str, str],
) -> None:
    nominatim.script(query, Reply(body=[result]))
    place = new_geocoder().geocode(query)
    assert place is not None
    assert (place.lat, place.lon, place.precision, place.country, place.kind) == expected
    assert place.id == f"osm:{result['osm_type']}/{result['osm_id']}"
    assert place.name == query
    assert place.source == "nominatim"


PRECISION_CASES = [
    ({"class": "place", "type": "country"}, Precision.COUNTRY),
    ({"class": "boundary", "type": "administrative", "addresstype": "country"}, Precision.COUNTRY),
    ({"class": "boundary", "type": "administrative", "addresstype": "state"}, Precision.ADMIN1),
    ({"class": "place", "type": "province"}, Precision.ADMIN1),
    ({"class": "place", "type": "region"}, Precision.ADMIN1),
    ({"class": "boundary", "type": "administrative", "addresstype": "city"}, Precision.SETTLEMENT),
    ({"class": "place", "type": "village"}, Precision.SETTLEMENT),
    ({"class": "place", "type": "hamlet"}, Precision.SETTLEMENT),
    ({"class": "place", "type": "sea"}, Precision.SEA),
    ({"category": "natural", "type": "bay"}, Precision.SEA),  # jsonv2 says "category"
    ({"class": "military", "type": "base"}, Precision.SITE),
    ({}, Precision.SITE),
]


@pytest.mark.parametrize(("result", "expected"), PRECISION_CASES)
def test_nominatim_precision(result: dict[str, str], expected: Precision) -> None:
    assert nominatim_precision(result) == expected


@pytest.mark.parametrize("bad", [
    {k: v for k, v in KYIV.items() if k != "osm_id"},
    {**KYIV, "lat": "north"},
    {**KYIV, "lat": "95.0"},
    {**KYIV, "address": "UA"},
    {**KYIV, "address": {"country_code": "ukr"}},
])
def test_place_from_nominatim_rejects_bad_shapes(bad: dict[str, Any]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        place_from_nominatim(bad)


# --- the cache ---------------------------------------------------------------------------------------

def test_a_name_is_asked_once_ever(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder]
) -> None:
    nominatim.script("Kyiv", Reply(body=[KYIV]))
    first = new_geocoder()
    place = first.geocode("Kyiv")
    assert place is not None
    assert first.geocode("Kyiv") == place
    assert first.geocode("  KYIV ") == place  # same normalised name
    assert new_geocoder().geocode("Kyiv") == place  # a new instance on the same cache file
    assert nominatim.count() == 1


def test_not_found_is_cached_too(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder]
) -> None:
    assert new_geocoder().geocode("Nowhereville") is None
    assert new_geocoder().geocode("Nowhereville") is None
    assert nominatim.count() == 1


def test_cache_row_stores_result_json_and_time(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder], cache_file: Path
) -> None:
    nominatim.script("Kyiv", Reply(body=[KYIV]))
    geocoder = new_geocoder()
    geocoder.geocode("Kyiv")
    geocoder.geocode("Atlantis")
    cache = GeocodeCache(cache_file)
    found = cache.get(cache_key("Kyiv"))
    missing = cache.get(cache_key("Atlantis"))
    assert found is not None
    assert found.result == KYIV
    assert found.fetched_at == "2023-11-14T22:13:20+00:00"
    assert missing is not None
    assert missing.result is None


def test_country_codes_are_sent_and_keyed_in_any_order(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder]
) -> None:
    nominatim.script("Kyiv", Reply(body=[KYIV]))
    geocoder = new_geocoder()
    assert geocoder.geocode("Kyiv", country_codes=("UA", "BY")) is not None
    assert geocoder.geocode("Kyiv", country_codes=("by", "ua")) is not None
    assert nominatim.seen[0].params["countrycodes"] == "by,ua"
    assert nominatim.count() == 1
    geocoder.geocode("Kyiv")  # no restriction is another question
    assert nominatim.count() == 2
    assert "countrycodes" not in nominatim.seen[1].params


def test_bad_country_code_is_a_config_error(new_geocoder: Callable[[], NominatimGeocoder]) -> None:
    with pytest.raises(ConfigError):
        new_geocoder().geocode("Kyiv", country_codes=("UKR",))


def test_blank_name_is_not_asked(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder]
) -> None:
    assert new_geocoder().geocode("  ") is None
    assert nominatim.count() == 0


# --- the request -------------------------------------------------------------------------------------

def test_request_identifies_us_and_asks_for_address_details(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder]
) -> None:
    new_geocoder().geocode("Kyiv")
    (seen,) = nominatim.seen
    assert seen.path == "/search"
    assert seen.headers["user-agent"] == USER_AGENT
    assert seen.params["q"] == "Kyiv"
    assert seen.params["addressdetails"] == "1"
    assert seen.params["limit"] == "1"
    assert seen.params["format"] in ("json", "jsonv2")


def test_rate_limiter_waits_at_least_one_second(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder], fake_time: FakeTime
) -> None:
    geocoder = new_geocoder()
    assert geocoder.min_delay_seconds >= 1.0
    geocoder.geocode("Atlantis")
    assert fake_time.sleeps == []  # the first request goes at once
    geocoder.geocode("Lemuria")
    assert fake_time.sleeps and min(fake_time.sleeps) >= 1.0
    geocoder.geocode("Lemuria")  # a cache hit never waits
    assert len(fake_time.sleeps) == 1
    assert nominatim.count() == 2


@pytest.mark.parametrize("delay", [0.0, 0.5, 0.999])
def test_min_delay_below_one_second_is_rejected(cache_file: Path, delay: float) -> None:
    with pytest.raises(ConfigError, match="1 second"):
        NominatimGeocoder(user_agent=USER_AGENT, min_delay_seconds=delay, cache_path=cache_file)


@pytest.mark.parametrize("agent", ["", "   "])
def test_user_agent_is_required(cache_file: Path, agent: str) -> None:
    with pytest.raises(ConfigError, match="user agent"):
        NominatimGeocoder(user_agent=agent, cache_path=cache_file)


# --- failures ----------------------------------------------------------------------------------------

# Geopy warns while rejecting a latitude of 123; the case is about our reaction, not that warning.
_LAT_WARNING = pytest.mark.filterwarnings("ignore:Latitude normalization:UserWarning")

FAILURE_CASES = [
    # reply, fragment of the warning
    pytest.param(Reply(status=429, raw="Too Many Requests"), "rate limited (HTTP 429)", id="429"),
    pytest.param(Reply(status=500, raw="<html>Internal Server Error</html>"), "HTTP 500", id="500"),
    pytest.param(Reply(status=502, raw="Bad Gateway"), "HTTP 502", id="502"),
    pytest.param(Reply(status=503, raw="Service Unavailable"), "HTTP 503", id="503"),
    pytest.param(Reply(raw="[{not json"), "not valid JSON", id="bad json"),
    pytest.param(Reply(raw="<html>maintenance</html>"), "not valid JSON", id="html"),
    pytest.param(Reply(body=[1, 2]), "unexpected reply", id="list of numbers"),
    pytest.param(Reply(body=[{"lat": "1", "lon": "2"}]), "unexpected reply", id="no display_name"),
    pytest.param(Reply(body=[{k: v for k, v in KYIV.items() if k != "osm_id"}]), "unexpected reply",
                 id="missing osm_id"),
    pytest.param(Reply(body=[{**KYIV, "lat": "123.0"}]), "unexpected reply", id="lat out of range",
                 marks=_LAT_WARNING),
    pytest.param(Reply(body={"error": "Query failed"}), "service error", id="error object"),
    pytest.param(Reply(body=[KYIV], delay_s=30.0), "timeout", id="timeout"),
]


@pytest.mark.parametrize(("reply", "fragment"), FAILURE_CASES)
def test_failure_returns_none_warns_once_and_is_not_cached(
    nominatim: FakeNominatim,
    new_geocoder: Callable[[], NominatimGeocoder],
    caplog: pytest.LogCaptureFixture,
    reply: Reply,
    fragment: str,
) -> None:
    caplog.set_level(logging.WARNING)
    geocoder = new_geocoder()
    nominatim.script("Kyiv", reply)

    assert geocoder.geocode("Kyiv") is None

    (message,) = warnings_from(caplog)
    assert message.startswith("geocoder: ")
    assert fragment in message
    assert "'Kyiv'" in message
    assert geocoder.cache.get(cache_key("Kyiv")) is None

    nominatim.script("Kyiv", Reply(body=[KYIV]))
    place = new_geocoder().geocode("Kyiv")  # next run asks again
    assert place is not None
    assert place.id == "osm:relation/421866"
    assert nominatim.count("Kyiv") == 2


def test_timeout_gives_up_after_the_client_timeout(
    nominatim: FakeNominatim, new_geocoder: Callable[[], NominatimGeocoder]
) -> None:
    nominatim.script("Kyiv", Reply(body=[KYIV], delay_s=30.0))
    started = time.monotonic()
    assert new_geocoder().geocode("Kyiv") is None
    assert time.monotonic() - started < 5 * CLIENT_TIMEOUT_S


def test_unreachable_server_returns_none(
    cache_file: Path, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    geocoder = NominatimGeocoder(user_agent=USER_AGENT, domain=f"127.0.0.1:{port}", scheme="http",
                                 timeout=CLIENT_TIMEOUT_S, cache_path=cache_file,
                                 clock=fake_time.clock, sleep=fake_time.sleep)
    assert geocoder.geocode("Kyiv") is None
    assert len(warnings_from(caplog)) == 1


def test_429_with_retry_after_pauses_all_requests(
    nominatim: FakeNominatim,
    new_geocoder: Callable[[], NominatimGeocoder],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    nominatim.script("Kyiv", Reply(status=429, raw="slow down", headers={"Retry-After": "30"}))
    geocoder = new_geocoder()
    assert geocoder.geocode("Kyiv") is None
    assert geocoder.geocode("Yelnya") is None  # not asked: still inside Retry-After
    assert nominatim.count() == 1
    assert "retry after 30 s" in warnings_from(caplog)[-1]

    fake_time.now += 30
    nominatim.script("Kyiv", Reply(body=[KYIV]))
    assert geocoder.geocode("Kyiv") is not None
    assert nominatim.count() == 2


# --- make_geocoder -----------------------------------------------------------------------------------

def test_make_geocoder_is_off_by_default() -> None:
    assert make_geocoder(Config()) is None


def test_make_geocoder_builds_a_working_nominatim_geocoder(
    nominatim: FakeNominatim, cache_file: Path
) -> None:
    nominatim.script("Kyiv", Reply(body=[KYIV]))
    config = Config(online_fallback=True, geocoder_url=nominatim.url + "/", geocoder_timeout_s=2.0,
                    geocoder_user_agent=USER_AGENT, geocoder_cache=str(cache_file))
    geocoder = make_geocoder(config)
    assert isinstance(geocoder, NominatimGeocoder)
    assert isinstance(geocoder, Geocoder)
    assert geocoder.cache_path == cache_file
    assert geocoder.min_delay_seconds == config.geocoder_min_delay_s
    place = geocoder.geocode("Kyiv")  # the first request is not delayed, so no real sleep here
    assert isinstance(place, Place)
    assert nominatim.seen[0].headers["user-agent"] == USER_AGENT


def test_make_geocoder_default_cache_is_under_the_user_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    geocoder = make_geocoder(Config(online_fallback=True))
    assert isinstance(geocoder, NominatimGeocoder)
    assert geocoder.cache_path == tmp_path / "xdg" / "crisis-map" / "geocode.sqlite"
    assert geocoder.cache_path.exists()


@pytest.mark.parametrize(("environ", "expected"), [
    ({"XDG_CACHE_HOME": "/cache"}, Path("/cache/crisis-map/geocode.sqlite")),
    ({"XDG_CACHE_HOME": "relative"}, Path.home() / ".cache" / "crisis-map" / "geocode.sqlite"),
    ({}, Path.home() / ".cache" / "crisis-map" / "geocode.sqlite"),
])
def test_default_cache_path(environ: dict[str, str], expected: Path) -> None:
    assert default_cache_path(environ) == expected


@pytest.mark.parametrize("url", ["ftp://example.org", "nominatim.openstreetmap.org", "https://",
                                 "https://example.org/?q=1"])
def test_make_geocoder_rejects_bad_urls(url: str, cache_file: Path) -> None:
    config = Config(online_fallback=True, geocoder_url=url, geocoder_cache=str(cache_file))
    with pytest.raises(ConfigError):
        make_geocoder(config)
