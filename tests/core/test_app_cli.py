"""Issue 12: `python app.py` served on 127.0.0.1:8000 only. HOST / PORT and --host / --port."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from core.settings import ROOT
from tests.support import free_port


def served(port: int, args: list[str], env: dict[str, str]) -> int:
    """Start `python app.py ARGS`, wait for /healthz on `port`, return its status."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed args
        [sys.executable, "app.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the app did not start")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_port_from_the_command_line_and_the_environment(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "LOAD_DEMO_DATA": "false"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    flag = free_port()
    assert served(flag, ["--host", "127.0.0.1", "--port", str(flag)], env) == 200
    variable = free_port()
    assert served(variable, [], {**env, "PORT": str(variable)}) == 200
