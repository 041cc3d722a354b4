"""Run every benchmark in one go and rewrite BENCHMARKS.md from their results (issue 7).

    python -m bench.run_all            # the issue's sizes: ~15-20 min on 2 quiet cores
    python -m bench.run_all --quick    # small sizes, ~1.5 min: checks that everything runs

In sequence, each in its own process (so each peak memory and each failure is its own): the synthetic
corpus at 1k / 10k / 100k articles (timed), `bench_places` (geoparse against spaCy), `bench_ingest`
(1 and 2 workers, and Dask when installed), `bench_store` (1M events), `bench_map_scale` (1k … 1M
events, the naive way at 10k), `bench_dashboard_memory` (the real app at 1M events) and `bench_export`
(when present). The 1M-event store is built once, cached as ``bench/out/store-1000000.sqlite`` and
shared by the store, map and memory benchmarks; ``--rebuild`` builds it again. A benchmark that fails
is reported as such and the rest still run.

Results go to ``bench/out/`` (``bench/out/quick/`` with --quick), with ``run_all.json`` (date, machine,
command, each step's command, seconds and exit code); ``--report-only`` rewrites the markdown from them
without running anything. The markdown comes from `bench.benchmarks_md.render_report`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_places import OUT_DIR, REPO
from bench.benchmarks_md import SECTIONS, render_report
from bench.corpus import default_corpus_path

REPORT = REPO / "BENCHMARKS.md"
RUN_FILE = "run_all.json"


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each benchmark runs: the issue's sizes, or small ones for a smoke test."""

    corpus: tuple[int, ...]
    places_n: int
    spacy_n: int
    ingest_n: int
    store_events: int
    map_sizes: tuple[int, ...]
    naive_at: int
    runs: int


# ingest on 2,000 articles: every run starts the same way (imports, gazetteer, warm-up: about 2 s on one
# core whatever the worker count); on 1,000 that fixed start alone held 2 workers to about 1.7x one
FULL = Sizes(corpus=(1_000, 10_000, 100_000), places_n=1_000, spacy_n=200, ingest_n=2_000,
             store_events=1_000_000, map_sizes=(1_000, 10_000, 100_000, 1_000_000), naive_at=10_000, runs=3)
QUICK = Sizes(corpus=(50, 100, 200), places_n=50, spacy_n=10, ingest_n=50, store_events=20_000,
              map_sizes=(1_000, 5_000, 20_000), naive_at=1_000, runs=1)


@dataclass(frozen=True, slots=True)
class Step:
    """One benchmark: the module run as ``python -m MODULE ARGS`` and the JSON it writes."""

    name: str
    module: str
    args: tuple[str, ...]
    out: Path

    def command(self) -> str:
        """The command as a reader would type it from the repository root."""
        return shlex.join(["python", "-m", self.module, *map(_from_repo, self.args)])


def _from_repo(arg: str) -> str:
    """A path inside the repository, relative to it (the steps run there); anything else as it is."""
    path = Path(arg)
    return str(path.relative_to(REPO)) if path.is_absolute() and path.is_relative_to(REPO) else arg


def plan(sizes: Sizes, out_dir: Path) -> list[Step]:
    """The benchmark steps in the order they run (the corpus step is run here, not as a module)."""
    store = out_dir / f"store-{sizes.store_events}.sqlite"

    def out(section: str) -> Path:
        return out_dir / f"{section}.json"

    dask = ("--dask",) if importlib.util.find_spec("distributed") is not None else ()
    steps = [
        Step("places", "bench.bench_places",
             ("--n", str(sizes.places_n), "--spacy-n", str(sizes.spacy_n), "--out", str(out("places"))),
             out("places")),
        Step("ingest", "bench.bench_ingest",
             ("--n", str(sizes.ingest_n), "--workers", "1", "2", *dask, "--repeat", str(sizes.runs),
              "--out", str(out("ingest"))),
             out("ingest")),
        # --reuse here too: the store is built by the first step that needs it and shared
        Step("store", "bench.bench_store", ("--events", str(sizes.store_events), "--store", str(store),
                                            "--reuse", "--out", str(out("store"))),
             out("store")),
        Step("map_scale", "bench.bench_map_scale",
             ("--sizes", *map(str, sizes.map_sizes), "--naive-at", str(sizes.naive_at), "--runs",
              str(sizes.runs), "--store-dir", str(out_dir), "--reuse", "--out", str(out("map_scale"))),
             out("map_scale")),
        Step("dashboard_memory", "bench.bench_dashboard_memory",
             ("--events", str(sizes.store_events), "--store", str(store), "--reuse",
              "--out", str(out("dashboard_memory"))),
             out("dashboard_memory")),
    ]
    if (REPO / "bench" / "bench_export.py").exists():
        steps.append(Step("export", "bench.bench_export",
                          ("--runs", str(sizes.runs), "--out", str(out("export"))), out("export")))
    return steps


def forget_stores(sizes: Sizes, out_dir: Path) -> None:
    """Delete the cached synthetic stores, so that the first step to need each builds it anew."""
    for n in {sizes.store_events, *sizes.map_sizes}:
        (out_dir / f"store-{n}.sqlite").unlink(missing_ok=True)


