"""The tables of bench/README.md, written from bench/results/*.json between their markers.

Each scenario's table stands between `<!-- <scenario>:start -->` and `<!-- <scenario>:end -->`,
the summary of all between `<!-- summary:start -->` and `<!-- summary:end -->`; the prose
around them is left as written. A scenario without a record, or a README without its
markers, is left out.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"

Record = dict[str, Any]
Row = list[str]


def ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms" if value < 10 else f"{value:,.0f} ms"


def seconds(value: float) -> str:
    return ms(value * 1000)


def per_s(value: float) -> str:
    return f"{value:,.0f}"


def mb(value: float) -> str:
    return f"{value:,.0f} MB"


def table(header: Row, rows: list[Row]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


def recorded(record: Record) -> str:
    load = record.get("load_average_1min") or {}
    text = f"Recorded {record['date']} with `{record['command']}`"
    if load:
        text += f"; 1-minute load average {load['before']:.1f} before, {load['after']:.1f} after"
    return prose(text + f". Raw runs: `bench/results/{record['scenario']}.json`.")


def prose(text: str) -> str:
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def load_row(label: str, figures: dict[str, Any], rate: str = "rps") -> Row:
    """Throughput, p50, p99 and the largest worker's peak memory."""
    return [
        label,
        per_s(figures[rate]),
        ms(figures["p50_ms"]),
        ms(figures["p99_ms"]),
        mb(figures["peak_rss_mb_per_worker"]),
    ]


def page_rows(record: Record, labels: dict[str, str]) -> list[Row]:
    return [load_row(label, record["results"][name]) for name, label in labels.items()]


PAGE_HEADER = ["page", "req/s (median)", "p50", "p99", "peak RSS per worker"]
FORUM_PAGES = {"topic_page_100_posts": "topic page, 100 posts", "topic_list": "topic list"}
SEARCH_PAGES = {
    "search_2_chars": "search, 2 characters (請求, 権限, 設定, 連携)",
    "search_5_chars": "search, 5 characters (インポート, アカウント, 通知メール, 承認フロー)",
}


def forum_section(record: Record) -> str:
    return table(PAGE_HEADER, page_rows(record, FORUM_PAGES)) + "\n\n" + recorded(record)


def search_section(record: Record) -> str:
    data = record["parameters"]["data"]
    matches = ", ".join(
        f"{q} {data[f'posts_with_{q}']:,}"
        for queries in record["parameters"]["queries"].values()
        for q in queries
    )
    found = prose(
        f"{data['topics']:,} topics, {data['posts']:,} posts; posts holding each query: {matches}."
    )
    return "\n\n".join(
        [table(PAGE_HEADER, page_rows(record, SEARCH_PAGES)), found, recorded(record)]
    )


def event_section(record: Record) -> str:
    rows = page_rows(record, {"event_page": "event page (registered customer)"})
    return table(PAGE_HEADER, rows) + "\n\n" + recorded(record)


def burst_section(record: Record) -> str:
    r, p = record["results"], record["parameters"]
    rows = []
    for n, run in enumerate(r["runs"], 1):
        db = run["database"]
        rows.append(
            [
                str(n),
                per_s(run["attempts_per_s"]),
                ms(run["p50_ms"]),
                ms(run["p99_ms"]),
                seconds(run["wall_s"]),
                f"{run['app_cpu_cores_busy']:.2f}",
                f"{db['confirmed']} / {db['waitlisted']}",
                "1–" + str(db["waitlisted"]) if db["waitlist_positions_are_1_to_n"] else "gaps",
                ", ".join(f"{k}: {v}" for k, v in run["answers"].items()),
            ]
        )
    header = ["run", "attempts/s", "p50", "p99", "burst", "app CPU (cores busy)"]
    header += ["confirmed / waitlisted", "waitlist positions", "HTTP answers"]
    summary = prose(
        f"Medians: **{per_s(r['attempts_per_s'])} attempts/s, p50 {ms(r['p50_ms'])}, p99 "
        f"{ms(r['p99_ms'])}**; peak RSS per worker {mb(r['peak_rss_mb_per_worker'])}. "
        f"{p['attempts']:,} members signed in beforehand in {seconds(r['sign_in_s'])} "
        f"({p['sign_in_parallel']} at a time)."
    )
    return "\n\n".join([table(header, rows), summary, recorded(record)])


SCORE_MEASURES = {
    "full_recompute_ms": "full recompute with the day's snapshot",
    "incremental_recompute_ms": "incremental recompute of one account",
    "dashboard_page_ms": "dashboard, first page of 50",
    "dashboard_red_by_last_activity_ms": "dashboard, red band sorted by last activity",
    "dashboard_page_40_ms": "dashboard, page 40",
    "silent_accounts_page_ms": "silent accounts",
    "account_page_ms": "account page (chart of 180 days)",
    "portfolio_page_ms": "portfolio (90-day average chart)",
}


