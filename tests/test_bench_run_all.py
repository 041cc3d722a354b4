"""BENCHMARKS.md as `bench.run_all` writes it: `render_report` on small fabricated results (issue 7).

No benchmark runs here: the results below have the shape of the JSON each benchmark writes.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from bench.benchmarks_md import SECTIONS, TITLES, render_report, targets

Result = dict[str, Any]


def _stages(map_ms: float) -> dict[str, float]:
    return {"read": map_ms * 0.2, "sources": map_ms * 0.3, "map + render": map_ms * 0.5,
            "timeline + table": map_ms * 0.1, "map": map_ms, "total": map_ms * 1.1}


def _map_row(store_events: int, window: str, way: str, events: int, total: float, size: int) -> Result:
    ours = way == "ours"
    return {"store_events": store_events, "window": window, "way": way, "events": events,
            "points": events if ours else None, "drawn": min(events, 6000) if ours else None,
            "stages_ms": _stages(total), "bytes": size, "offline_bytes": size + 150_000 if ours else None}


def full_results() -> Result:
    """One full-size run in which every target is met but one: 2 workers are only 1.5× one."""
    return {
        "meta": {"date": "2026-11-27T08:00:00+00:00", "quick": False, "command": "python -m bench.run_all",
                 "cpu_model": "AMD EPYC 7B13", "cores": 2, "cpus_usable": 2, "ram_gib": 23.4,
                 "os": "Linux-6.1-x86_64", "python": "3.11.7", "load_before": 0.1, "load_after": 1.9,
                 "seconds": 2700.0},
        "steps": {name: {"command": f"python -m bench.{name}", "seconds": 60.0, "exit_code": 0, "error": ""}
                  for name in SECTIONS},
        "corpus": {"words_per_article": 900, "seed": 0, "sizes": [
            {"articles": n, "words": n * 900, "seconds": n / 900, "articles_per_s": 900, "mb": n * 0.0068,
             "path": f"bench/out/corpus-{n}.jsonl"} for n in (1_000, 10_000, 100_000)]},
        "places": {"geoparse": {"available": True, "articles": 1000, "articles_per_s": 42.1,
                                "words_per_s": 37904, "mentions": 79258, "peak_rss_mib": 327},
                   "spacy_full": {"available": True, "articles": 200, "articles_per_s": 3.56,
                                  "words_per_s": 3190, "place_entities": 9000, "peak_rss_mib": 1043},
                   "spacy_ner": {"available": False, "error": "skipped"},
                   "summary": {"target_articles_per_s": 30.0, "target_ratio_vs_spacy_full": 3.0,
                               "meets_rate": True, "ratio_vs_spacy_full": 11.83, "meets_ratio": True}},
        "ingest": {"articles": 1000, "gazetteer_load_s": 1.2, "second_run_s": 3.9,
                   "target_articles_per_s": 25.0, "target_speedup_2_vs_1": 1.7, "speedup_2_vs_1": 1.5,
                   "pass": True, "pass_speedup": False,
                   "writer": {"articles": 200, "total_ms_per_article": 2.15, "cap_articles_per_s": 465,
                              "ms_per_article": {"read_and_hash": 0.4, "unpickle_rows": 0.15, "store": 1.6}},
                   "runs": [{"workers": w, "engine": engine, "cpus_pinned": True, "first_run_s": 1000 / rate,
                             "articles_per_s": rate, "articles_per_s_without_gazetteer_load": rate + 1,
                             "store_mentions": 78731, "store_events": 56613, "store_mb": 30.9}
                            for w, engine, rate in ((1, "local", 28.0), (2, "local", 42.0),
                                                    (2, "dask", 35.0))]},
        "store": {"events": 1_000_000, "build": {"reused": True}, "file_mb": 447.2, "runs": 5,
                  "target_ms": 200.0,
                  "queries": [{"query": "7-day window", "median_ms": 115.4, "rows": 57983},
                              {"query": "30-day window", "median_ms": 417.0, "rows": 250174},
                              {"query": "sources of 100 events", "median_ms": 3.0, "rows": 120}]},
        "map_scale": {
            "sizes": [1_000, 10_000, 100_000, 1_000_000], "naive_at": 10_000, "runs": 3, "max_points": 6000,
            "rows": [_map_row(10_000, "whole range", "ours", 10_000, 300.0, 900_000),
                     _map_row(10_000, "whole range", "naive: folium.Marker per event", 10_000, 20_000.0,
                              5_000_000),
                     _map_row(100_000, "7-day window", "ours", 5905, 402.0, 1_960_000),
                     _map_row(100_000, "whole range", "ours", 100_000, 480.0, 2_200_000)],
            "speedups": [{"store_events": 10_000, "window": "whole range", "events": 10_000, "speedup": 66.7,
                          "bytes_ratio": 5.56}],
            "target_speedup": 20.0, "target_at": 100_000, "target_ms": 500.0, "target_bytes": 3 * 2**20,
            "within_targets": {"speedup_at_10k": True, "ms_at_100k": True, "bytes_at_100k": True}},
        "dashboard_memory": {"events": 1_000_000, "idle_rss_mib": 60, "peak_rss_mib": 1500,
                             "sampled_peak_rss_mib": 1450, "processes": 1, "target_bytes": 2 * 2**30,
                             "within_target": True,
                             "page_loads": [{"url": "http://127.0.0.1:8501/", "seconds": 40.0,
                                             "events": 1_000_000, "points": 600_000}]},
        "export": {"events": 294, "runs": 5, "target_s": 3.0, "cold_total_s": 2.93, "within_target": True,
                   "cold_s": {"import": 2.5, "render": 0.43},
                   "rows": [{"view": "theatre", "format": "png", "ms": 400.0, "bytes": 300_000}]},
    }


def target_rows(markdown: str) -> dict[str, str]:
    """The targets table: target text -> verdict."""
    section = markdown.split("## Targets", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")][1:]
    return {cells[1].strip(): cells[3].strip() for cells in rows}


def test_the_report_has_its_header_and_a_section_per_benchmark() -> None:
    markdown = render_report(full_results())
    assert markdown.startswith("# Benchmarks\n")
    assert "`python -m bench.run_all`" in markdown and "2026-11-27T08:00:00+00:00" in markdown
    for fact in ("AMD EPYC 7B13", "23.4 GiB", "Linux-6.1-x86_64", "3.11.7"):
        assert fact in markdown
    for section in SECTIONS:
        assert f"\n## {TITLES[section]}\n" in markdown
    assert "Quick run" not in markdown
    assert "**2.15 ms** an article besides extraction (read and hash 0.4 ms, unpickle rows" in markdown
    assert "at most about 465 articles/s" in markdown


def test_a_missed_target_is_flagged_and_the_others_are_met() -> None:
    markdown = render_report(full_results())
    verdicts = target_rows(markdown)
    assert verdicts.pop("2 workers ≥ 1.7× one") == "**not met**"
    assert len(verdicts) == 9 and set(verdicts.values()) == {"met"}
    assert "- target 2 workers ≥ 1.7× one: 1.5×, **not met**" in markdown


@pytest.mark.parametrize(("section", "change", "what"), [
    ("map_scale", {"within_targets": {"speedup_at_10k": True, "ms_at_100k": False, "bytes_at_100k": True}},
     "≤ 0.5 s at 100k"),
    ("dashboard_memory", {"peak_rss_mib": 2500, "within_target": False},
     "dashboard peak memory at 1M events ≤ 2 GB"),
    ("store", {"queries": [{"query": "7-day window", "median_ms": 250.0, "rows": 57983}]},
     "date-window query (7 days, all columns) at 1M events ≤ 200 ms"),
])
def test_each_missed_target_is_flagged(section: str, change: Result, what: str) -> None:
    results = full_results()
    results[section].update(change)
    assert target_rows(render_report(results))[what] == "**not met**"


def test_a_benchmark_that_failed_is_reported_with_its_targets_not_measured() -> None:
    results = full_results()
    results["dashboard_memory"] = None
    results["steps"]["dashboard_memory"].update(exit_code=1, error="SystemExit: needs Debian's chromium")
    markdown = render_report(results)
    section = markdown.split(f"## {TITLES['dashboard_memory']}\n", 1)[1].split("\n## ", 1)[0]
    assert "exit code 1" in section and "needs Debian's chromium" in section
    assert target_rows(markdown)["dashboard peak memory at 1M events ≤ 2 GB"] == "not measured"


def test_a_quick_run_says_so_and_measures_no_size_bound_target() -> None:
    results = copy.deepcopy(full_results())
    results["meta"]["quick"] = True
    results["store"]["events"] = results["dashboard_memory"]["events"] = 20_000
    results["ingest"]["articles"] = results["places"]["geoparse"]["articles"] = 50
    results["map_scale"]["within_targets"] = dict.fromkeys(("speedup_at_10k", "ms_at_100k", "bytes_at_100k"))
    markdown = render_report(results)
    assert "Quick run (`--quick`)" in markdown
    found = {t.what: t.met for t in targets(results)}
    for what in ("date-window query (7 days, all columns) at 1M events ≤ 200 ms",
                 "dashboard peak memory at 1M events ≤ 2 GB", "≤ 0.5 s at 100k", "≤ 3 MB sent at 100k",
                 "≥ 20× faster than one folium Marker per event at 10k", "one core ≥ 25 articles/s",
                 "2 workers ≥ 1.7× one", "geoparse ≥ 30 articles/s on one core"):
        assert found[what] is None, what


def test_every_table_row_has_as_many_cells_as_its_header() -> None:
    markdown = render_report(full_results())
    tables = re.findall(r"(?:^\|.*\|\n)+", markdown, flags=re.MULTILINE)
    assert len(tables) >= 9
    for table in tables:
        widths = {line.count(" | ") for line in table.splitlines() if not line.startswith("|---")}
        assert len(widths) == 1, table
