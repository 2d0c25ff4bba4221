"""The scheduler: periodic tasks (source crawls, maintenance) run once per interval.

Several schedulers may be started (one per host); a short Redis lock lets
only one of them run a pass, and each task's last run is kept in Redis so
that a restart does not run everything again at once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

from redis import Redis
from rq.registry import clean_registries

from . import keys
from .queues import ALL_QUEUES, queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    name: str
    interval: float
    run: Callable[[Redis], object]


def maintenance(connection: Redis) -> None:
    """Move jobs of dead workers and expired entries out of RQ's registries (they are retried or failed)."""
    for name in ALL_QUEUES:
        clean_registries(queue(name, connection))


def default_tasks() -> list[Task]:
    from .recovery import recover

    return [Task("maintenance", 60.0, maintenance), Task("recover", 3.0, recover)]


class CrawlLauncher:
    """Starts `yuqing crawl SOURCE` as a child process; never two runs of one source at once, and
    none while the ingest queue is past its bound (backpressure: crawling waits for the workers)."""

    def __init__(self, settings, max_queue_jobs: int) -> None:
        self.settings = settings
        self.max_queue_jobs = max_queue_jobs
        self.running: dict[str, subprocess.Popen] = {}

    def __call__(self, source: str) -> Callable[[Redis], object]:
        def launch(connection: Redis) -> str:
            proc = self.running.get(source)
            if proc is not None and proc.poll() is None:
                return "still running"
            depth = queue(ALL_QUEUES[0], connection).count
            if depth > self.max_queue_jobs:
                log.warning("backpressure: %d jobs queued (bound %d); crawl of %s deferred",
                            depth, self.max_queue_jobs, source)
                raise Deferred(f"queue at {depth} jobs")
            env = dict(os.environ)
            env.update(self.settings.as_env())
            log_path = self.settings.var_dir / "log" / f"crawl-{source}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "ab") as out:
                self.running[source] = subprocess.Popen(
                    [sys.executable, "-m", "pipeline", "crawl", source], env=env, stdout=out,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=False)
            return "started"
        return launch

    def stop(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.running.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


class Deferred(Exception):
    """A task that chose not to run now; it is tried again on the next pass."""


def crawl_tasks(settings, launcher: CrawlLauncher) -> list[Task]:
    """One task per configured source, at the source's interval."""
    from crawlers.sources import load

    return [Task(f"crawl:{s.name}", float(s.interval), launcher(s.name))
            for s in load(settings.var_dir, settings.sources_file, settings.demo_url)]


class Scheduler:
    def __init__(self, connection: Redis, tasks: list[Task], clock: Callable[[], float] = time.time,
                 owner: str = "") -> None:
        self.connection = connection
        self.tasks = tasks
        self.clock = clock
        self.owner = owner or f"scheduler-{id(self)}"

    def run_pending(self, lock_seconds: int = 30) -> list[str]:
        """Run every task whose interval has passed; returns the names run."""
        conn = self.connection
        got = conn.set(keys.SCHEDULER_LOCK, self.owner, nx=True, ex=lock_seconds)
        if not got and conn.get(keys.SCHEDULER_LOCK) not in (self.owner, self.owner.encode()):
            return []
        conn.expire(keys.SCHEDULER_LOCK, lock_seconds)
        ran = []
        now = self.clock()
        for task in self.tasks:
            last = conn.get(keys.task_last_run(task.name))
            if last is not None and now - float(last) < task.interval:
                continue
            try:
                task.run(conn)
            except Deferred:
                continue  # not marked as run: tried again next pass
            except Exception:  # a failing task must not stop the others
                log.exception("scheduled task %s failed", task.name)
            conn.set(keys.task_last_run(task.name), repr(now))
            ran.append(task.name)
        conn.set(keys.SCHEDULER_HEARTBEAT, repr(now))
        return ran

    def run_forever(self, tick: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.run_pending(lock_seconds=max(30, int(tick * 3)))
            except Exception:
                log.exception("scheduler pass failed; retrying in %.1fs", tick)
            stop.wait(tick)