def scores_section(record: Record) -> str:
    r, p = record["results"], record["parameters"]
    rows = [[label, ms(r[key]["median"])] for key, label in SCORE_MEASURES.items()]
    rows[0][1] += f" (first run {ms(r['full_recompute_first_ms'])})"
    half = p["signals"] // 2
    rows.insert(
        1,
        [
            f"full recompute at {half:,} signals",
            f"{ms(r[f'full_recompute_ms_at_{half}_signals']['median'])}; twice the signals "
            f"take {r['full_recompute_growth_ratio']}× as long",
        ],
    )
    header = [f"measure ({p['signals']:,} signals, {p['accounts']:,} accounts)", "median"]
    return table(header, rows) + "\n\n" + recorded(record)


def export_section(record: Record) -> str:
    rows = []
    for size, r in record["results"]["sizes"].items():
        e, pull = r["export"], r["pull"]
        rows.append(
            [
                f"{int(size):,}",
                seconds(e["seconds"]),
                f"{e['peak_mib']:.1f} MiB",
                f"{e['bytes'] / 1e6:.1f} MB",
                f"{seconds(pull['seconds'])} ({pull['pages']} pages)",
            ]
        )
    runs = record["parameters"]["runs"]
    header = ["accounts", f"CSV export (median of {runs})", "peak Python memory", "CSV size"]
    return table([*header, "full pull at limit=1000"], rows) + "\n\n" + recorded(record)


def attendance_section(record: Record) -> str:
    r = record["results"]
    rows = [
        ["parse the report", seconds(r["parse_s_median"])],
        [
            f"import (parse, apply, commit): {r['matched']:,} matched, {r['attended']:,} "
            f"attended, {r['walk_ins']:,} walk-ins",
            seconds(r["import_s_median"]),
        ],
    ]
    header = ["measure", f"median of {record['parameters']['runs']}"]
    return table(header, rows) + "\n\n" + recorded(record)


def workbench_section(record: Record) -> str:
    r, p = record["results"], record["parameters"]
    rows = [
        [
            f"mix of every account, {p['months']} months",
            f"{ms(r['mix_24_months_ms']['median'])} ({r['mix_vs_floor']}× its two bare "
            f"GROUP BYs, {ms(r['floor_ms']['median'])})",
        ],
        ["mix status of every account (stage, target, lag)", ms(r["mix_status_ms"]["median"])],
        *[
            [f"trigger {name} ({t['matches']:,} accounts match)", ms(t["median"])]
            for name, t in r["triggers_ms"].items()
        ],
        ["every trigger for every account (goal: under 5 s)", ms(r["all_triggers_ms"])],
        [
            f"evaluation of 8 playbooks, first ({r['tasks_made']:,} tasks made)",
            ms(r["evaluation_first_ms"]),
        ],
        [
            "evaluation of 8 playbooks, steady (nothing changes)",
            ms(r["evaluation_steady_ms"]["median"]),
        ],
    ]
    rows_note = ", ".join(f"{v:,} {k}" for k, v in r["rows"].items())
    header = [f"measure ({p['accounts']:,} accounts; {rows_note})", "median"]
    return table(header, rows) + "\n\n" + recorded(record)


def workbench_summary(record: Record) -> list[Row]:
    r, p = record["results"], record["parameters"]
    return [
        timed_row(
            f"mix, {p['accounts']:,} accounts × {p['months']} months",
            ms(r["mix_24_months_ms"]["median"]),
        ),
        timed_row(f"every trigger, {p['accounts']:,} accounts", ms(r["all_triggers_ms"])),
    ]


def backtest_section(record: Record) -> str:
    r, p = record["results"], record["parameters"]
    rows = [
        [
            "the backtest at 90 days, whole (goal: under 10 s)",
            f"{seconds(r['backtest_ms']['median'] / 1000)} ({r['backtest_vs_floor']}× its two "
            f"bare grouped queries, {ms(r['floor_ms']['median'])})",
        ],
        [
            f"its statistics alone on {r['cases']:,} cases (bootstrap, associations, "
            "nested-CV logistic regression)",
            ms(r["statistics_ms"]["median"]),
        ],
        ["AUC of the generated score / of the fitted weights", f"{r['auc']} / {r['fitted_auc']}"],
    ]
    if "report_ms" in r:
        rows.append(
            [
                f"the leader's report, last four quarters ({r['report_renewals']:,} renewals; "
                "goal: under 10 s)",
                f"{ms(r['report_ms']['median'])} ({r['report_vs_floor']}× its one grouped "
                f"query, {ms(r['report_floor_ms']['median'])})",
            ]
        )
    rows_note = ", ".join(f"{v:,} {k}" for k, v in r["rows"].items())
    header = [f"measure ({p['accounts']:,} accounts; {rows_note})", "median"]
    return table(header, rows) + "\n\n" + recorded(record)


