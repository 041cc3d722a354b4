"""Map build time and bytes sent at 1k / 10k / 100k / 1M events, against a Marker per event (issue 7).

    python -m bench.bench_map_scale [--sizes 1000 10000 100000 1000000] [--naive-at 10000] [--reuse]

For each size, a synthetic store of that many events (`bench.bench_store`'s generator, through the
store's own write path), cached as ``bench/out/store-N.sqlite``: ``--reuse`` takes a cached store when
present (a 1M-event store takes minutes to build); without it the cached store is rebuilt. On each
store, for the whole date range and for a 7-day window, one slider move the way the dashboard does it
(`bench.bench_dashboard.ours`: read the points, the popups' sources, build and render the map: the
"map" time the targets are about; then the timeline's and the table's reads, which make the "page"
time), median of --runs runs after one untimed warm-up. At the --naive-at size only, the naive way too
(`bench.bench_dashboard.naive`: one `folium.Marker` with a popup per event, one run after a warm-up),
and the speed-up of ours over it. Bytes are those of the rendered page (what streamlit-folium sends,
within a few kB) and of `offline_html` (the export).
Targets (issue 7): ≥ 20× faster than the naive way at 10k; ≤ 0.5 s and ≤ 3 MB at 100k.
Results: a markdown table on stdout and ``bench/out/map_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bench.bench_dashboard import NAIVE_RUNS, TARGET_BYTES, WINDOWS, naive, ours, timed
from bench.bench_places import OUT_DIR
from bench.bench_store import ensure_store
from geo.boundaries import load_boundaries
from geo.folium_map import MAX_POINTS, offline_html
from geo.store import open_store

SIZES = (1_000, 10_000, 100_000, 1_000_000)
NAIVE_AT = 10_000
TARGET_SPEEDUP = 20.0  # ours against one Marker per event, whole range, at NAIVE_AT events
TARGET_AT = 100_000  # the size the time and bytes targets are set for
TARGET_MS = 500.0
WHOLE = "whole range"


def cached_store(out_dir: Path, n_events: int) -> Path:
    """Where the store of `n_events` synthetic events is kept between runs (bench/out is not in git)."""
    return out_dir / f"store-{n_events}.sqlite"


def measure_size(path: Path, n_events: int, *, runs: int, naive_too: bool) -> list[dict[str, Any]]:
    """The rows of one store: ours for each window, and the naive way if asked."""
    boundaries = load_boundaries()
    rows: list[dict[str, Any]] = []
    with open_store(path) as store:
        for window, (start, end) in WINDOWS.items():
            events = len(store.query(start=start, end=end, columns=("event_key",)))
            stages, (_, page, fmap, points) = timed(
                partial(ours, store, boundaries, start, end, with_sources=True), runs)
            rows.append({"store_events": n_events, "window": window, "way": "ours", "events": events,
                         "points": points, "drawn": min(points, MAX_POINTS), "stages_ms": stages,
                         "bytes": len(page.encode()), "offline_bytes": len(offline_html(fmap).encode())})
            if naive_too:
                stages, (_, page) = timed(partial(naive, store, start, end), NAIVE_RUNS)
                rows.append({"store_events": n_events, "window": window, "events": events,
                             "way": "naive: folium.Marker per event", "points": None, "drawn": None,
                             "stages_ms": stages, "bytes": len(page.encode()), "offline_bytes": None})
    for row in rows:
        row["peak_rss_mib_so_far"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return rows


def speedups(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Naive map time over ours, and naive bytes over ours, for each store and window with both."""
    found = []
    for row in rows:
        if row["way"] != "ours":
            continue
        other = next((r for r in rows if r["way"] != "ours" and r["store_events"] == row["store_events"]
                      and r["window"] == row["window"]), None)
        if other is not None:
            found.append({"store_events": row["store_events"], "window": row["window"],
                          "events": row["events"],
                          "speedup": round(other["stages_ms"]["map"] / row["stages_ms"]["map"], 1),
                          "bytes_ratio": round(other["bytes"] / row["bytes"], 2)})
    return found


def verdicts(rows: Sequence[dict[str, Any]], found: Sequence[dict[str, Any]]) -> dict[str, bool | None]:
    """Each target met (True), missed (False) or not measured (None: its size was not run)."""
    at_target = [r for r in rows if r["way"] == "ours" and r["store_events"] == TARGET_AT]
    whole = [s for s in found if s["window"] == WHOLE and s["store_events"] == NAIVE_AT]
    return {
        "speedup_at_10k": whole[0]["speedup"] >= TARGET_SPEEDUP if whole else None,
        "ms_at_100k": all(r["stages_ms"]["map"] <= TARGET_MS for r in at_target) if at_target else None,
        "bytes_at_100k": all(r["bytes"] <= TARGET_BYTES for r in at_target) if at_target else None,
    }


def run(sizes: Sequence[int], *, naive_at: int, reuse: bool, runs: int, out_dir: Path) -> dict[str, Any]:
    builds: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for n in sorted(sizes):
        path = cached_store(out_dir, n)
        if not reuse:
            path.unlink(missing_ok=True)
        builds[str(n)] = {"path": str(path), **ensure_store(path, n, reuse=True)}
        rows += measure_size(path, n, runs=runs, naive_too=n == naive_at)
    found = speedups(rows)
    return {"sizes": sorted(sizes), "naive_at": naive_at, "runs": runs, "naive_runs": NAIVE_RUNS,
            "max_points": MAX_POINTS, "builds": builds, "rows": rows, "speedups": found,
            "target_speedup": TARGET_SPEEDUP, "target_speedup_at": NAIVE_AT, "target_at": TARGET_AT,
            "target_ms": TARGET_MS, "target_bytes": TARGET_BYTES, "within_targets": verdicts(rows, found)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="events per store")
    parser.add_argument("--naive-at", type=int, default=NAIVE_AT, help="the size the naive way runs at")
    parser.add_argument("--reuse", action="store_true", help="reuse the cached stores of these sizes")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of our way (median)")
    parser.add_argument("--store-dir", type=Path, default=OUT_DIR, help="where the stores are cached")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "map_scale.json", help="results JSON")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.runs < 1:
        parser.error("--sizes and --runs must be >= 1")
    args.store_dir.mkdir(parents=True, exist_ok=True)
    report = run(args.sizes, naive_at=args.naive_at, reuse=args.reuse, runs=args.runs, out_dir=args.store_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"median of {report['runs']} runs (naive: {report['naive_runs']}); at most "
          f"{report['max_points']:,} points drawn\n")
    print("| store events | window | way | events | points (drawn) | map ms | page ms | page MB "
          "| offline MB |\n|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for r in report["rows"]:
        points = "" if r["points"] is None else f"{r['points']:,} ({r['drawn']:,})"
        offline = "" if r["offline_bytes"] is None else f"{r['offline_bytes'] / 2**20:.2f}"
        print(f"| {r['store_events']:,} | {r['window']} | {r['way']} | {r['events']:,} | {points} "
              f"| {r['stages_ms']['map']:.0f} | {r['stages_ms']['total']:.0f} | {r['bytes'] / 2**20:.2f} "
              f"| {offline} |")
    for s in report["speedups"]:
        print(f"\nat {s['store_events']:,} events, {s['window']}: ours {s['speedup']}× faster than one "
              f"Marker per event, {s['bytes_ratio']}× fewer bytes")
    print(f"\ntargets: {report['within_targets']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
