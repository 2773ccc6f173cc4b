"""What the benchmarks share: fresh databases, the app's environment, the server, sign-in, wrk.

Every scenario runs the app as in production: PostgreSQL, Redis, `ENVIRONMENT=production`,
`granian --workers 2`, and drives it over loopback. The load generator shares the machine's
cores with the app and the database, so figures are for this machine only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from bench.progress import progress

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
PORT = 8061
REDIS_URL = os.environ.get("KIZUNA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
CUSTOMER = "bench0-0@bench.example"
APP_PROCESSES = 2
# A page scenario's pages: name -> (URL, or the host and the paths requested in turn).
Pages = dict[str, tuple[str, list[str]]]
# Slow answers stay in wrk's percentiles up to this (its default, 2 s, would drop them).
WRK_TIMEOUT_S = 10


# --- databases and environment -----------------------------------------------------------

PSQL = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-h", "127.0.0.1"]


def psql(sql: str, database: str = "postgres") -> None:
    """Run SQL through psql (no client-side statement timeout), stopping at the first error."""
    subprocess.run(
        [*PSQL, "-d", database],
        input=sql.encode(),
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def database_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def fresh_database(name: str) -> None:
    """Drop and recreate `name` as UTF-8 with the C.UTF-8 collation."""
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(
        f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )


def flush_redis(url: str = REDIS_URL) -> None:
    """Empty the bench's Redis database (rate-limit counters and jobs of a previous run)."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def app_env(database_url: str, redis_url: str = REDIS_URL) -> dict[str, str]:
    """The environment of a production app process on these backends."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": "bench-only-secret",
        "LOAD_DEMO_DATA": "false",
        "MIGRATE_ON_START": "false",
        "DB_POOL_MAX_SIZE": "10",
    }


def production_stack(name: str) -> dict[str, str]:
    """A fresh database `name` and an empty Redis database; this process uses them too (the
    app's settings are read once per process, so one scenario per process)."""
    fresh_database(name)
    flush_redis()
    env = app_env(database_url(name))
    os.environ.update(env)
    return env


def in_process_env(name: str) -> None:
    """This process on the database `name`, for code measured in-process (no server): jobs
    in-process without their crons (ENVIRONMENT=test, so no timer fires during a measure) and
    cookies an ASGI client keeps over plain http."""
    var_dir = ROOT / "var" / name
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DATABASE_URL=database_url(name),
        ENVIRONMENT="test",
        SECRET_KEY="bench-only-secret",
        LOAD_DEMO_DATA="false",
        MIGRATE_ON_START="false",
        VAR_DIR=str(var_dir),
    )
    os.environ.pop("REDIS_URL", None)


# --- the server --------------------------------------------------------------------------


def start_server(env: dict[str, str], port: int = PORT) -> subprocess.Popen[bytes]:
    """granian with two worker processes, answering /healthz."""
    import httpx

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is taken: another server would be measured")
    command = [
        str(ROOT / ".venv/bin/granian"),
        *("--interface", "asgi", "--factory", "app:create_app"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--workers", str(APP_PROCESSES), "--log-level", "warning"),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise RuntimeError("the app did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=30)


@contextlib.contextmanager
def serving(env: dict[str, str], port: int = PORT) -> Iterator[subprocess.Popen[bytes]]:
    process = start_server(env, port)
    try:
        yield process
        time.sleep(1)  # the requests wrk left in flight finish before the pool closes
    finally:
        stop_server(process)


def _children(process: subprocess.Popen[bytes]) -> list[str]:
    return subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()


def worker_rss_mb(process: subprocess.Popen[bytes]) -> list[float]:
    """Peak resident memory (VmHWM) of each app worker process, in MB."""
    peaks = []
    for pid in [int(p) for p in _children(process)] or [process.pid]:
        with contextlib.suppress(FileNotFoundError):
            status = Path(f"/proc/{pid}/status").read_text()
            if match := re.search(r"VmHWM:\s+(\d+) kB", status):
                peaks.append(round(int(match.group(1)) / 1024, 1))
    return peaks


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU time (user and system) the app's processes have used so far."""
    pids = [process.pid, *map(int, _children(process))]
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(process: subprocess.Popen[bytes]) -> float:
    """The largest worker's peak resident memory, in MB."""
    return max(worker_rss_mb(process), default=0.0)


# --- signing in --------------------------------------------------------------------------


def cookies_of(response: Any, jar: dict[str, str]) -> dict[str, str]:
    """Add the response's Set-Cookie values to `jar` (they are Secure in production, so an
    http client's own jar would not send them back over plain loopback)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def sign_in_jar(client: Any, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the login form as a browser does; the cookies (session and CSRF)."""
    # An explicit Cookie header keeps the client's own jar out: each sign-in starts afresh.
    jar = cookies_of(await client.get("/login", headers={"Cookie": ""}), {})
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": jar["kizuna_csrf"]},
        headers={"Cookie": cookie_header(jar)},
    )
    cookies_of(response, jar)
    if response.status_code != 303 or "kizuna_session" not in jar:
        raise RuntimeError(f"sign-in of {email} failed: {response.status_code}")
    return jar


async def sign_in_many(
    emails: list[str], port: int = PORT, parallel: int = 4
) -> dict[str, dict[str, str]]:
    """Each member's cookies, signing in `parallel` at a time (the password hash is the cost),
    with a progress bar (1,000 sign-ins take about 100 seconds)."""
    import httpx

    gate = asyncio.Semaphore(parallel)
    base = f"http://127.0.0.1:{port}"
    with progress("signing members in", len(emails)) as advance:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:

            async def one(email: str) -> tuple[str, dict[str, str]]:
                async with gate:
                    jar = await sign_in_jar(client, email)
                advance(1)
                return email, jar

            return dict(await asyncio.gather(*(one(email) for email in emails)))


