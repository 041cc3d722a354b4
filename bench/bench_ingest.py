"""Speed benchmark of `geo ingest`: ≥ 1,000 articles at ≥ 25 articles/s on one core (events issue).

    python -m bench.bench_ingest [--n 1000]

Runs the real command, ``geo ingest CORPUS --store NEW_FILE --no-progress``, in a child process pinned
to one CPU, on the synthetic corpus of ``bench/corpus.py`` (the same one ``bench_places`` uses), twice:
the first run fills a new store, the second ingests the same corpus again and must add nothing. The
gazetteer load (about 1 s from its cache) is inside the timed command, as a user meets it; the rate
without it is reported too. Results: a markdown table on stdout and ``bench/out/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.bench_places import OUT_DIR, REPO, SINGLE_THREAD_ENV, ensure_corpus

TARGET_RATE = 25.0
GAZETTEER_LOAD_SCRIPT = "import time; t=time.perf_counter(); from geo import load_gazetteer; " \
                        "load_gazetteer(); print(time.perf_counter()-t)"


def _one_cpu_prefix() -> list[str]:
    return ["taskset", "-c", "0"] if sys.platform.startswith("linux") and _has_taskset() else []


def _has_taskset() -> bool:
    return subprocess.run(["which", "taskset"], capture_output=True).returncode == 0


def _run(command: list[str]) -> tuple[float, str]:
    env = {**os.environ, **SINGLE_THREAD_ENV}
    start = time.perf_counter()
    done = subprocess.run([*_one_cpu_prefix(), *command], capture_output=True, text=True, env=env,
                          cwd=REPO, check=True)
    return time.perf_counter() - start, done.stdout.strip()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--words", type=int, default=900)
    args = parser.parse_args(argv)
    corpus = ensure_corpus(args.n, words=args.words, seed=0, path=None, regenerate=False)
    load_s = float(_run([sys.executable, "-c", GAZETTEER_LOAD_SCRIPT])[1].splitlines()[-1])
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "events.sqlite"
        command = [sys.executable, "-m", "geo.cli", "ingest", str(corpus), "--store", str(store),
                   "--no-progress"]
        first_s, first_out = _run(command)
        second_s, second_out = _run(command)
        with sqlite3.connect(store) as db:
            mentions = db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
            events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        size_mb = store.stat().st_size / 1e6
    rate = args.n / first_s
    steady = args.n / max(first_s - load_s, 1e-9)
    report = {
        "articles": args.n, "words_per_article": args.words, "first_run_s": round(first_s, 2),
        "articles_per_s": round(rate, 1), "articles_per_s_without_gazetteer_load": round(steady, 1),
        "gazetteer_load_s": round(load_s, 2), "second_run_s": round(second_s, 2),
        "first_run_summary": first_out, "second_run_summary": second_out, "store_mentions": mentions,
        "store_events": events, "store_mb": round(size_mb, 1), "one_cpu": bool(_one_cpu_prefix()),
        "target_articles_per_s": TARGET_RATE, "pass": rate >= TARGET_RATE,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "ingest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("| run | articles | wall s | articles/s | store |\n|---|---:|---:|---:|---|")
    print(f"| geo ingest (new store) | {args.n} | {first_s:.1f} | **{rate:.1f}** "
          f"({steady:.1f} without the {load_s:.1f} s gazetteer load) | {mentions:,} mentions, "
          f"{events:,} merged events, {size_mb:.1f} MB |")
    print(f"| geo ingest (same corpus again) | {args.n} | {second_s:.1f} | {args.n / second_s:.1f} | "
          f"{second_out.splitlines()[0] if second_out else ''} |")
    print(f"\ntarget ≥ {TARGET_RATE:.0f} articles/s on one core: {'PASS' if rate >= TARGET_RATE else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
