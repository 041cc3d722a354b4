"""BENCHMARKS.md from the benchmarks' JSON results: one pure function, `render_report` (issue 7).

`bench.run_all` runs every benchmark, gathers what each wrote (``bench/out/*.json``) into one dict and
passes it here. Every section shows its table, its targets and whether each was met; a benchmark that
did not run says so (with its exit code), and a target measured at another size than the one it is
set for (a ``--quick`` run) is shown as "not measured" rather than met or missed.

    results = {"meta": {...}, "steps": {name: {...}}, "corpus": {...} | None, "places": ..., "ingest": ...,
               "store": ..., "map_scale": ..., "dashboard_memory": ..., "export": ...}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Result = dict[str, Any]

SECTIONS = ("corpus", "places", "ingest", "store", "map_scale", "dashboard_memory", "export")
TITLES = {"corpus": "Synthetic corpus", "places": "Geoparsing (`geo places`) against spaCy",
          "ingest": "Ingest on 1 and 2 workers", "store": "Store: date-window queries at 1M events",
          "map_scale": "Map build at 1k / 10k / 100k / 1M events",
          "dashboard_memory": "Dashboard process memory at 1M events", "export": "Map images for slides"}
STORE_EVENTS = 1_000_000  # the size the store and memory targets are set for
CORPUS_ARTICLES = 1_000  # the corpus size the geoparse and ingest targets are set for ("≥ 1,000 articles")
MIB = 2**20


@dataclass(frozen=True, slots=True)
class Target:
    """One target of the issues, what was measured against it, and the verdict (None: not measured)."""

    section: str
    what: str
    measured: str
    met: bool | None


def verdict(met: bool | None) -> str:
    """'met', '**not met**' or 'not measured'.

    >>> [verdict(v) for v in (True, False, None)]
    ['met', '**not met**', 'not measured']
    """
    return "not measured" if met is None else "met" if met else "**not met**"


def _n(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _mb(size: float | None) -> str:
    return "" if size is None else f"{size / MIB:.2f}"


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """A markdown table; `align` holds 'l' or 'r' per column (default: first left, the rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"
    return ["| " + " | ".join(header) + " |", rule, *("| " + " | ".join(row) + " |" for row in rows)]


# -- targets ---------------------------------------------------------------------------------------------

def _places_targets(r: Result) -> list[Target]:
    s, geo = r.get("summary", {}), r.get("geoparse", {})
    at_size = geo.get("articles", 0) >= CORPUS_ARTICLES
    found = [Target("places", f"geoparse ≥ {s.get('target_articles_per_s', 30):g} articles/s on one core",
                    f"{geo.get('articles_per_s', '?')} articles/s over {geo.get('articles', 0):,} articles",
                    s.get("meets_rate") if at_size else None)]
    ratio = s.get("ratio_vs_spacy_full")
    ratio_target = s.get("target_ratio_vs_spacy_full", 3)
    found.append(Target("places", f"≥ {ratio_target:g}× spaCy small (full pipeline)",
                        f"{ratio}×" if ratio is not None else "spaCy did not run",
                        s.get("meets_ratio") if at_size else None))
    return found


def _ingest_targets(r: Result) -> list[Target]:
    one = next((x for x in r.get("runs", []) if x["workers"] == 1 and x["engine"] == "local"), None)
    speedup = r.get("speedup_2_vs_1")
    at_size = r.get("articles", 0) >= CORPUS_ARTICLES  # below, process starts outweigh the work
    return [Target("ingest", f"one core ≥ {r.get('target_articles_per_s', 25):g} articles/s",
                   f"{one['articles_per_s']} articles/s over {r.get('articles', 0):,} articles" if one
                   else "not run",
                   one["articles_per_s"] >= r.get("target_articles_per_s", 25) if one and at_size else None),
            Target("ingest", f"2 workers ≥ {r.get('target_speedup_2_vs_1', 1.7):g}× one",
                   f"{speedup}×" if speedup is not None else "not run",
                   speedup >= r.get("target_speedup_2_vs_1", 1.7) if speedup is not None and at_size
                   else None)]


def _store_targets(r: Result) -> list[Target]:
    query = next((q for q in r.get("queries", []) if q["query"] == "7-day window"), None)
    at_size = r.get("events") == STORE_EVENTS
    measured = (f"{query['median_ms']} ms ({query['rows']:,} rows) at {r['events']:,} events"
                if query else "not run")
    met = query["median_ms"] <= r.get("target_ms", 200) if query and at_size else None
    what = f"date-window query (7 days, all columns) at 1M events ≤ {r.get('target_ms', 200):g} ms"
    return [Target("store", what, measured, met)]


def _map_targets(r: Result) -> list[Target]:
    within = r.get("within_targets", {})
    speedup = next((s for s in r.get("speedups", []) if s["window"] == "whole range"), None)
    at = [x for x in r.get("rows", []) if x["way"] == "ours" and x["store_events"] == r.get("target_at")]
    slowest = max((x["stages_ms"]["map"] for x in at), default=None)
    largest = max((x["bytes"] for x in at), default=None)
    return [
        Target("map_scale", f"≥ {r.get('target_speedup', 20):g}× faster than one folium Marker per event "
               "at 10k",
               f"{speedup['speedup']}× at {speedup['store_events']:,} events" if speedup else "not run",
               within.get("speedup_at_10k")),
        Target("map_scale", f"≤ {r.get('target_ms', 500) / 1000:g} s at 100k",
               f"{slowest / 1000:.2f} s (slower window)" if slowest is not None else "not run at 100k",
               within.get("ms_at_100k")),
        Target("map_scale", f"≤ {r.get('target_bytes', 3 * MIB) / MIB:g} MB sent at 100k",
               f"{largest / MIB:.2f} MB (larger window)" if largest is not None else "not run at 100k",
               within.get("bytes_at_100k")),
    ]


def _memory_targets(r: Result) -> list[Target]:
    at_size = r.get("events") == STORE_EVENTS
    peak = r.get("peak_rss_mib")
    return [Target("dashboard_memory", f"dashboard peak memory at 1M events ≤ "
                   f"{r.get('target_bytes', 2 * 2**30) / 2**30:g} GB",
                   f"{peak:,} MiB at {r['events']:,} events" if peak is not None else "not run",
                   r.get("within_target") if at_size and peak is not None else None)]


def _export_targets(r: Result) -> list[Target]:
    total = r.get("cold_total_s")
    return [Target("export", f"one theatre PNG of the seeds in a new process ≤ {r.get('target_s', 3):g} s",
                   f"{total:.2f} s" if total is not None else "not run", r.get("within_target"))]


TARGETS: dict[str, Callable[[Result], list[Target]]] = {
    "places": _places_targets, "ingest": _ingest_targets, "store": _store_targets,
    "map_scale": _map_targets, "dashboard_memory": _memory_targets, "export": _export_targets}


def targets(results: Result) -> list[Target]:
    """Every target of every section; a section that did not run lists its targets as not measured."""
    found: list[Target] = []
    for section, of in TARGETS.items():
        result = results.get(section)
        found += of(result) if result else [Target(section, t.what, "did not run", None) for t in of({})]
    return found


# -- sections --------------------------------------------------------------------------------------------

def _corpus(r: Result) -> list[str]:
    rows = [[_n(c["articles"]), _n(c["words"]), _n(c["seconds"], 1), _n(c["articles_per_s"]), _n(c["mb"], 1)]
            for c in r["sizes"]]
    return [f"`bench/corpus.py`: articles of ~{r['words_per_article']} words (seed {r['seed']}), each "
            "generated in its own process (gazetteer load included).", "",
            *_table(["articles", "words", "seconds", "articles/s", "MB"], rows)]


def _places(r: Result) -> list[str]:
    rows = []
    for label, part, found in (("`geo` geoparse", "geoparse", "mentions"),
                               ("spaCy small, full pipeline", "spacy_full", "place_entities"),
                               ("spaCy small, NER only", "spacy_ner", "place_entities")):
        x = r.get(part, {})
        if x.get("available"):
            rows.append([label, _n(x["articles"]), _n(x["articles_per_s"], 2), _n(x["words_per_s"]),
                         _n(x[found]), _n(x["peak_rss_mib"])])
        else:
            rows.append([label, "not run", "", "", "", ""])
    return ["Each part in its own process pinned to one core (`bench/bench_places.py`).", "",
            *_table(["run", "articles", "articles/s", "words/s", "places found", "peak RSS MiB"], rows)]


def _ingest(r: Result) -> list[str]:
    rows = []
    for x in r.get("runs", []):
        pinned = str(x["workers"]) if x["cpus_pinned"] else "not pinned"
        rows.append([f"`--workers {x['workers']} --engine {x['engine']}`", pinned, _n(x["first_run_s"], 1),
                     f"**{x['articles_per_s']}**", _n(x["articles_per_s_without_gazetteer_load"], 1),
                     f"{x['store_mentions']:,} mentions, {x['store_events']:,} events"])
    lines = [f"The real `geo ingest` of {r['articles']:,} synthetic articles into a new store, in a child "
             "process pinned to as many CPUs as workers (`taskset`); gazetteer load "
             f"({r['gazetteer_load_s']} s) included.", "",
             *_table(["run", "CPUs", "wall s", "articles/s", "without gazetteer load", "store"], rows,
                     "lrrrrl")]
    if r.get("second_run_s"):
        lines += ["", f"The same corpus again: {r['second_run_s']} s, nothing added."]
    if r.get("speedup_2_vs_1") is not None:
        lines += ["", f"2 workers / 1 worker: **{r['speedup_2_vs_1']}×**."]
    writer = r.get("writer")
    if writer:
        parts = ", ".join(f"{part.replace('_', ' ')} {ms} ms"
                          for part, ms in writer["ms_per_article"].items())
        lines += ["", f"The single writer (the process that runs `geo ingest`) needs "
                      f"**{writer['total_ms_per_article']} ms** an article besides extraction ({parts}; "
                      f"{writer['articles']} articles): whatever runs the extraction, it stores at most "
                      f"about {writer['cap_articles_per_s']:,} articles/s."]
    return lines


def _store(r: Result) -> list[str]:
    limit = r.get("target_ms", 200)
    rows = [[q["query"], f"**{q['median_ms']}**" if q["query"] == "7-day window" else _n(q["median_ms"], 1),
             _n(q["rows"]), "" if "window" not in q["query"] else "yes" if q["median_ms"] <= limit else "no"]
            for q in r.get("queries", [])]
    build = r.get("build", {})
    made = "reused" if build.get("reused") else f"built in {build.get('seconds', '?')} s"
    return [f"{r['events']:,} synthetic events ({made}; file {r.get('file_mb', '?')} MiB), median of "
            f"{r.get('runs', '?')} warm runs.", "",
            *_table(["query", "ms", "rows", f"≤ {limit:g} ms"], rows)]


def _map_scale(r: Result) -> list[str]:
    rows = []
    for x in r.get("rows", []):
        s = x["stages_ms"]
        points = "" if x["points"] is None else f"{x['points']:,} ({x['drawn']:,})"
        rows.append([_n(x["store_events"]), x["window"], x["way"], _n(x["events"]), points,
                     _n(s["read"]), _n(s.get("sources", 0)), _n(s["map + render"]),
                     f"**{_n(s['map'])}**", _n(s.get("timeline + table", 0)), _n(s["total"]),
                     _mb(x["bytes"]), _mb(x["offline_bytes"])])
    lines = [f"One slider move the map page's way (read the points, the popups' sources, build and render "
             "the map, then the timeline's and the table's reads; median of "
             f"{r.get('runs', '?')} runs) against one `folium.Marker` with a popup per event at "
             f"{r.get('naive_at', 0):,} events (1 run). The map ms (the first three stages) is what the "
             "targets are about; page ms adds the rest of the page's reads. At most "
             f"{r.get('max_points', 0):,} points are drawn; page MB is what streamlit-folium sends, offline "
             "MB the export.", "",
             *_table(["store events", "window", "way", "events", "points (drawn)", "read ms",
                      "sources ms", "map+render ms", "map ms", "timeline+table ms", "page ms", "page MB",
                      "offline MB"], rows, "rllrrrrrrrrrr")]
    for s in r.get("speedups", []):
        lines += ["", f"At {s['store_events']:,} events, {s['window']} ({s['events']:,} events): one Marker "
                      f"per event takes **{s['speedup']}×** as long as ours and sends {s['bytes_ratio']}× "
                      "the bytes."]
    return lines


def _dashboard_memory(r: Result) -> list[str]:
    loads = [[f"`{load['url'].split('/', 3)[-1] or '/'}`", _n(load["seconds"], 1), _n(load["events"]),
              _n(load["points"])] for load in r.get("page_loads", [])]
    return [f"`streamlit run dashboard/app.py` on a store of {r['events']:,} events, the map page opened in "
            "headless Chromium with the default view (every event), then a 7-day window by URL. Peak "
            f"resident memory of the streamlit process tree (VmHWM summed over {r.get('processes', '?')} "
            f"process(es)): **{r['peak_rss_mib']:,} MiB**; sampled every 0.2 s: "
            f"{r.get('sampled_peak_rss_mib', 0):,} MiB; idle after start: {r.get('idle_rss_mib', 0):,} MiB.",
            "", *_table(["page", "seconds to a drawn map", "events", "points"], loads)]


def _export(r: Result) -> list[str]:
    stages = ", ".join(f"{stage} {s:.2f} s" for stage, s in r.get("cold_s", {}).items())
    lines = [f"`bench/bench_export.py` on the seeds ({r.get('events', '?')} events): one theatre PNG in a "
             f"new process **{r.get('cold_total_s', 0):.2f} s** ({stages})."]
    rows = r.get("rows", [])
    formats = list(dict.fromkeys(x["format"] for x in rows))
    if rows:
        table = []
        for view in dict.fromkeys(x["view"] for x in rows):
            cells = {x["format"]: x for x in rows if x["view"] == view}
            table.append([view, *(f"{cells[f]['ms']:.0f} ms, {cells[f]['bytes'] / 1000:.0f} kB"
                                  if f in cells else "" for f in formats)])
        lines += ["", f"Warm, median of {r.get('runs', '?')} runs:", "", *_table(["view", *formats], table)]
    return lines


RENDER: dict[str, Callable[[Result], list[str]]] = {
    "corpus": _corpus, "places": _places, "ingest": _ingest, "store": _store, "map_scale": _map_scale,
    "dashboard_memory": _dashboard_memory, "export": _export}


def _not_run(step: Result | None) -> list[str]:
    if step is None:
        return ["_Not run in this run._"]
    return [f"_Did not complete_ (exit code {step.get('exit_code')}): `{step.get('error', '').strip()}`"]


def render_report(results: Result) -> str:
    """BENCHMARKS.md for one run's results: header (date, machine, command), the targets at a glance,
    then one section per benchmark with its table and targets."""
    meta, steps = results["meta"], results.get("steps", {})
    found = targets(results)
    lines = ["# Benchmarks", "",
             f"Written by `{meta['command']}` on {meta['date']}; do not edit by hand, rerun the command. "
             "Every figure comes from this one run."]
    if meta.get("quick"):
        lines += ["", "> **Quick run (`--quick`)**: small sizes, to check that every benchmark runs. The "
                      "figures are not the issue's measurements, and size-bound targets are not measured."]
    lines += ["", "## Machine", "", *_table(["", ""], [
        ["CPU", meta["cpu_model"]], ["cores", f"{meta['cores']} ({meta['cpus_usable']} usable here)"],
        ["RAM", f"{meta['ram_gib']:.1f} GiB"], ["OS", meta["os"]], ["Python", meta["python"]],
        ["load average (1 min) before / after", f"{meta['load_before']} / {meta['load_after']}"],
        ["whole run", f"{meta['seconds'] / 60:.1f} min"]], "ll"),
        "", "The machine may be shared: timings move with its load; ratios measured in the same run "
            "(2 workers against 1, ours against naive, geoparse against spaCy) move less.",
        "", "## Targets", "",
        *_table(["benchmark", "target", "measured", "verdict"],
                [[TITLES[t.section], t.what, t.measured, verdict(t.met)] for t in found], "llll")]
    for section in SECTIONS:
        result = results.get(section)
        lines += ["", f"## {TITLES[section]}", ""]
        if not result:
            lines += _not_run(steps.get(section))
            continue
        lines += RENDER[section](result)
        own = [t for t in found if t.section == section]
        if own:
            lines += ["", *(f"- target {t.what}: {t.measured}, {verdict(t.met)}" for t in own)]
    if steps:
        lines += ["", "## Commands run", "",
                  *_table(["benchmark", "command", "seconds", "exit"],
                          [[name, f"`{s['command']}`", _n(s["seconds"], 0), str(s["exit_code"])]
                           for name, s in steps.items()], "llrr")]
    return "\n".join(lines) + "\n"
