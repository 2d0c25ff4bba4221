"""Helpers shared by the tests (not fixtures): the CLI as a subprocess, polling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pipeline.redis_server import free_port

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


class MailServer:
    """A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email
                from email import policy

                msg = email.message_from_bytes(envelope.content, policy=policy.default)
                outer.messages.append({"to": list(envelope.rcpt_tos), "msg": msg,
                                       "subject": str(msg["Subject"]), "id": str(msg["Message-ID"])})
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"


class HookServer:
    """A local HTTP server that records JSON POSTs (a stand-in robot webhook); answers ``answer``."""

    def __init__(self, answer: dict | None = None, status: int = 200) -> None:
        import json as _json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.posts: list = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.posts.append(_json.loads(body))
                data = _json.dumps(answer if answer is not None else {"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HookServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=k"
