"""What a map image for slides costs: `geo.map_image.render_map_image` on the seeds (issue 6: <= 3 s).

    python -m bench.bench_export [--store PATH] [--runs 5]

Builds the seed store (seeds/, with the real gazetteer) in a temporary folder, or uses --store, then:

* cold: a new Python process imports `geo.map_image`, reads the boundaries from disk, queries the store,
  aggregates and renders the theatre PNG once: what one `geo export` of an image costs end to end
  (the issue's "<= 3 s for the seeds including boundaries");
* warm: in this process, each view (ukraine, belarus, baltic, theatre) in each format (png, svg, pdf)
  at the default 10 x 7.5 in, 150 dpi; median of --runs runs after one untimed warm-up, and the size.

Results: a markdown table on stdout and bench/out/export.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.bench_places import OUT_DIR, REPO
from geo.boundaries import REGIONS, load_boundaries
from geo.ingest import ensure_seed_store
from geo.map_image import FORMATS, render_map_image
from geo.store import open_store

TARGET_S = 3.0
SEEDS = REPO / "seeds"
TITLE = "Crisis Map: the seed articles"


# run by a fresh interpreter, so that nothing is imported or cached yet; prints its stages as JSON
COLD_SCRIPT = """
import json, sys, time
stages = {}
t = time.perf_counter()
from geo.boundaries import load_boundaries
from geo.map_image import render_map_image
from geo.store import open_store
stages["import"] = time.perf_counter() - t
t = time.perf_counter()
boundaries = load_boundaries()
stages["boundaries"] = time.perf_counter() - t
t = time.perf_counter()
with open_store(sys.argv[1]) as store:
    points = store.points()
stages["points"] = time.perf_counter() - t
t = time.perf_counter()
render_map_image(points, view="theatre", title=sys.argv[2], subtitle="all dates", fmt="png",
                 boundaries=boundaries)
stages["render"] = time.perf_counter() - t
print(json.dumps(stages))
"""


def cold_in_child(store_path: Path) -> dict[str, float]:
    """Seconds per stage of one theatre PNG in a new interpreter: imports, boundaries read from disk,
    the points, render."""
    result = subprocess.run([sys.executable, "-c", COLD_SCRIPT, str(store_path), TITLE], cwd=REPO, check=True,
                            capture_output=True, text=True)
    stages: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return stages


def warm(store_path: Path, runs: int) -> list[dict[str, Any]]:
    """Median render time and size of each view in each format."""
    boundaries = load_boundaries()
    with open_store(store_path) as store:
        points = store.points()
    rows = []
    for view in REGIONS:
        for fmt in FORMATS:
            def render(v: str = view, f: str = fmt) -> bytes:
                return render_map_image(points, view=v, title=TITLE, subtitle="all dates", fmt=f,
                                        boundaries=boundaries)
            data = render()  # warm-up
            samples = []
            for _ in range(runs):
                t = time.perf_counter()
                data = render()
                samples.append(time.perf_counter() - t)
            rows.append({"view": view, "format": fmt, "ms": round(statistics.median(samples) * 1000, 1),
                         "bytes": len(data)})
    return rows


def run(store_path: Path | None, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = store_path or Path(tmp) / "seeds.sqlite"
        ensure_seed_store(path, SEEDS)  # builds only if missing or empty
        with open_store(path) as store:
            events = store.stats().events
        cold_stages = cold_in_child(path)
        rows = warm(path, runs)
    total = sum(cold_stages.values())
    return {"events": events, "runs": runs, "target_s": TARGET_S, "cold_s": cold_stages,
            "cold_total_s": total, "within_target": total <= TARGET_S, "rows": rows}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--store", type=Path, default=None, help="a store of the seeds (built if missing)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per view and format (median)")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "export.json", help="results JSON")
    args = parser.parse_args(argv)
    report = run(args.store, args.runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    cold_stages = ", ".join(f"{stage} {s:.2f}" for stage, s in report["cold_s"].items())
    print(f"seeds: {report['events']:,} events; cold theatre PNG in a new process: "
          f"**{report['cold_total_s']:.2f} s** ({cold_stages}); target <= {TARGET_S:.0f} s: "
          f"{report['within_target']}\n")
    print(f"warm, median of {report['runs']} runs, 10 x 7.5 in at 150 dpi:\n")
    print("| view | " + " | ".join(f"{fmt} ms | {fmt} kB" for fmt in FORMATS) + " |")
    print("|---|" + "---:|---:|" * len(FORMATS))
    for view in REGIONS:
        cells = {r["format"]: r for r in report["rows"] if r["view"] == view}
        print(f"| {view} | " + " | ".join(f"{cells[f]['ms']:.0f} | {cells[f]['bytes'] / 1000:.0f}"
                                          for f in FORMATS) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
