"""The real dashboard in headless Chromium (issue 5): `streamlit run` on a temporary store built from
seeds/, driven through Playwright as a user would.

The map sits in streamlit-folium's iframe and draws its points on a canvas, so the tests count what
Leaflet drew: the ``L.CircleMarker`` layers on the map object (`drawn_points`), and check that the
number equals the one the page states ("N events at M places and categories"). A hostile upload must
come back as literal text, with no script run in any frame and no dialog opened.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dashboard.serve import AppStartError, running_app
from geo.filters import EventFilter
from geo.map_points import aggregate_points
from geo.store import open_store

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
FIRST_MAP_TIMEOUT_S = 120  # the first session builds the store from seeds/ (and, on a fresh machine,
# the gazetteer index: ~20 s)
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
HOSTILE_DAY = "2022-03-01"  # after the seeds' last event: the hostile article's events are alone on it
PAYLOAD_SCRIPT = "<script>window.__pwned=1</script>"
PAYLOAD_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE = f"""---
title: Shelling near Avdiivka <img src=x onerror=alert(1)>
published: {HOSTILE_DAY}
source: {PAYLOAD_SCRIPT} Wire
url: javascript:alert(1)
---
Russian troops shelled positions near Avdiivka {PAYLOAD_SCRIPT} {PAYLOAD_IMG} overnight.
"""

# JavaScript run in the map's iframe, where streamlit-folium keeps the Leaflet map as `window.map`
COUNT_POINTS = """() => { let n = 0; map.eachLayer(l => { if (l instanceof L.CircleMarker) n++; });
    return n; }"""
# A drawn point that can be clicked: inside the map, not under a control or the legend, its centre
# inside no other circle (so the canvas hit test picks it). `name` filters by tooltip text. Tooltips are
# parsed by DOMParser, which runs nothing and loads nothing.
CLICKABLE_POINT = """(name) => {
    const circles = []; map.eachLayer(l => { if (l instanceof L.CircleMarker) circles.push(l); });
    const box = map.getContainer().getBoundingClientRect();
    const text = html => new DOMParser().parseFromString(html, "text/html").body.textContent;
    for (const c of circles) {
        const label = text(c.getTooltip().getContent());
        if (name && !label.includes(name)) continue;
        const p = map.latLngToContainerPoint(c.getLatLng());
        const x = box.left + p.x, y = box.top + p.y;
        const target = document.elementFromPoint(x, y);
        if (!target || target.tagName !== "CANVAS") continue;
        if (circles.some(o => o !== c && map.latLngToContainerPoint(o.getLatLng()).distanceTo(p)
                              <= o.getRadius() + 1)) continue;
        return {x: x, y: y, label: label};
    }
    return null; }"""


@dataclass
class Server:
    url: str
    store: Path
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_executable: str) -> Iterator[Server]:
    """`streamlit run dashboard/app.py` on a new store (CRISIS_MAP_STORE), stopped afterwards."""
    folder = tmp_path_factory.mktemp("e2e")
    store, log = folder / "events.sqlite", folder / "streamlit.log"
    try:
        with running_app(store, log) as app:
            yield Server(app.url, store, log)
    except AppStartError as exc:
        pytest.fail(str(exc))


@dataclass
class Session:
    """A page of its own (a new Streamlit session) and what went wrong in it."""

    page: Any
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def session(browser: Any, server: Server,
            record_page_problems: Callable[[Any, list[str], list[str]], None]) -> Iterator[Session]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    found = Session(page)
    record_page_problems(page, found.errors, found.dialogs)
    page.set_default_timeout(30_000)
    yield found
    page.close()


def open_map(session: Session, server: Server, query: str = "") -> int:
    """Open the map page (a new session; `query` as in a shared link) and return the points drawn."""
    session.page.goto(f"{server.url}/{query}")
    drawn = wait_for_map(session)
    wait_for_idle(session.page)
    return drawn


def wait_for_idle(page: Any) -> None:
    """Wait for the app's script run to end: a key pressed during a run can be lost."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=30_000)


def map_frame(page: Any) -> Any:
    """The map's iframe (a rerun may be replacing it: then an AssertionError, which polls retry)."""
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    assert frame is not None, "the map iframe has no document (yet)"
    return frame


def stated_points(page: Any) -> int:
    """The number of points the page says it shows ("… N events at M places and categories …")."""
    caption = page.get_by_text(re.compile(r"events at [\d,]+ places")).inner_text(timeout=2_000)
    found = re.search(r"events at ([\d,]+) places", caption)
    assert found is not None, caption
    return int(found.group(1).replace(",", ""))


def drawn_points(page: Any) -> int:
    count: int = map_frame(page).evaluate(COUNT_POINTS)
    return count


def wait_until(page: Any, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `condition`; between polls the page's events are handled (page.url follows the app only
    then: a sync Playwright call, not time.sleep, lets them in)."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if condition():
                return
        except (PlaywrightError, AssertionError):  # a frame replaced or a caption redrawn mid-call
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        page.wait_for_timeout(250)


def wait_for_map(session: Session, timeout_s: float = FIRST_MAP_TIMEOUT_S) -> int:
    """Wait until the map has drawn exactly the points the page states; return their number."""
    page = session.page
    page.frame_locator(MAP_IFRAME).locator(".leaflet-container").wait_for(timeout=timeout_s * 1000)
    wait_until(page, lambda: drawn_points(page) == stated_points(page) > 0, timeout_s,
               "the map to draw the points the page states")
    return drawn_points(page)


