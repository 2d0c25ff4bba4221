"""`yuqing run`: one foreground process that starts, watches and stops the whole system.

Children: the embedded Redis (unless REDIS_URL is set), N workers, the
scheduler, the dashboard and the demo source. Each child is its own process
group and dies with the supervisor (PR_SET_PDEATHSIG), so neither Ctrl-C,
SIGTERM nor a SIGKILL of the supervisor leaves a process behind. A child that
dies is restarted with backoff.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .connection import connect, embedded
from .errors import StartupError
from .redis_server import EmbeddedRedis, die_with_parent, free_port, port_is_free
from .settings import Settings

log = logging.getLogger(__name__)

STOP_GRACE_S = 15.0


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)


class Supervisor:
    def __init__(self, settings: Settings, demo: bool | None = None,
                 say: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.demo = settings.demo if demo is None else demo
        self.say = say
        self.redis: EmbeddedRedis | None = None
        self.redis_url = ""
        self.children: list[Child] = []
        self.dashboard_url = ""
        self.demo_url = ""
        self.stop_event = threading.Event()

    # -- start -------------------------------------------------------------
    def _pick_port(self, port: int, what: str, option: str) -> int:
        host = self.settings.host
        if port == 0:
            return free_port(host)
        if not port_is_free(port, host):
            raise StartupError(f"port {port} on {host} for the {what} is already in use; stop what holds it "
                               f"or choose another port with {option} (0 picks a free one)")
        return port

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.settings.as_env())
        if self.redis is not None:
            # Children find the embedded server through <var>/redis/server.json; never via a URL in env.
            env.pop("REDIS_URL", None)
            env.pop("YUQING_REDIS_URL", None)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def plan(self) -> list[Child]:
        s = self.settings
        py = [sys.executable, "-m", "pipeline"]
        n = s.workers or (os.cpu_count() or 1)
        port = self._pick_port(s.port, "dashboard", "--port or YUQING_PORT")
        self.dashboard_url = f"http://{s.host}:{port}/"
        children = [Child(f"worker-{i + 1}", py + ["worker"]) for i in range(n)]
        children.append(Child("scheduler", py + ["scheduler"]))
        children.append(Child("dashboard", py + ["dashboard", "--port", str(port)]))
        if self.demo:
            demo_port = self._pick_port(s.demo_port, "demo source", "YUQING_DEMO_PORT")
            self.demo_url = f"http://127.0.0.1:{demo_port}/"
            children.append(Child("demo", py + ["demo", "--port", str(demo_port)]))
            # Every child (the scheduler's crawls above all) resolves {demo} in sources to this URL.
            self.settings = self.settings.replace(demo_url=self.demo_url.rstrip("/"))
        return children

    def _spawn(self, child: Child) -> None:
        logs = self.settings.var_dir / "log"
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / f"{child.name}.log", "ab") as out:
            child.proc = subprocess.Popen(child.argv, env=self._env(), stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        child.started_at = time.monotonic()

    def start(self) -> None:
        s = self.settings
        s.var_dir.mkdir(parents=True, exist_ok=True)
        self.children = self.plan()  # checks ports before anything starts
        if s.redis_url:
            self.redis_url = s.redis_url
        else:
            self.redis = embedded(s)
            self.redis_url = self.redis.start()
        connect(s, self.redis_url).close()
        for child in self.children:
            self._spawn(child)
        mode = "embedded" if self.redis else "external"
        self.say(f"yuqing 舆情系统已启动 — Redis ({mode}), {sum(c.name.startswith('worker') for c in self.children)} "
                 f"workers, scheduler, dashboard" + (", demo source" if self.demo else ""))
        if self.demo:
            self.say(f"Demo source 演示信息源: {self.demo_url}")
        self.say(f"Dashboard 仪表盘: {self.dashboard_url}")
        self.say(f"Logs under {s.var_dir / 'log'}; press Ctrl-C to stop.")

    # -- watch -------------------------------------------------------------
    def check_children(self) -> None:
        now = time.monotonic()
        if self.redis is not None and self.redis.process is not None and self.redis.process.poll() is not None:
            log.warning("embedded Redis exited with %s; restarting", self.redis.process.returncode)
            self.say("Redis stopped unexpectedly; restarting it (AOF keeps the data)")
            self.redis.start()
        for child in self.children:
            if child.proc is None or child.proc.poll() is None:
                continue
            if child.next_start == 0.0:
                # Back off 1, 2, 4 … 30 s; a child that ran a minute starts over at 1 s.
                if now - child.started_at > 60:
                    child.restarts = 0
                delay = min(30.0, 2.0 ** child.restarts)
                child.next_start = now + delay
                self.say(f"{child.name} exited with {child.proc.returncode}; restarting in {delay:g}s "
                         f"(log: {self.settings.var_dir / 'log' / (child.name + '.log')})")
            elif now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                self._spawn(child)

    def wait(self) -> None:
        while not self.stop_event.wait(0.5):
            self.check_children()

    # -- stop --------------------------------------------------------------
    def stop(self) -> None:
        """Workers finish the job in hand (SIGTERM is RQ's warm shutdown); then Redis flushes and exits."""
        live = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in live:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.redis is not None:
            self.redis.stop()

    def run_forever(self) -> None:
        """Start, wait for SIGINT/SIGTERM, stop everything."""
        def on_signal(signum, _frame):
            self.stop_event.set()
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            self.wait()
            self.say("Stopping: workers finish their current job, then Redis saves and exits …")
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.say("Stopped.")