def sign_in(port: int = PORT, email: str = CUSTOMER) -> str:
    """A signed-in member's Cookie header."""
    return cookie_header(asyncio.run(sign_in_many([email], port, 1))[email])


def check_page(url: str, cookie: str, expect: tuple[str, ...] = ("利用者",)) -> None:
    """The page must answer 200 with its content for this cookie (not a redirect to sign-in)."""
    import httpx

    response = httpx.get(url, headers={"Cookie": cookie}, follow_redirects=False)
    if response.status_code != 200 or not all(text in response.text for text in expect):
        raise RuntimeError(f"{url} answered {response.status_code}: not the expected page")
    print(f"{url}: {len(response.content)} bytes", flush=True)


# --- load --------------------------------------------------------------------------------

ROTATE_SCRIPT = """\
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def wrk(
    url: str,
    cookie: str,
    duration: int,
    connections: int,
    timeout_s: int = 2,
    paths: list[str] | None = None,
) -> dict[str, float]:
    """wrk's figures for `url` (or for `paths` on its host, requested in turn). Latencies over
    `timeout_s` would be left out of the percentiles, so socket errors are counted too."""
    with tempfile.TemporaryDirectory() as tmp:
        script: list[str] = []
        if paths:
            lua = Path(tmp) / "rotate.lua"
            lua.write_text(ROTATE_SCRIPT % ", ".join(f'"{p}"' for p in paths))
            script = ["-s", str(lua)]
        out = subprocess.run(
            [
                *("wrk", "-t2", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout_s}s"),
                *("--latency", "-H", f"Cookie: {cookie}", *script, url),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    if rps is None or set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "rps": float(rps.group(1)),
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        "socket_errors": float(sum(map(int, socket_errors.groups()))) if socket_errors else 0.0,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 2)


def medians(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The median of every figure, with the runs themselves."""
    return {**{key: statistics.median(r[key] for r in runs) for key in runs[0]}, "runs": runs}


def load_parameters(duration: int, runs: int, connections: int) -> dict[str, Any]:
    return {
        "app_processes": APP_PROCESSES,
        "connections": connections,
        "duration_s": duration,
        "runs": runs,
        "wrk": f"wrk -t2 -c{connections} -d{duration}s --timeout={WRK_TIMEOUT_S}s --latency",
    }


def measure_pages(
    env: dict[str, str],
    pages: Pages,
    expect: tuple[str, ...],
    load: dict[str, Any],
) -> dict[str, Any]:
    """Serve the app, sign the customer in, check that every page shows `expect`, then drive
    each page (a URL, or a host and its paths requested in turn): a 3 s warm-up, then
    `load["runs"]` wrk runs. The medians per page, and each worker's peak memory."""
    connections, duration = load["connections"], load["duration_s"]
    results: dict[str, Any] = {}
    with serving(env) as server:
        cookie = sign_in()
        for url, paths in pages.values():
            for target in [url + path for path in paths] or [url]:
                check_page(target, cookie, expect)
        for name, (url, paths) in pages.items():
            wrk(url, cookie, 3, connections, WRK_TIMEOUT_S, paths)
            samples = []
            for _ in range(load["runs"]):
                samples.append(wrk(url, cookie, duration, connections, WRK_TIMEOUT_S, paths))
                print(f"{name}: {samples[-1]}", flush=True)
                if samples[-1]["errors"]:  # fast error pages would pass for throughput
                    raise RuntimeError(f"{name}: answers other than 2xx or 3xx under load")
            results[name] = medians(samples)
        rss = worker_rss_mb(server)
    for name in pages:
        results[name]["peak_rss_mb_per_worker"] = max(rss)
    return {**results, "worker_rss_mb": rss}


def page_scenario(
    database: str,
    generate: Callable[[], Coroutine[Any, Any, Any]],
    pages: Callable[[str, Any], Pages],
    expect: tuple[str, ...],
    load: dict[str, Any],
) -> tuple[Any, dict[str, Any]]:
    """A fresh production stack on `database`, the data `generate` makes, then `measure_pages`
    on the pages made from the server's address and what `generate` returned; both returned."""
    env = production_stack(database)
    made = asyncio.run(generate())
    return made, measure_pages(env, pages(f"http://127.0.0.1:{PORT}", made), expect, load)


async def timed(factory: Callable[[], Coroutine[Any, Any, Any]], runs: int) -> dict[str, Any]:
    """`factory()` awaited `runs` times in this process: the median and every run, in ms."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        await factory()
        out.append(round((time.perf_counter() - started) * 1000, 1))
    return {"median": statistics.median(out), "runs": out}


async def generated(
    generate: Callable[[int], None], accounts: int, counts_sql: str
) -> dict[str, Any]:
    """An in-process scenario's start: the app's database connected and migrated, the data set
    generated (timed), and its row counts (`counts_sql`: one row of counts) in the results."""
    from core import database
    from core.database import fetch
    from settings import get_settings

    await database.prepare(get_settings())
    await database.migrate()
    started = time.perf_counter()
    generate(accounts)
    results: dict[str, Any] = {"generate_s": round(time.perf_counter() - started, 1)}
    [counts] = await fetch(counts_sql)
    results["rows"] = {key: int(value) for key, value in counts.items()}
    return results