def click_point(session: Session, name: str | None = None) -> tuple[str, str]:
    """Click a drawn point (one whose tooltip names `name`, if given); its tooltip and popup text."""
    page = session.page
    target = map_frame(page).evaluate(CLICKABLE_POINT, name)
    assert target is not None, f"no clickable point {name or ''} on the map"
    frame_box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(frame_box["x"] + target["x"], frame_box["y"] + target["y"])
    popup = page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    return target["label"], popup.inner_text()


def seed_points_in_store(store: Path) -> int:
    with open_store(store) as opened:
        return len(aggregate_points(opened.query()))


# -- the tests ---------------------------------------------------------------------------------------

def test_the_map_draws_every_point_of_the_store(session: Session, server: Server) -> None:
    drawn = open_map(session, server)
    assert drawn == seed_points_in_store(server.store) > 100  # the seeds: ~150 places and categories
    assert session.errors == [] and session.dialogs == []


def test_moving_the_date_slider_draws_fewer_points(session: Session, server: Server) -> None:
    page = session.page
    whole = open_map(session, server)
    start = page.locator('input[aria-label="Event dates — start"]')
    start.focus()
    start.press("End")  # the start thumb as far as it goes: the last day alone
    last_day = page.locator('input[aria-label="Event dates — end"]').get_attribute("aria-valuetext")
    wait_until(page, lambda: f"from={last_day}" in page.url, 15, "the URL to follow the slider")
    wait_until(page, lambda: drawn_points(page) == stated_points(page) < whole, 30, "fewer points")
    assert 0 < drawn_points(page) < whole
    assert session.errors == [] and session.dialogs == []


def test_a_shared_link_narrows_the_window(session: Session, server: Server) -> None:
    whole = open_map(session, server, "?view=ukraine")
    narrowed = open_map(session, server, "?view=ukraine&from=2022-02-14&to=2022-02-20")
    assert 0 < narrowed < whole
    assert session.errors == [] and session.dialogs == []


def test_clicking_a_point_opens_its_popup_and_sources(session: Session, server: Server) -> None:
    open_map(session, server, "?view=ukraine")
    label, popup = click_point(session)
    name = label.split(" · ")[0]  # "◆ Kyiv · 3 reports": glyph and place name
    assert name in popup and "report" in popup
    place = name.split(" ", 1)[1]
    # the click reaches the app, which lists the point's sources under the map
    session.page.get_by_role("heading", name=re.compile(re.escape(place))).first.wait_for(timeout=15_000)
    assert session.errors == [] and session.dialogs == []


def test_downloads_hold_exactly_the_view(session: Session, server: Server, tmp_path: Path) -> None:
    page = session.page
    open_map(session, server, "?view=ukraine&from=2022-02-14&to=2022-02-20")
    with open_store(server.store) as opened:
        expected = opened.query(**EventFilter("ukraine", dt.date(2022, 2, 14),
                                              dt.date(2022, 2, 20)).store_query_kwargs())
    files = {}
    for label in ("GeoJSON", "PNG"):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label, exact=True).click()
        files[label] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[label])
    layer = json.loads(files["GeoJSON"].read_text(encoding="utf-8"))
    assert files["GeoJSON"].name == "crisis-map-ukraine-2022-02-14_2022-02-20.geojson"
    assert 0 < len(layer["features"]) == len(expected)
    assert {f["id"] for f in layer["features"]} == set(expected["event_key"])
    assert files["PNG"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert session.errors == [] and session.dialogs == []


def test_a_hostile_upload_shows_as_text_and_runs_nothing(session: Session, server: Server) -> None:
    page = session.page
    open_map(session, server)
    page.get_by_text("Add articles").click()
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "hostile.md", "mimeType": "text/markdown", "buffer": HOSTILE.encode()}])
    page.get_by_role("button", name="Add 1 file to the map").click()
    page.get_by_text(re.compile(r"1 articles read, 1 new")).wait_for(timeout=60_000)

    # its day alone: the hostile article's events only
    assert open_map(session, server, f"?view=ukraine&from={HOSTILE_DAY}&to={HOSTILE_DAY}") >= 1
    label, popup = click_point(session, "Avdiivka")
    # the click lists the point's sources under the map (st.dataframe: a canvas, with a text table for
    # screen readers)
    page.get_by_role("heading", name=re.compile("Avdiivka")).first.wait_for(timeout=15_000)
    sources = page.locator('[data-testid="stDataFrame"]', has_text="sentence").first.locator("table")
    wait_until(page, lambda: "Avdiivka" in sources.inner_text(), 15, "the sources table")
    table = sources.inner_text()

    for each in page.frames:  # nothing ran, in the page or in any frame, and nothing became markup
        assert each.evaluate("typeof window.__pwned") == "undefined", each.url
        assert each.evaluate("document.querySelectorAll('[onerror], img[src=\"x\"]').length") == 0, each.url
    assert session.dialogs == []
    assert map_frame(page).evaluate("""() => document.querySelectorAll(
        '.leaflet-popup-content script, .leaflet-popup-content img, .leaflet-popup-content a').length""") == 0
    assert "Avdiivka" in label and "Avdiivka" in popup
    for text in (popup, table):  # the markup shown as literal text
        assert PAYLOAD_SCRIPT in text and PAYLOAD_IMG in text
    assert session.errors == []
