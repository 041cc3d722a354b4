"""What a date-slider move costs the dashboard: query, aggregate, build and render the map (issue 5).

    python -m bench.bench_dashboard [--events 100000] [--store PATH [--reuse]] [--runs 5]

Builds a store of N synthetic events with bench/bench_store.py's generator, through the store's own
bulk path (or reuses one with --reuse), then times what one slider move does on the server:

* ours: `Store.points` (the events merged per place and category) -> `Store.sources` of the
  most reported points (`detailed_event_keys`) -> `sources_by_point` -> `build_map` (their popups with
  outlets, links, evidence) -> render to HTML; then the rest of the page's reads: `Store.day_counts`
  (the timeline) and `Store.query` of the first MAX_TABLE_ROWS events (the table). Also without the
  sources step (popups from the points alone);
* naive: `Store.query` -> one `folium.Marker` with a `folium.Popup` per event -> render;
* folium objects per point: aggregated, but one `folium.CircleMarker` + `folium.Popup` per point
  (the builder's first design, kept to show why the points travel as one JSON array per layer).

for a 7-day window and for the whole date range (the naive ways only on the 7-day window: the whole
range would take minutes). Median of --runs runs after one untimed warm-up run; bytes are those of
the rendered page (what streamlit-folium sends, within a few kB) and of `offline_html` (the export).
Targets (issue 5): a slider move served in <= 1 s and <= 3 MB sent, at 100,000 events.
Results: a markdown table on stdout and bench/out/dashboard.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

from bench.bench_places import OUT_DIR
from bench.bench_store import FIRST_DAY, LAST_DAY, ensure_store
from geo.boundaries import load_boundaries
from geo.folium_map import MAX_POINTS, build_map, detailed_event_keys, offline_html
from geo.map_html import point_markup
from geo.map_points import sources_by_point
from geo.map_style import category_style
from geo.store import Store, open_store
from geo.tables import MAX_TABLE_ROWS

TARGET_MS = 1000.0
TARGET_BYTES = 3 * 2**20
WINDOWS = {"7-day window": (dt.date(2022, 1, 10), dt.date(2022, 1, 16)),
           "whole range": (FIRST_DAY, LAST_DAY)}
NAIVE_RUNS = 1  # each naive run renders thousands of folium objects: tens of seconds
PAGE_READS = "timeline + table"  # the stage of the page's reads besides the map's

Stages = dict[str, float]


def ours(store: Store, boundaries: gpd.GeoDataFrame, start: dt.date, end: dt.date, *,
         with_sources: bool) -> tuple[Stages, str, folium.Map, int]:
    """One slider move the way the map page does it; stage timings (ms), the page, the map, points."""
    stages: Stages = {}
    t = time.perf_counter()
    points = store.points(start=start, end=end)
    stages["read"] = _lap(t)
    details = None
    if with_sources:
        t = time.perf_counter()
        details = sources_by_point(store.sources(detailed_event_keys(points)))
        stages["sources"] = _lap(t)
    t = time.perf_counter()
    m = build_map(points, boundaries=boundaries, details=details, title=f"{start} – {end}")
    page = m.get_root().render()
    stages["map + render"] = _lap(t)
    t = time.perf_counter()
    store.day_counts(start=start, end=end)
    store.query(start=start, end=end, limit=MAX_TABLE_ROWS)
    stages[PAGE_READS] = _lap(t)
    return stages, page, m, len(points)


def naive(store: Store, start: dt.date, end: dt.date) -> tuple[Stages, str]:
    """One folium.Marker with a popup per event, no aggregation (text escaped, as it must be)."""
    stages: Stages = {}
    t = time.perf_counter()
    events = store.query(start=start, end=end)
    stages["read"] = _lap(t)
    t = time.perf_counter()
    m = folium.Map(tiles=None, prefer_canvas=True)
    for e in events.itertuples(index=False):
        text = (f"<b>{html.escape(e.name)}</b><br>{html.escape(e.category)}<br>{e.event_date.date()}<br>"
                f"{e.source_count} reports")
        folium.Marker([e.lat, e.lon], popup=folium.Popup(text, max_width=300),
                      tooltip=html.escape(e.name)).add_to(m)
    page = m.get_root().render()
    stages["map + render"] = _lap(t)
    return stages, page


def folium_per_point(store: Store, start: dt.date, end: dt.date) -> tuple[Stages, str]:
    """Aggregated, but one folium.CircleMarker with a folium.Popup per point."""
    stages: Stages = {}
    t = time.perf_counter()
    points = store.points(start=start, end=end)
    stages["read"] = _lap(t)
    t = time.perf_counter()
    m = folium.Map(tiles=None, prefer_canvas=True)
    tooltips, popups = point_markup(points)
    for row, tooltip, popup in zip(points.itertuples(index=False), tooltips, popups, strict=True):
        colour = category_style(row.category).colour
        folium.CircleMarker([row.lat, row.lon], radius=row.radius, color=colour, fill=True, weight=1,
                            popup=folium.Popup(popup, max_width=360), tooltip=tooltip).add_to(m)
    page = m.get_root().render()
    stages["map + render"] = _lap(t)
    return stages, page


def _lap(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def timed(run: Callable[[], tuple[Any, ...]], runs: int) -> tuple[Stages, tuple[Any, ...]]:
    """Median ms over `runs` runs (after one warm-up) of each stage, of the map's stages ("map": all
    but PAGE_READS) and of them all ("total"); and the last result."""
    result = run()
    samples: list[Stages] = []
    for _ in range(runs):
        result = run()
        stages = result[0]
        samples.append({**stages, "map": sum(ms for stage, ms in stages.items() if stage != PAGE_READS),
                        "total": sum(stages.values())})
    return {stage: round(statistics.median(s[stage] for s in samples), 1) for stage in samples[0]}, result


def run(n_events: int, store_path: Path | None, reuse: bool, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = store_path or Path(tmp) / "events.sqlite"
        build = ensure_store(path, n_events, reuse=reuse)
        boundaries = load_boundaries()
        rows: list[dict[str, Any]] = []
        with open_store(path) as store:
            for window, (start, end) in WINDOWS.items():
                for label, with_sources in (("ours", True), ("ours, popups without sources", False)):
                    stages, (_, page, m, points) = timed(
                        lambda s=start, e=end, w=with_sources: ours(store, boundaries, s, e, with_sources=w),
                        runs)
                    rows.append({"window": window, "way": label, "points": points,
                                 "drawn": min(points, MAX_POINTS), "stages_ms": stages,
                                 "bytes": len(page.encode()), "offline_bytes": len(offline_html(m).encode())})
                if window == "7-day window":
                    for label, how in (("naive: folium.Marker per event", naive),
                                       ("folium.CircleMarker per point", folium_per_point)):
                        stages, (_, page) = timed(lambda s=start, e=end, f=how: f(store, s, e), NAIVE_RUNS)
                        rows.append({"window": window, "way": label, "points": None, "drawn": None,
                                     "stages_ms": stages, "bytes": len(page.encode()), "offline_bytes": None})
            events_in = {w: len(store.query(start=s, end=e, columns=("event_key",)))
                         for w, (s, e) in WINDOWS.items()}
    for row in rows:
        row["events"] = events_in[row["window"]]
        row["within_targets"] = row["stages_ms"]["total"] <= TARGET_MS and row["bytes"] <= TARGET_BYTES
    return {"events": n_events, "build": build, "runs": runs, "naive_runs": NAIVE_RUNS,
            "max_points": MAX_POINTS, "target_ms": TARGET_MS, "target_bytes": TARGET_BYTES, "rows": rows,
            "ours_within_targets": all(r["within_targets"] for r in rows if r["way"].startswith("ours"))}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="distinct merged events")
    parser.add_argument("--store", type=Path, default=None, help="keep the store here (a new file)")
    parser.add_argument("--reuse", action="store_true", help="time on an existing --store")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of our way (median)")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "dashboard.json", help="results JSON")
    args = parser.parse_args(argv)
    report = run(args.events, args.store, args.reuse, args.runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['events']:,} events; median of {report['runs']} runs (naive ways: "
          f"{report['naive_runs']}); at most {report['max_points']:,} points drawn\n")
    print("| window | way | events | points (drawn) | read ms | sources ms | map+render ms "
          "| timeline+table ms | total ms | page MB | offline MB |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in report["rows"]:
        s = r["stages_ms"]
        points = "" if r["points"] is None else f"{r['points']:,} ({r['drawn']:,})"
        offline = "" if r["offline_bytes"] is None else f"{r['offline_bytes'] / 2**20:.2f}"
        print(f"| {r['window']} | {r['way']} | {r['events']:,} | {points} "
              f"| {s['read']:.0f} | {s.get('sources', 0):.0f} | {s['map + render']:.0f} "
              f"| {s.get(PAGE_READS, 0):.0f} | {s['total']:.0f} | {r['bytes'] / 2**20:.2f} "
              f"| {offline} |")
    print(f"\nours within {TARGET_MS:.0f} ms and {TARGET_BYTES / 2**20:.0f} MB: "
          f"{report['ours_within_targets']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
