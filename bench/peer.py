"""Peer benchmark: Kizuna's topic page against django-spirit's, same topic, same load, one run.

    python -m bench.peer [--duration 15] [--runs 3] [--connections 32]

Installs django-spirit into its own venv under bench/.work/ (never committed), writes a
production settings module for it there, loads the same topic (100 posts of bench.forum's
Markdown bodies, 50 authors) into both apps on the same PostgreSQL server, serves Kizuna with
granian and Spirit with gunicorn (two worker processes each), signs in on both, checks each
page answers 200 with the topic, then drives them alternately with wrk after a warm-up. Medians
go to bench/results/peer.json and a markdown table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.forum import (
    PASSWORD,
    ROOT,
    app_env,
    body,
    check_page,
    fresh_database,
    peak_rss_mb,
    sign_in,
    start_server,
    wrk,
)
from bench.spirit_project import SETTINGS, URLS, WSGI

WORK = ROOT / "bench" / ".work" / "spirit"
SPIRIT_VENV = WORK / "venv"
SPIRIT_REQUIREMENTS = ["django-spirit>=0.14,<0.15", "gunicorn", "psycopg2-binary", "redis"]
KIZUNA_DB = "kizuna_bench_peer"
SPIRIT_DB = "spirit_bench_peer"
REDIS_URL = "redis://127.0.0.1:6379/11"
KIZUNA_PORT = 8071
SPIRIT_PORT = 8072
TITLE = "100件の返信があるトピック"
CATEGORY = "質問・相談"
POSTS = 100
# Spirit's latency under 32 connections nears wrk's default 2 s timeout, past which wrk would
# leave a request out of the percentiles.
WRK_TIMEOUT_S = 30


def ensure_spirit_venv() -> Path:
    """Spirit's own venv (created and installed from the package registry when missing)."""
    python = SPIRIT_VENV / "bin" / "python"
    if not (SPIRIT_VENV / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(SPIRIT_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *SPIRIT_REQUIREMENTS], check=True
        )
    return python