def backtest_summary(record: Record) -> list[Row]:
    r, p = record["results"], record["parameters"]
    label = f"backtest, {p['renewals']:,} renewals"
    found = [timed_row(label, seconds(r["backtest_ms"]["median"] / 1000))]
    if "report_ms" in r:
        found.append(
            timed_row(
                f"leader's report, {r['report_renewals']:,} renewals", ms(r["report_ms"]["median"])
            )
        )
    return found


SECTIONS: dict[str, Callable[[Record], str]] = {
    "forum": forum_section,
    "search": search_section,
    "event": event_section,
    "burst": burst_section,
    "scores": scores_section,
    "export": export_section,
    "attendance": attendance_section,
    "workbench": workbench_section,
    "backtest": backtest_section,
}


def timed_row(label: str, median: str, memory: str = "") -> Row:
    return [label, "", median, "", memory]


def burst_summary(record: Record) -> list[Row]:
    p = record["parameters"]
    label = f"{p['attempts']:,} registrations for {p['seats']} seats (attempts/s)"
    return [load_row(label, record["results"], "attempts_per_s")]


def scores_summary(record: Record) -> list[Row]:
    r, p = record["results"], record["parameters"]
    full = f"full recompute, {p['accounts']:,} accounts, {p['signals']:,} signals"
    return [
        timed_row(full, ms(r["full_recompute_ms"]["median"])),
        timed_row(
            "incremental recompute of one account", ms(r["incremental_recompute_ms"]["median"])
        ),
    ]


def export_summary(record: Record) -> list[Row]:
    size, r = max(record["results"]["sizes"].items(), key=lambda item: int(item[0]))
    e = r["export"]
    label = f"Salesforce CSV, {int(size):,} accounts"
    return [timed_row(label, seconds(e["seconds"]), f"{e['peak_mib']:.1f} MiB (Python heap)")]


def attendance_summary(record: Record) -> list[Row]:
    r = record["results"]
    return [timed_row(f"attendance import, {r['rows']:,} rows", seconds(r["import_s_median"]))]


def peer_summary(record: Record) -> list[Row]:
    return [
        load_row(f"topic page, 100 posts: {label}", record["results"][app])
        for app, label in (("kizuna", "Kizuna"), ("spirit", "django-spirit"))
    ]


SUMMARIES: dict[str, Callable[[Record], list[Row]]] = {
    "forum": lambda record: page_rows(record, FORUM_PAGES),
    "search": lambda record: page_rows(record, SEARCH_PAGES),
    "event": lambda record: page_rows(record, {"event_page": "event page"}),
    "burst": burst_summary,
    "scores": scores_summary,
    "export": export_summary,
    "attendance": attendance_summary,
    "workbench": workbench_summary,
    "backtest": backtest_summary,
    "peer": peer_summary,
}


def summary_rows(records: dict[str, Record]) -> list[Row]:
    """One line per measure: throughput, median (or p50), p99, peak memory, date."""
    rows: list[Row] = []
    for name, rows_of in SUMMARIES.items():
        if record := records.get(name):
            rows += [[name, *row, record["date"]] for row in rows_of(record)]
    return rows


SUMMARY_HEADER = ["scenario", "measure", "req/s", "p50 (median time)", "p99", "peak memory"]


def summary(records: dict[str, Record]) -> str:
    rows = [[cell or "—" for cell in row] for row in summary_rows(records)]
    return table([*SUMMARY_HEADER, "recorded"], rows)


def replace_between(text: str, name: str, content: str) -> str:
    """`text` with what stands between the markers of `name` replaced (unchanged without them)."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    return pattern.sub(lambda m: m.group(1) + content + "\n" + m.group(2), text, count=1)


def load_records(results: Path = RESULTS) -> dict[str, Record]:
    """The scenario records of `results` that the tables can be written from; one in an older
    format is named and left out (its tables stay as they are until the scenario runs again)."""
    records = {}
    for path in sorted(results.glob("*.json")):
        record = json.loads(path.read_text())
        if "date" not in record or "results" not in record:
            continue
        try:
            for write in (SECTIONS.get(path.stem), SUMMARIES.get(path.stem)):
                if write is not None:
                    write(record)
        except (KeyError, TypeError):
            print(f"{path.name}: an older record format, its tables are left as they are")
            continue
        records[path.stem] = record
    return records


def render(text: str, records: dict[str, Record]) -> str:
    text = replace_between(text, "summary", summary(records))
    for name, section in SECTIONS.items():
        if name in records:
            text = replace_between(text, name, section(records[name]))
    return text


def update_readme(results: Path = RESULTS, readme: Path = README) -> None:
    readme.write_text(render(readme.read_text(), load_records(results)))
    print(f"tables written to {readme}", flush=True)