def run_step(step: Step) -> dict[str, Any]:
    """Run one benchmark (its output shown as it comes); its command, seconds and exit code."""
    step.out.unlink(missing_ok=True)  # a result left from an earlier run must not pass for this one's
    print(f"\n=== {step.name}: {step.command()}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", step.module, *step.args], cwd=REPO, stderr=subprocess.PIPE,
                          text=True, check=False)
    seconds = time.perf_counter() - t0
    sys.stderr.write(proc.stderr)
    done = proc.returncode == 0 and step.out.exists()
    error = "" if done else (proc.stderr.strip().splitlines() or ["no result written"])[-1]
    return {"command": step.command(), "seconds": round(seconds, 1), "exit_code": proc.returncode,
            "error": error}


def time_corpus(sizes: Sequence[int], out: Path, *, words: int = 900, seed: int = 0) -> dict[str, Any]:
    """Generate the synthetic corpus at each size, each in a new process (gazetteer load included)."""
    found = []
    for n in sizes:
        path = default_corpus_path(n, words=words, seed=seed)
        print(f"\n=== corpus: {n:,} articles -> {path}", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.corpus", "--n", str(n), "--words", str(words),
                        "--seed", str(seed), "--out", str(path)], cwd=REPO, check=True)
        seconds = time.perf_counter() - t0
        with path.open(encoding="utf-8") as handle:
            counted = [len(json.loads(line)["text"].split()) for line in handle if line.strip()]
        found.append({"articles": len(counted), "words": sum(counted), "seconds": round(seconds, 1),
                      "articles_per_s": round(len(counted) / seconds),
                      "mb": round(path.stat().st_size / 1e6, 1), "path": str(path)})
    result = {"words_per_article": words, "seed": seed, "sizes": found}
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, OS and Python of this machine (Linux /proc where it has them)."""
    cpu, ram_kib = platform.processor() or "unknown", 0
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        ram_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu_model": cpu, "cores": os.cpu_count(), "cpus_usable": usable, "ram_gib": ram_kib / 2**20,
            "os": platform.platform(), "python": platform.python_version()}


def run_benchmarks(sizes: Sizes, out_dir: Path, *, wanted: set[str], rebuild: bool, command: str,
                   quick: bool) -> dict[str, Any]:
    """Run the wanted benchmarks in order; the run's record: its meta (date, machine, command) and each
    step's command, seconds and exit code."""
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    load_before = round(os.getloadavg()[0], 2)
    steps: dict[str, Any] = {}
    if "corpus" in wanted:
        t = time.perf_counter()
        try:
            time_corpus(sizes.corpus, out_dir / "corpus.json")
            code, error = 0, ""
        except subprocess.CalledProcessError as exc:
            code, error = exc.returncode, str(exc)
        sizes_given = ", ".join(map(str, sizes.corpus))
        steps["corpus"] = {"command": f"python -m bench.corpus --n N (N = {sizes_given})",
                           "seconds": round(time.perf_counter() - t, 1), "exit_code": code, "error": error}
    if rebuild:
        forget_stores(sizes, out_dir)
    for step in plan(sizes, out_dir):
        if step.name in wanted:
            steps[step.name] = run_step(step)
    meta = {"date": started.isoformat(timespec="seconds"), "quick": quick, "command": command, **machine(),
            "load_before": load_before, "load_after": round(os.getloadavg()[0], 2),
            "seconds": round(time.perf_counter() - t0, 1)}
    return {"meta": meta, "steps": steps}


def gather(out_dir: Path) -> dict[str, Any]:
    """The run's record and every section's JSON (None where a step did not write one)."""
    run = json.loads((out_dir / RUN_FILE).read_text(encoding="utf-8"))
    results: dict[str, Any] = {"meta": run["meta"], "steps": run["steps"]}
    for section in SECTIONS:
        path = out_dir / f"{section}.json"
        done = section in run["steps"] and run["steps"][section]["exit_code"] == 0
        results[section] = json.loads(path.read_text(encoding="utf-8")) if done and path.exists() else None
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test of every benchmark")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these (the rest: not run)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached synthetic stores anew")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the markdown from the last run's results, running nothing")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="results folder (default bench/out, or bench/out/quick with --quick)")
    parser.add_argument("--report", type=Path, default=REPORT, help="markdown to write (BENCHMARKS.md)")
    args = parser.parse_args(argv)
    out_dir = args.out_dir or (OUT_DIR / "quick" if args.quick else OUT_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        command = shlex.join(["python", "-m", "bench.run_all", *(sys.argv[1:] if argv is None else argv)])
        run = run_benchmarks(QUICK if args.quick else FULL, out_dir, wanted=set(args.only or SECTIONS),
                             rebuild=args.rebuild, command=command, quick=args.quick)
        (out_dir / RUN_FILE).write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    args.report.write_text(render_report(gather(out_dir)), encoding="utf-8")
    print(f"\nwrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
