"""The scheduler: periodic tasks (source crawls, maintenance) run once per interval.

Several schedulers may be started (one per host); a short Redis lock lets
only one of them run a pass, and each task's last run is kept in Redis so
that a restart does not run everything again at once.
"""

from __future__ import annotations

import logging
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
    return [Task("maintenance", 60.0, maintenance)]


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
