"""Peak memory of the real dashboard process at 1M events: target ≤ 2 GB (issue 7).

    python -m bench.bench_dashboard_memory [--events 1000000] [--store PATH] [--reuse]

Starts ``streamlit run dashboard/app.py`` headless on a free port with ``CRISIS_MAP_STORE`` pointed at
a synthetic store of N events (`bench.bench_store`'s generator; ``bench/out/store-N.sqlite``, shared
with ``bench_store`` and ``bench_map_scale``, reused with --reuse), then, in headless Debian Chromium
driven by Playwright (as ``tests/test_e2e_dashboard.py`` does; never a downloaded browser):

1. opens the map page once, so the default view (every event, the whole date range) is queried,
   aggregated and drawn, and waits until the map is drawn and the script run has ended;
2. opens it again with a 7-day window in the URL (``?from=…&to=…``, as a shared link moves it).

Peak memory is read from Linux's /proc: the high-water mark of the resident set (VmHWM) of the
streamlit process and of each of its descendants, summed (an upper bound of the tree's peak: the
processes need not peak at once), and the largest sum of their current resident sets (VmRSS) seen by
sampling every 0.2 s. 2 GB is taken as 2 GiB, as bench_dashboard takes 3 MB as 3 MiB.
Results: a summary on stdout and ``bench/out/dashboard_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.bench_places import OUT_DIR
from bench.bench_store import ensure_store
from dashboard.serve import running_app
from geo.store import open_store

TARGET_BYTES = 2 * 2**30
START_TIMEOUT_S = 120  # the server answering /_stcore/health
MAP_TIMEOUT_S = 600  # one page load at 1M events: query, aggregate and draw every event
SAMPLE_EVERY_S = 0.2
WINDOW = ("2022-01-10", "2022-01-16")  # the 7-day window of bench_store and bench_dashboard
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
CAPTION = re.compile(r"([\d,]+) events at ([\d,]+) places")


# -- memory of a process tree, from /proc --------------------------------------------------------------

def _status_kib(pid: int, field: str) -> int:
    """A `kB` field of /proc/PID/status (VmRSS, VmHWM); 0 for a process that has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # after "(command)", which may hold spaces: state, ppid


def process_tree(root: int) -> list[int]:
    """`root` and every descendant alive now (Linux /proc)."""
    parents = {int(entry): _parent_of(int(entry)) for entry in os.listdir("/proc") if entry.isdigit()}
    tree, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def tree_kib(root: int, field: str) -> int:
    """The sum of one /proc status field over `root`'s process tree, in KiB."""
    return sum(_status_kib(pid, field) for pid in process_tree(root))


class RssSampler(threading.Thread):
    """Samples the summed resident set of a process tree until stopped; keeps the largest sum."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_kib, self._stop_event = root, 0, threading.Event()
        self.peak_hwm_kib = 0  # summed VmHWM, read with each sample: children that exit keep counting

    def run(self) -> None:
        while not self._stop_event.wait(SAMPLE_EVERY_S):
            self.sample()

    def sample(self) -> None:
        self.peak_kib = max(self.peak_kib, tree_kib(self.root, "VmRSS"))
        self.peak_hwm_kib = max(self.peak_hwm_kib, tree_kib(self.root, "VmHWM"))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample()


# -- the app and the browser -----------------------------------------------------------------------------

def load_map(page: Any, url: str) -> dict[str, Any]:
    """Open `url` as a new session; wait until the map is drawn and the run has ended. Seconds taken and
    the page's own counts ("N events at M places")."""
    t0 = time.perf_counter()
    page.goto(url)
    page.frame_locator(MAP_IFRAME).locator(".leaflet-container").wait_for(timeout=MAP_TIMEOUT_S * 1000)
    caption = page.get_by_text(CAPTION).first
    caption.wait_for(timeout=MAP_TIMEOUT_S * 1000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=MAP_TIMEOUT_S * 1000)
    seconds = time.perf_counter() - t0
    found = CAPTION.search(caption.inner_text())
    events, points = (int(found.group(i).replace(",", "")) for i in (1, 2)) if found else (None, None)
    return {"url": url, "seconds": round(seconds, 1), "events": events, "points": points}


def measure(store: Path, chromium: str) -> dict[str, Any]:
    """Run the app on `store`, load the default view and a 7-day window; memory and page loads."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, running_app(store, Path(tmp) / "streamlit.log") as app:
        url, process = app.url, app.process
        sampler = RssSampler(process.pid)  # a daemon thread: it dies with us if a page load fails
        idle_mib = tree_kib(process.pid, "VmRSS") / 1024
        sampler.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            loads = [load_map(page, f"{url}/"),
                     load_map(page, f"{url}/?from={WINDOW[0]}&to={WINDOW[1]}")]
            browser.close()
        sampler.stop()
        hwm_kib = max(sampler.peak_hwm_kib, tree_kib(process.pid, "VmHWM"))
        processes = len(process_tree(process.pid))
    return {"idle_rss_mib": round(idle_mib), "peak_rss_mib": round(hwm_kib / 1024),
            "sampled_peak_rss_mib": round(sampler.peak_kib / 1024), "processes": processes,
            "page_loads": loads}


def run(n_events: int, store: Path, *, reuse: bool) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium on PATH (apt-get install chromium)")
    if not Path("/proc/self/status").exists():
        raise SystemExit("reads peak memory from Linux's /proc")
    if not reuse:
        store.unlink(missing_ok=True)
    build = ensure_store(store, n_events, reuse=True)
    with open_store(store) as opened:
        held = opened.stats().events
    found = measure(store, chromium)
    return {"events": held, "store": str(store), "build": build, "window": list(WINDOW), **found,
            "target_bytes": TARGET_BYTES, "within_target": found["peak_rss_mib"] * 2**20 <= TARGET_BYTES}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="distinct merged events")
    parser.add_argument("--store", type=Path, default=None,
                        help="the store (default bench/out/store-N.sqlite; rebuilt unless --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the store when present")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "dashboard_memory.json", help="results JSON")
    args = parser.parse_args(argv)
    store = args.store or OUT_DIR / f"store-{args.events}.sqlite"
    store.parent.mkdir(parents=True, exist_ok=True)
    report = run(args.events, store, reuse=args.reuse)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{report['events']:,} events; streamlit idle {report['idle_rss_mib']:,} MiB, peak "
          f"**{report['peak_rss_mib']:,} MiB** (VmHWM over {report['processes']} process(es); sampled "
          f"{report['sampled_peak_rss_mib']:,} MiB); target ≤ {TARGET_BYTES / 2**30:.0f} GiB: "
          f"{'PASS' if report['within_target'] else 'FAIL'}")
    for load in report["page_loads"]:
        print(f"- {load['url']}: map drawn in {load['seconds']} s ({load['events']} events at "
              f"{load['points']} places and categories)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
