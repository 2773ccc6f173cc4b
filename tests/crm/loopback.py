"""A threaded HTTP server on loopback whose route function answers: what the stand-in CRMs and
the webhook receiver of the CRM tests are built on (http.server in a thread)."""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LoopbackServer:
    """A threaded HTTP server whose `route(request) -> (status, headers, body)` answers."""

    def __init__(self, route: Callable[[Received], tuple[int, dict[str, str], bytes]]) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with outer.lock:
                    outer.received.append(request)
                status, headers, payload = route(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> LoopbackServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests(self, method: str | None = None, path_prefix: str = "") -> list[Received]:
        with self.lock:
            return [
                r
                for r in self.received
                if (method is None or r.method == method) and r.path.startswith(path_prefix)
            ]


def _json(
    status: int, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"content-type": "application/json", **(headers or {})},
        json.dumps(body).encode(),
    )


class LoopbackFake(ABC):
    """A stand-in service: its `route` answers on a loopback server that `start` starts."""

    server: LoopbackServer | None

    @abstractmethod
    def route(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        """The answer to one request: (status, headers, body)."""

    def start(self) -> Self:
        self.server = LoopbackServer(self.route).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def stop(self) -> None:
        assert self.server is not None
        self.server.stop()
