"""Take the README's dashboard screenshots: the app on the seed corpus, photographed by headless Chromium.

Run from the repository root (needs Debian's `chromium` and the `playwright` package of the test extra):

    python scripts/screenshots.py                      # writes docs/screenshots/*.png
    python scripts/screenshots.py --out /tmp/shots

Starts `streamlit run dashboard/app.py` on a new temporary store (CRISIS_MAP_STORE: built from seeds/ on
the first page load, never data/store), then saves, 1400 px wide:

* theatre.png: the whole theatre over the whole period;
* ukraine-window.png: Ukraine, the date window narrowed to 10-20 February 2022 (a shared link);
* point-details.png: a clicked point, its popup and its sources under the map.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("screenshots")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository's packages
    sys.path.insert(0, str(ROOT))

from dashboard.serve import running_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1400, 1000
MAX_BYTES = 400_000  # each PNG: a README should load fast
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
CLICKED_PLACE = "Kyiv"
# The centre of the drawn point whose tooltip names `name`, in the map iframe's coordinates (the map is
# `window.map` there: streamlit-folium's name for it).
POINT_AT = """(name) => {
    const box = map.getContainer().getBoundingClientRect();
    let found = null;
    map.eachLayer(l => {
        if (found || !(l instanceof L.CircleMarker)) return;
        const tooltip = new DOMParser().parseFromString(l.getTooltip().getContent(), "text/html");
        if (!tooltip.body.textContent.includes(name)) return;
        const p = map.latLngToContainerPoint(l.getLatLng());
        found = {x: box.left + p.x, y: box.top + p.y};
    });
    return found; }"""


def open_map(page: Any, url: str) -> None:
    """Open `url` and wait until the map has drawn and the app has finished its run."""
    page.goto(url)
    page.frame_locator(MAP_IFRAME).locator(".leaflet-container").wait_for(timeout=120_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)
    page.wait_for_timeout(800)  # Leaflet's fade-in


def click_point(page: Any, name: str) -> None:
    """Click the point of `name` and wait for its popup and for its sources under the map."""
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    at = frame.evaluate(POINT_AT, name)
    if at is None:
        raise SystemExit(f"no point named {name} on the map")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content").wait_for()
    page.get_by_role("heading", name=name).first.wait_for(timeout=30_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=30_000)
    page.mouse.move(0, 0)  # no tooltip over the popup
    page.wait_for_timeout(800)


def save(page: Any, path: Path, **options: Any) -> None:
    page.screenshot(path=path, **options)
    size = path.stat().st_size
    log.info("%s: %d kB", path, size // 1000)
    if size > MAX_BYTES:
        raise SystemExit(f"{path} is {size // 1000} kB, over {MAX_BYTES // 1000} kB")


def take(out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crisis-map-shots-") as tmp, \
            running_app(Path(tmp) / "events.sqlite", Path(tmp) / "streamlit.log") as app, \
            sync_playwright() as playwright:
        url = app.url
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        open_map(page, f"{url}/")
        save(page, out / "theatre.png")
        open_map(page, f"{url}/?view=ukraine&from=2022-02-10&to=2022-02-20")
        save(page, out / "ukraine-window.png")
        open_map(page, f"{url}/?view=ukraine")
        click_point(page, CLICKED_PLACE)
        save(page, out / "point-details.png")
        browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNG files")
    parser.add_argument("--chromium", default=shutil.which("chromium"), help="the chromium executable")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.chromium:
        parser.error("no chromium on PATH (apt-get install chromium), or pass --chromium")
    take(args.out, args.chromium)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
