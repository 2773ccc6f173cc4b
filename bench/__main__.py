"""The benchmark suite's one entry point: every scenario, or one, at a chosen scale.

    python -m bench all [--scale small|full] [--duration S] [--runs N] [--connections C]
    python -m bench <scenario> [same options]
    python -m bench tables          # rewrite bench/README.md's tables from bench/results/

Scenarios: forum, search, event, burst, scores, export, attendance, workbench, backtest,
peer. `all`
runs each in a process of its own (the app reads its settings once per process) and goes on
past a failing one. Full scale (the default) is the issue's sizes and writes
bench/results/<scenario>.json and the tables of bench/README.md; small scale is a smoke check
of a few minutes whose figures go to bench/.work/results/ (ignored by git) and leave the
recorded ones alone.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import ROOT
from bench.report import RESULTS, update_readme

SCENARIOS = (
    "forum",
    "search",
    "event",
    "burst",
    "scores",
    "export",
    "attendance",
    "workbench",
    "backtest",
    "peer",
)
SMOKE_RESULTS = ROOT / "bench" / ".work" / "results"


@dataclass(frozen=True)
class Scale:
    """Data sizes, and the load's default duration and runs."""

    duration: int
    runs: int
    forum_topics: int
    search_topics: int
    burst_attempts: int
    burst_seats: int
    score_accounts: int
    score_members: int
    score_signals: int
    export_accounts: tuple[int, ...]
    attendance_rows: int
    workbench_accounts: int
    backtest_accounts: int


# Each size at full scale (the issue's) and at small scale (a smoke check of a few minutes).
SIZES: dict[str, tuple[Any, Any]] = {
    "duration": (15, 3),
    "runs": (3, 1),
    "forum_topics": (300, 30),
    "search_topics": (3_000, 300),
    "burst_attempts": (1_000, 200),
    "burst_seats": (50, 10),
    "score_accounts": (10_000, 1_000),
    "score_members": (100_000, 10_000),
    "score_signals": (2_000_000, 100_000),
    "export_accounts": ((10_000, 50_000, 100_000), (10_000,)),
    "attendance_rows": (10_000, 10_000),
    "workbench_accounts": (10_000, 1_000),
    "backtest_accounts": (10_000, 1_000),
}
SCALES = {
    scale: Scale(**{name: sizes[index] for name, sizes in SIZES.items()})
    for index, scale in enumerate(("full", "small"))
}


def scenario_call(name: str, args: argparse.Namespace) -> Callable[[], dict[str, Any]]:
    """The scenario's `run` with this scale's sizes (its module imported only now)."""
    try:
        module: Any = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as missing:
        if missing.name != f"bench.{name}":
            raise
        raise SystemExit(f"{name}: bench/{name}.py is not in this checkout") from None
    s = SCALES[args.scale]
    duration, runs, connections = args.duration, args.runs, args.connections
    calls: dict[str, Callable[[], dict[str, Any]]] = {
        "forum": lambda: module.run(s.forum_topics, duration, runs, connections),
        "search": lambda: module.run(s.search_topics, duration, runs, connections),
        "event": lambda: module.run(duration, runs, connections),
        "burst": lambda: module.run(s.burst_attempts, s.burst_seats, args.concurrency, runs),
        "scores": lambda: module.run(s.score_accounts, s.score_members, s.score_signals, runs),
        "export": lambda: module.run(list(s.export_accounts), runs),
        "attendance": lambda: module.run(s.attendance_rows, runs),
        "workbench": lambda: module.run(s.workbench_accounts, runs),
        "backtest": lambda: module.run(s.backtest_accounts, runs),
        "peer": lambda: module.run(duration, runs, connections),
    }
    return calls[name]


def run_one(name: str, args: argparse.Namespace) -> Path:
    """Run one scenario here and write its record (parameters, medians, raw runs, date)."""
    out_dir = RESULTS if args.scale == "full" else SMOKE_RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    recorded = RESULTS / f"{name}.json"
    kept = recorded.read_bytes() if name == "peer" and recorded.exists() else None
    load_before = os.getloadavg()
    started = time.perf_counter()
    outcome = scenario_call(name, args)()
    if name == "peer" and out_dir != RESULTS:
        # bench.peer writes bench/results/peer.json itself: a smoke run puts the recorded back.
        if kept is None:
            recorded.unlink(missing_ok=True)
        else:
            recorded.write_bytes(kept)
    record = {
        **outcome,  # parameters and results (bench.peer's record has its own fields)
        "scenario": name,
        "scale": args.scale,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "command": command(name, args),
        "wall_s": round(time.perf_counter() - started, 1),
        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]},
    }
    out = out_dir / f"{name}.json"
    out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(f"{name}: written to {out}", flush=True)
    return out


def command(name: str, args: argparse.Namespace) -> str:
    words = ["python -m bench", name]
    if args.scale != "full":
        words.append(f"--scale {args.scale}")
    for option in ("duration", "runs", "connections", "concurrency"):
        value = getattr(args, option)
        if value != defaults(args.scale)[option]:
            words.append(f"--{option} {value}")
    return " ".join(words)


def defaults(scale: str) -> dict[str, int]:
    return {
        "duration": SCALES[scale].duration,
        "runs": SCALES[scale].runs,
        "connections": 32,
        "concurrency": 200,
    }


def run_all(args: argparse.Namespace) -> int:
    """Each scenario in its own process; the README's tables at the end. Failures are listed."""
    failed = []
    for name in SCENARIOS:
        print(f"\n=== {name} ({args.scale})", flush=True)
        options = [f"--{k}={getattr(args, k)}" for k in ("scale", *defaults(args.scale))]
        done = subprocess.run([sys.executable, "-m", "bench", name, *options], cwd=ROOT)
        if done.returncode != 0:
            failed.append(name)
    if args.scale == "full":
        update_readme()
    print(f"\n{len(SCENARIOS) - len(failed)} scenarios done, failed: {', '.join(failed) or 'none'}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("all", "tables", *SCENARIOS))
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (full 15, small 3)")
    parser.add_argument("--runs", type=int, help="measured runs, medians kept (full 3, small 1)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--concurrency", type=int, default=200, help="sockets of the registration burst"
    )
    args = parser.parse_args()
    for option in ("duration", "runs"):
        if getattr(args, option) is None:
            setattr(args, option, defaults(args.scale)[option])
    if args.scenario == "tables":
        update_readme()
        return 0
    if args.scenario == "all":
        return run_all(args)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package wrk)")
    run_one(args.scenario, args)
    if args.scale == "full":
        update_readme()
    return 0


if __name__ == "__main__":
    sys.exit(main())
