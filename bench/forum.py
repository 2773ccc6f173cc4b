"""Forum benchmark: topic page (100 posts) and topic list on PostgreSQL, two app processes, wrk.

    python -m bench.forum [--duration 15] [--connections 32] [--runs 3]

Creates the database kizuna_bench_forum (UTF-8), migrates it, generates the data through the
real services (so the HTML is rendered and sanitised as in production), starts granian with two
workers, signs in a customer, drives each page with wrk over loopback and records the medians in
bench/results/forum.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "kizuna_bench_forum"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/6"
PORT = 8061
PASSWORD = "bench-password-123"

SENTENCES = [
    "請求書の締め日を変更したいのですが、設定画面のどこから操作できますか？",
    "当社ではダッシュボードを朝会で共有して、出荷の遅れをすぐに確認しています。",
    "CSV インポートで文字化けする場合は、UTF-8 で保存し直すと解決しました。",
    "API トークンの権限を分けておくと、連携先ごとに安全に管理できます。",
    "We run a weekly sync where the team reviews unanswered questions together.",
    "次回のもくもく会では、ワークフローの自動化を一緒に設定してみましょう。",
    "Single sign-on was easy to set up once the IdP metadata URL was correct.",
    "権限設定は「管理 → メンバー」からロールごとに変更できます。",
]


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-U", "postgres", "-h", "127.0.0.1", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def body(n: int) -> str:
    lines = [SENTENCES[(n + i) % len(SENTENCES)] for i in range(3)]
    return (
        f"返信 {n} です。\n\n"
        + "\n\n".join(lines)
        + "\n\n- 手順1: 設定を開く\n- 手順2: 保存する\n\n```python\nprint('kizuna')\n```\n"
    )


async def generate(topics: int) -> int:
    """Members, a category, one topic of 100 posts and `topics` more; returns the big topic id."""
    from accounts.services import create_member, save_account
    from community.categories import save_category
    from community.services import create_topic, reply_to_topic
    from core import database
    from core.jobs import set_backend
    from core.queue_backends import ArqBackend
    from core.settings import get_settings

    settings = get_settings()
    await database.prepare(settings)
    set_backend(ArqBackend(settings))
    await database.migrate()
    members = []
    for a in range(10):
        account = await save_account(None, {"name": f"ベンチ株式会社{a}", "arr": 1_000_000 * a}, [])
        for m in range(5):
            members.append(
                await create_member(
                    email=f"bench{a}-{m}@bench.example",
                    display_name=f"利用者 {a}-{m}",
                    role="customer",
                    account_id=account.id,
                    password=PASSWORD,
                )
            )
    category = await save_category(None, {"name": "質問・相談", "visibility": "all"})
    big, _ = await create_topic(
        members[0], category.id, "question", "100件の返信があるトピック", body(0)
    )
    for n in range(1, 100):
        await reply_to_topic(members[n % len(members)], big, body(n))
    for t in range(topics):
        await create_topic(
            members[t % len(members)],
            category.id,
            "discussion",
            f"トピック {t}: {SENTENCES[t % len(SENTENCES)][:30]}",
            body(t),
        )
    await database.close()
    return big


def start_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv/bin/granian"),
        "--interface",
        "asgi",
        "--factory",
        "app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT),
        "--workers",
        "2",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    import httpx

    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("the app did not start")


def sign_in() -> str:
    """A signed-in customer's cookies, read from Set-Cookie (they are Secure in production, so
    an http client jar would not send them back)."""
    import httpx

    jar: dict[str, str] = {}

    def keep(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]

    base = f"http://127.0.0.1:{PORT}"
    keep(httpx.get(f"{base}/login"))
    response = httpx.post(
        f"{base}/login",
        data={
            "email": "bench0-0@bench.example",
            "password": PASSWORD,
            "_csrf_token": jar["kizuna_csrf"],
        },
        headers={"Cookie": f"kizuna_csrf={jar['kizuna_csrf']}"},
    )
    keep(response)
    if "kizuna_session" not in jar:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def check_page(url: str, cookie: str) -> None:
    """The page must answer 200 with its content for this cookie (not a redirect to sign-in)."""
    import httpx

    response = httpx.get(url, headers={"Cookie": cookie}, follow_redirects=False)
    if response.status_code != 200 or "利用者" not in response.text:
        raise RuntimeError(f"{url} answered {response.status_code}: not a signed-in page")
    print(f"{url}: {len(response.content)} bytes", flush=True)


def wrk(url: str, cookie: str, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def peak_rss_mb(process: subprocess.Popen[bytes]) -> float:
    """VmHWM of the server and its worker processes, in MB (largest worker)."""
    pids = [process.pid] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
        ).stdout.split()
    ]
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if match:
                peaks.append(int(match.group(1)) / 1024)
    return max(peaks, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--topics", type=int, default=300)
    args = parser.parse_args()
    psql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    psql(
        f"CREATE DATABASE \"{DB_NAME}\" TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "ENVIRONMENT": "production",
        "SECRET_KEY": "bench-only-secret",
        "LOAD_DEMO_DATA": "false",
        "MIGRATE_ON_START": "false",
        "DB_POOL_MAX_SIZE": "10",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    topic_id = asyncio.run(generate(args.topics))
    server = start_server(env)
    results: dict[str, Any] = {}
    try:
        cookie = sign_in()
        pages = {"topic_page_100_posts": f"/community/t/{topic_id}", "topic_list": "/community/"}
        for name, path in pages.items():
            url = f"http://127.0.0.1:{PORT}{path}"
            check_page(url, cookie)
            wrk(url, cookie, 3, args.connections)  # warm-up
            runs = [wrk(url, cookie, args.duration, args.connections) for _ in range(args.runs)]
            results[name] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            results[name]["runs"] = runs
        results["peak_rss_mb_per_worker"] = peak_rss_mb(server)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    record = {
        "scenario": "forum",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "command": " ".join(["python -m bench.forum", *sys.argv[1:]]),
        "app_processes": 2,
        "connections": args.connections,
        "duration_s": args.duration,
        "runs": args.runs,
        "results": results,
    }
    out = ROOT / "bench" / "results" / "forum.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(record["results"], ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
