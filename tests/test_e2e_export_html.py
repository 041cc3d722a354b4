"""The offline briefing page (issue 6) in headless Chromium, opened from file:// with the network off.

A store holds an article whose every text (title, outlet, url, sentences) carries markup that would run
script if it ever became markup. Its offline briefing page must draw every point, open a popup on a
click, log no error, request nothing but its own file, and run nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_e2e_dashboard import CLICKABLE_POINT, COUNT_POINTS, PAYLOAD_IMG, PAYLOAD_SCRIPT

from geo.boundaries import load_boundaries
from geo.briefing_html import briefing_html
from geo.config import Config
from geo.filters import EventFilter
from geo.gazetteer import Gazetteer
from geo.ingest import ingest
from geo.map_points import aggregate_points, sources_by_point
from geo.models import Article
from geo.store import open_store

pytestmark = pytest.mark.e2e

TITLE = f"Kharkiv briefing {PAYLOAD_SCRIPT}"
ARTICLES = [
    Article("hostile", f"Shelling hit Kharkiv {PAYLOAD_SCRIPT} overnight. Fighting near Kharkiv went on "
            f"{PAYLOAD_IMG} on Monday, officials said.",
            title=f"Shelling near Kharkiv {PAYLOAD_IMG}", published=dt.date(2022, 2, 21),
            source=f"{PAYLOAD_SCRIPT} Wire", url="javascript:window.__pwned=1"),
    Article("talks", "Diplomats met in Kyiv on Tuesday to discuss the crisis.", title="Talks in Kyiv",
            published=dt.date(2022, 2, 22), source="Agency", url="https://news.example/kyiv"),
]
# the page's Leaflet map is a global named after its element; the dashboard test's scripts call it `map`
# and the canvas renderer draws (and hit-tests) the circles from the next animation frame on
EXPOSE_MAP = """() => { window.map = window[document.querySelector('.folium-map').id];
    return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))); }"""


@dataclass
class Opened:
    """The briefing page open in a browser with the network off, and everything that went wrong."""

    page: Any
    points: int
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # anything but file://
    files: list[str] = field(default_factory=list)  # file:// requests: the page itself, nothing else


@pytest.fixture(scope="module")
def briefing_file(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer, config: Config
                  ) -> tuple[Path, int]:
    """The offline briefing page of a store of ARTICLES, written to a file; and its number of points."""
    folder = tmp_path_factory.mktemp("briefing")
    flt = EventFilter("ukraine")
    with open_store(folder / "events.sqlite") as store:
        assert ingest(ARTICLES, store, gazetteer, config).added_articles == len(ARTICLES)
        points = aggregate_points(store.query(**flt.store_query_kwargs()))
        sources = store.sources([key for keys in points["event_keys"] for key in keys])
    page = briefing_html(points, sources_by_point(sources), flt, title=TITLE, offline=True,
                         boundaries=load_boundaries(), sources=sources)
    path = folder / "briefing.html"
    path.write_text(page, encoding="utf-8")
    return path, len(points)


@pytest.fixture
def opened(browser: Any, briefing_file: tuple[Path, int],
           record_page_problems: Callable[[Any, list[str], list[str]], None]) -> Iterator[Opened]:
    path, points = briefing_file
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_offline(True)
    page = context.new_page()
    found = Opened(page, points)

    def only_files(route: Any) -> None:
        if route.request.url.startswith("file://"):
            found.files.append(route.request.url)
            route.continue_()
        else:
            found.requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page.on("request", lambda request: found.requests.append(request.url)
            if not request.url.startswith("file://") else None)
    record_page_problems(page, found.errors, found.dialogs)
    page.set_default_timeout(15_000)
    page.goto(path.as_uri())
    page.locator(".leaflet-container").wait_for()
    page.evaluate(EXPOSE_MAP)
    yield found
    context.close()


POINTING_ATTEMPTS = 8


def click_point(page: Any, name: str) -> str:
    """Point at the circle of `name` as a user does (its tooltip shows), click it; the popup's text."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(POINTING_ATTEMPTS):
        # where the circle is now: the map may still be settling into its view after loading
        target = page.evaluate(CLICKABLE_POINT, name)
        if target is None:  # off the map or under another element while the view settles
            page.wait_for_timeout(1_000)
            continue
        page.mouse.move(0, 0)
        page.mouse.move(target["x"], target["y"], steps=3)
        try:  # Leaflet's canvas hit test has found the circle
            page.locator(".leaflet-tooltip").wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        pytest.fail(f"no {name} circle could be pointed at: none clickable, or no tooltip shown")
    page.mouse.click(target["x"], target["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text: str = popup.inner_text()
    return text


def test_offline_page_draws_every_point_and_opens_a_popup(opened: Opened) -> None:
    page = opened.page
    assert opened.points >= 2  # Kharkiv and Kyiv at least
    assert page.evaluate(COUNT_POINTS) == opened.points
    assert "Kharkiv" in click_point(page, "Kharkiv")
    assert opened.errors == [] and opened.dialogs == [] and opened.requests == []
    assert opened.files == [page.url]


# Leaflet opens the popup of the circle whose tooltip names the place, as a click does (the real mouse
# click is the test above; here the popup's content is what matters, on a busy machine too)
OPEN_POPUP = """(name) => {
    const text = html => new DOMParser().parseFromString(html, "text/html").body.textContent;
    let found = null;
    map.eachLayer(l => { if (l instanceof L.CircleMarker && text(l.getTooltip().getContent()).includes(name))
        found = l; });
    found.openPopup();
    return document.querySelector(".leaflet-popup-content").innerText; }"""


def test_hostile_text_shows_as_text_and_runs_nothing(opened: Opened) -> None:
    page = opened.page
    shown = [page.locator(".briefing-header h1").inner_text(), page.evaluate(OPEN_POPUP, "Kharkiv"),
             page.locator(".briefing-sources").inner_text()]
    assert PAYLOAD_SCRIPT in shown[0]  # the title
    assert PAYLOAD_SCRIPT in shown[1] or PAYLOAD_IMG in shown[1]  # the evidence sentence
    assert f"{PAYLOAD_SCRIPT} Wire" in shown[2] and f"Shelling near Kharkiv {PAYLOAD_IMG}" in shown[2]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('[onerror], img[src=\"x\"]').length") == 0
    assert page.evaluate("""() => document.querySelectorAll(
        '.briefing-header script, .leaflet-popup-content script, .briefing-sources script').length""") == 0
    # the javascript: url is no link; the https one is, and nothing fetched it
    hrefs = page.evaluate("() => [...document.querySelectorAll('.briefing-sources a')].map(a => a.href)")
    assert hrefs == ["https://news.example/kyiv"]
    assert opened.errors == [] and opened.dialogs == [] and opened.requests == []
    assert opened.files == [page.url]  # an <img src=x> that became markup would ask for file:///.../x
