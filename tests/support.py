"""Helpers shared by the tests (not fixtures): the CLI as a subprocess, polling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YUQING = [sys.executable, "-m", "pipeline"]


def run_cli(*args: str, env: dict | None = None, input: str | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """`yuqing ARGS` as a real subprocess with a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
    base.update(env or {})
    return subprocess.run(YUQING + list(args), env=base, input=input, capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


SAMPLE_DATA = Path(__file__).resolve().parent / "sample_data"


class PageServer:
    """A local HTTP server for crawler tests: path → (status, headers, body); bodies may be changed live."""

    def __init__(self, routes: dict):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes = routes
        self.hits: list[str] = []
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):  # noqa: N802
                server_self.hits.append(self.path)
                route = server_self.routes.get(self.path)
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/html; charset=utf-8"}, b"not found"
                else:
                    status, headers, body = route(self) if callable(route) else route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
