"""The bench's bookkeeping: wrk's figures are read right, and the README's tables are rewritten
between their markers only, from the recorded results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.harness import medians, parse_wrk
from bench.report import load_records, render, replace_between, update_readme

WRK_OUTPUT = """\
Running 15s test @ http://127.0.0.1:8061/community/t/1
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   164.10ms   80.12ms   1.02s    71.33%
    Req/Sec    97.41     30.55   190.00     69.46%
  Latency Distribution
     50%  154.46ms
     75%  201.30ms
     90%  270.01ms
     99%    1.43s
  2912 requests in 15.05s, 513.46MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    193.48
Transfer/sec:     34.12MB
"""


def page(rps: float, p50: float, p99: float) -> dict:
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "peak_rss_mb_per_worker": 170.4}


def records() -> dict:
    return {
        "forum": {
            "scenario": "forum",
            "date": "2026-11-24",
            "command": "python -m bench forum",
            "load_average_1min": {"before": 0.5, "after": 1.25},
            "parameters": {},
            "results": {
                "topic_page_100_posts": page(193.48, 154.46, 1432.0),
                "topic_list": page(270.9, 108.6, 331.7),
            },
        },
        "attendance": {
            "scenario": "attendance",
            "date": "2026-11-24",
            "command": "python -m bench attendance",
            "parameters": {"runs": 3},
            "results": {
                "rows": 10000,
                "matched": 7500,
                "attended": 6946,
                "walk_ins": 456,
                "parse_s_median": 0.193,
                "import_s_median": 2.966,
            },
        },
    }


README = """# Benchmarks

Intro prose stays.

<!-- summary:start -->
old summary
<!-- summary:end -->

## Forum

Prose about the forum stays.

<!-- forum:start -->
| old | table |
<!-- forum:end -->

The topic page runs a constant number of queries.

<!-- attendance:start -->
<!-- attendance:end -->
"""


def test_wrk_output_is_read_with_its_errors() -> None:
    figures = parse_wrk(WRK_OUTPUT)
    assert figures == {
        "rps": 193.48,
        "p50_ms": 154.46,
        "p99_ms": 1430.0,
        "errors": 7.0,
        "socket_errors": 5.0,
    }


def test_wrk_output_without_figures_is_refused() -> None:
    with pytest.raises(RuntimeError, match="no figures"):
        parse_wrk("unable to connect to 127.0.0.1:8061 Connection refused\n")


def test_medians_keep_the_runs() -> None:
    runs = [
        {"rps": 3.0, "p50_ms": 30.0},
        {"rps": 1.0, "p50_ms": 10.0},
        {"rps": 2.0, "p50_ms": 50.0},
    ]
    assert medians(runs) == {"rps": 2.0, "p50_ms": 30.0, "runs": runs}


def test_tables_are_rewritten_between_markers_and_prose_is_kept() -> None:
    text = render(README, records())
    assert "old summary" not in text and "| old | table |" not in text
    for kept in ("Intro prose stays.", "Prose about the forum stays.", "constant number"):
        assert kept in text
    forum = text.split("<!-- forum:start -->\n")[1].split("<!-- forum:end -->")[0]
    assert "| topic page, 100 posts | 193 | 154 ms | 1.43 s | 170 MB |" in forum
    assert "| topic list | 271 | 109 ms | 332 ms | 170 MB |" in forum
    assert "load average 0.5 before, 1.2 after" in forum
    summary = text.split("<!-- summary:start -->\n")[1].split("<!-- summary:end -->")[0]
    assert "| forum | topic list | 271 | 109 ms | 332 ms | 170 MB | 2026-11-24 |" in summary
    assert "| attendance | attendance import, 10,000 rows | — | 2.97 s |" in summary
    attendance = text.split("<!-- attendance:start -->\n")[1].split("<!-- attendance:end -->")[0]
    assert "7,500 matched, 6,946 attended, 456 walk-ins | 2.97 s |" in attendance
    assert render(text, records()) == text


def test_a_section_without_markers_or_record_is_left_alone() -> None:
    assert replace_between("no markers here\n", "forum", "new") == "no markers here\n"
    only_forum = {"forum": records()["forum"]}
    text = render(README, only_forum)
    assert "<!-- attendance:start -->\n<!-- attendance:end -->" in text


def test_the_readme_is_written_from_the_results_folder(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    for name, record in records().items():
        (results / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False))
    (results / "notes.json").write_text("{}")  # not a scenario record: ignored
    older = {"scenario": "scores", "date": "2026-11-20", "results": {"generate_s": 38.7}}
    (results / "scores.json").write_text(json.dumps(older))  # an older format: left out
    readme = tmp_path / "README.md"
    readme.write_text(README)
    assert sorted(load_records(results)) == ["attendance", "forum"]
    update_readme(results, readme)
    assert "| topic page, 100 posts | 193 |" in readme.read_text()