def spirit_version(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('django-spirit'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def write_spirit_project() -> dict[str, str]:
    """The settings package under bench/.work/spirit and the environment to run it with."""
    package = WORK / "spirit_bench"
    package.mkdir(parents=True, exist_ok=True)
    settings = SETTINGS.format(
        work=str(WORK),
        secret=secrets.token_urlsafe(40),
        db=SPIRIT_DB,
        redis=REDIS_URL,
        port=SPIRIT_PORT,
    )
    for name, text in {
        "__init__.py": "",
        "settings.py": settings,
        "urls.py": URLS,
        "wsgi.py": WSGI,
    }.items():
        (package / name).write_text(text)
    clean = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**clean, "DJANGO_SETTINGS_MODULE": "spirit_bench.settings", "PYTHONPATH": str(WORK)}


def users() -> list[dict[str, str]]:
    """The 50 authors of bench.forum.generate, in the same order."""
    return [
        {"username": f"利用者{a}-{m}", "email": f"bench{a}-{m}@bench.example", "password": PASSWORD}
        for a in range(10)
        for m in range(5)
    ]


def seed_spirit(python: Path, env: dict[str, str]) -> str:
    """Loads the topic into Spirit; returns its path."""
    data = {
        "users": users(),
        "category": CATEGORY,
        "title": TITLE,
        "bodies": [body(n) for n in range(POSTS)],
        "per_page": POSTS,
    }
    out = subprocess.run(
        [str(python), str(ROOT / "bench" / "spirit_seed.py")],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        env=env,
        cwd=WORK,
    )
    if out.returncode != 0:
        raise RuntimeError(f"seeding Spirit failed:\n{out.stderr[-3000:]}")
    seeded = json.loads(out.stdout.strip().splitlines()[-1])
    if seeded["comments"] != POSTS:
        raise RuntimeError(f"Spirit has {seeded['comments']} comments, not {POSTS}")
    return str(seeded["path"])


def seed_kizuna(env: dict[str, str]) -> int:
    """Loads the topic into Kizuna through bench.forum.generate, in a process of its own (the
    app's settings and engine are read once per process)."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import asyncio; from bench.forum import generate; print(asyncio.run(generate(0)))",
        ],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"seeding Kizuna failed:\n{out.stderr[-3000:]}")
    return int(out.stdout.strip().splitlines()[-1])


def start_spirit(python: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn with two sync workers (its default worker class: one request at a time per
    process, which suits a CPU-bound Django app)."""
    import httpx

    command = [
        str(python.parent / "gunicorn"),
        "spirit_bench.wsgi:application",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{SPIRIT_PORT}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=WORK, env=env, start_new_session=True)
    for _ in range(120):
        try:
            httpx.get(f"http://127.0.0.1:{SPIRIT_PORT}/user/login/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("Spirit did not start")


def spirit_sign_in() -> str:
    """A signed-in member's cookies on Spirit (its login form, by email, with the CSRF token)."""
    import httpx

    base = f"http://127.0.0.1:{SPIRIT_PORT}"
    jar: dict[str, str] = {}

    def keep(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]

    keep(httpx.get(f"{base}/user/login/"))
    response = httpx.post(
        f"{base}/user/login/",
        data={
            "username": "bench0-0@bench.example",
            "password": PASSWORD,
            "csrfmiddlewaretoken": jar["csrftoken"],
        },
        headers={"Cookie": f"csrftoken={jar['csrftoken']}"},
    )
    keep(response)
    if response.status_code != 302 or "sessionid" not in jar:
        raise RuntimeError(f"Spirit sign-in failed: {response.status_code}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def topic_content() -> tuple[str, ...]:
    """What both topic pages must show: the title, the first and the last of the 100 posts."""
    return (TITLE, "返信 0 です。", f"返信 {POSTS - 1} です。", "利用者")


def run(duration: int, runs: int, connections: int) -> dict[str, Any]:
    """Seeds both apps, measures both topic pages alternately, writes bench/results/peer.json."""
    python = ensure_spirit_venv()
    spirit_env = write_spirit_project()
    kizuna_env = app_env(f"postgresql://postgres@127.0.0.1:5432/{KIZUNA_DB}", REDIS_URL)
    _flush_redis()
    fresh_database(KIZUNA_DB)
    fresh_database(SPIRIT_DB)
    topic_id = seed_kizuna(kizuna_env)
    spirit_path = seed_spirit(python, spirit_env)

    kizuna = start_server(kizuna_env, KIZUNA_PORT)
    spirit = None
    try:
        spirit = start_spirit(python, spirit_env)
        targets = {
            "kizuna": (
                f"http://127.0.0.1:{KIZUNA_PORT}/community/t/{topic_id}",
                sign_in(KIZUNA_PORT),
            ),
            "spirit": (f"http://127.0.0.1:{SPIRIT_PORT}{spirit_path}", spirit_sign_in()),
        }
        # Spirit's topic page is public: its logout link proves the session is signed in.
        extra = {"kizuna": (), "spirit": ("/user/logout/",)}
        for name, (url, cookie) in targets.items():
            check_page(url, cookie, topic_content() + extra[name])
        for url, cookie in targets.values():
            wrk(url, cookie, 3, connections, WRK_TIMEOUT_S)  # warm-up
        measured: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for _ in range(runs):
            for name, (url, cookie) in targets.items():
                measured[name].append(wrk(url, cookie, duration, connections, WRK_TIMEOUT_S))
                print(f"{name}: {measured[name][-1]}", flush=True)
        for name, (url, cookie) in targets.items():
            check_page(url, cookie, topic_content() + extra[name])
        rss = {"kizuna": peak_rss_mb(kizuna), "spirit": peak_rss_mb(spirit)}
    finally:
        for process in (kizuna, spirit):
            if process is not None:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)

    results: dict[str, Any] = {}
    for name, samples in measured.items():
        results[name] = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
        results[name]["peak_rss_mb_per_worker"] = round(rss[name], 1)
        results[name]["url"] = targets[name][0]
        results[name]["runs"] = samples
    ratio = results["kizuna"]["rps"] / results["spirit"]["rps"]
    record = {
        "scenario": "peer",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "command": f"python -m bench.peer --duration {duration} --runs {runs} "
        f"--connections {connections}",
        "spirit_version": spirit_version(python),
        "servers": {
            "kizuna": "granian --interface asgi --workers 2, ENVIRONMENT=production, "
            "PostgreSQL pool 10 per process, sessions in PostgreSQL, Redis",
            "spirit": "gunicorn --workers 2 --worker-class sync, DEBUG=False, cached template "
            "loader, PostgreSQL (psycopg2, CONN_MAX_AGE=600), sessions in PostgreSQL, "
            "Redis cache, ManifestStaticFilesStorage (static not served)",
        },
        "posts_on_page": POSTS,
        "connections": connections,
        "duration_s": duration,
        "runs": runs,
        "results": results,
        "ratio_rps_kizuna_over_spirit": round(ratio, 2),
    }
    out = ROOT / "bench" / "results" / "peer.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(table(record))
    return record


def table(record: dict[str, Any]) -> str:
    rows = [
        "| app | req/s (median) | p50 | p99 | peak RSS per worker |",
        "|---|---|---|---|---|",
    ]
    for name, label in (
        ("kizuna", "Kizuna"),
        ("spirit", f"django-spirit {record['spirit_version']}"),
    ):
        r = record["results"][name]
        rows.append(
            f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['peak_rss_mb_per_worker']:.0f} MB |"
        )
    rows.append(f"\nKizuna / Spirit req/s: **{record['ratio_rps_kizuna_over_spirit']:.2f}×**")
    return "\n".join(rows)


def _flush_redis() -> None:
    """Empties this bench's Redis database (rate limits and caches of a previous run)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    run(args.duration, args.runs, args.connections)


if __name__ == "__main__":
    main()
