"""A local stand-in for a Nominatim server, shared by the geocoder tests; nothing here touches the internet.

`running_nominatim()` starts a scripted ``/search`` endpoint on 127.0.0.1 (an ephemeral port) in a
thread and stops it on exit. Unscripted queries are answered "not found" (an empty list), as Nominatim
does. Test modules wrap it in their own fixture; `PROXY_VARIABLES` must be cleared first, because the
geocoder honours proxy settings and a proxy must not stand between the client and 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def nominatim_result(
    name: str,
    lat: str,
    lon: str,
    *,
    cls: str = "place",
    type_: str = "city",
    addresstype: str | None = None,
    osm_type: str = "relation",
    osm_id: int = 1,
    country_code: str = "ua",
) -> dict[str, Any]:
    """One result as Nominatim's /search?format=json&addressdetails=1 returns it."""
    return {
        "place_id": osm_id + 100,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": osm_type,
        "osm_id": osm_id,
        "lat": lat,
        "lon": lon,
        "class": cls,
        "type": type_,
        "place_rank": 16,
        "importance": 0.5,
        "addresstype": addresstype or type_,
        "name": name,
        "display_name": f"{name}, Somewhere",
        "address": {"country_code": country_code},
        "boundingbox": [lat, lat, lon, lon],
    }


@dataclass
class Reply:
    """What the fake server does for one query."""

    status: int = 200
    body: Any = field(default_factory=list)  # JSON value
    raw: str | None = None  # sent as-is instead of `body`
    delay_s: float = 0.0  # stall this long before answering (released at teardown)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class FakeNominatim:
    """A scripted Nominatim `/search`: unscripted queries are "not found" (an empty list)."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, query: str, reply: Reply) -> None:
        self.replies[query] = reply

    def record(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
        return self.replies.get(seen.params.get("q", ""), Reply())

    def count(self, query: str | None = None) -> int:
        with self._lock:
            return sum(1 for s in self.seen if query is None or s.params.get("q") == query)


def _handler_for(fake: FakeNominatim) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            reply = fake.record(Seen(url.path, params, {k.lower(): v for k, v in self.headers.items()}))
            if url.path != "/search":
                reply = Reply(status=404, raw="not found")
            if reply.delay_s:
                fake.release.wait(reply.delay_s)
            payload = (reply.raw if reply.raw is not None else json.dumps(reply.body)).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_nominatim() -> Iterator[FakeNominatim]:
    """Serve a fresh `FakeNominatim` for the duration of the block; stalled replies are released on exit."""
    fake = FakeNominatim()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
