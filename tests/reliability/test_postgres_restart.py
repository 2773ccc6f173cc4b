"""PostgreSQL restarted under load: requests in flight fail cleanly (503 with Retry-After) or
succeed, none hang, and the app answers again without a restart of its own.

The database is a PostgreSQL cluster of the test's own (initdb in a temporary directory, on a
free port), so restarting it disturbs nothing else; the app runs as a real server process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port

pytestmark = pytest.mark.production_stack

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[2]
REQUEST_TIMEOUT = 15.0  # a hung request would exceed it


def as_postgres(*command: str) -> None:
    # No pipes: the server pg_ctl starts would hold them open and the call would never return.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(  # noqa: S603
        [*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


class Cluster:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kizuna-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/kizuna"

    def ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        as_postgres(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options),
            *("-w", "-t", "60", "-m", "fast", action),
        )

    def create_database(self) -> None:
        subprocess.run(  # noqa: S603
            [
                str(PG_BIN / "psql"),
                f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                "-qc",
                "CREATE DATABASE kizuna TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
            ],
            check=True,
            capture_output=True,
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.ctl("stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 server binaries are missing in {PG_BIN}")
    cluster = Cluster()
    try:
        cluster.ctl("start")
        cluster.create_database()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def server(cluster: Cluster) -> Iterator[str]:
    port = free_port()
    var_dir = tempfile.mkdtemp(prefix="kizuna-pg-app-")
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "VAR_DIR": var_dir,
        "ENVIRONMENT": "test",
        "SECRET_KEY": "restart-test-secret",
        "MIGRATE_ON_START": "true",
        "LOAD_DEMO_DATA": "false",
        "DB_POOL_MAX_SIZE": "5",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "--factory", "app:create_app", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the app did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(var_dir, ignore_errors=True)


async def test_postgres_restart_under_load(cluster: Cluster, server: str) -> None:
    statuses: list[int] = []
    stop = asyncio.Event()

    async def load(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            # /healthz queries the database; /community/ runs the session and auth middleware
            # and sends an anonymous visitor to sign in.
            for path in ("/healthz", "/community/"):
                response = await client.get(path, timeout=REQUEST_TIMEOUT)
                statuses.append(response.status_code)
                if response.status_code == 503:
                    assert response.headers.get("retry-after"), "503 without a retry hint"

    async with httpx.AsyncClient(base_url=server, follow_redirects=False) as client:
        workers = [asyncio.create_task(load(client)) for _ in range(8)]
        await asyncio.sleep(1.0)
        before = len(statuses)
        await asyncio.to_thread(cluster.ctl, "restart")
        await asyncio.sleep(2.0)
        stop.set()
        await asyncio.gather(*workers)  # raises if any request timed out (hung)
        assert before > 0
        # Every answer was a success, a redirect to sign in, or a clean 503 with Retry-After.
        assert set(statuses) <= {200, 302, 503}, sorted(set(statuses))

        # The app recovered on its own: the database answers through it again.
        deadline = time.monotonic() + 20
        while True:
            response = await client.get("/healthz", timeout=REQUEST_TIMEOUT)
            if response.status_code == 200:
                break
            assert time.monotonic() < deadline, f"no recovery: {response.status_code}"
            await asyncio.sleep(0.5)
        assert response.json()["checks"]["database"] == "ok"
        assert (await client.get("/community/", timeout=REQUEST_TIMEOUT)).status_code == 302
