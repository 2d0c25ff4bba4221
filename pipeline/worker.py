"""Worker processes.

A worker is RQ's ``SimpleWorker`` (no fork per job) with the JSON
serializer: forking per job costs ≈11 ms of CPU against ≈3 ms for the
whole RQ round trip (shared/PERFORMANCE.md), and models and dictionaries
are then loaded once per process rather than once per job. The same work
runs under a plain ``rq worker``::

    rq worker --url "$REDIS_URL" --serializer rq.serializers.JSONSerializer \\
        --worker-class rq.worker.SimpleWorker --with-scheduler yuqing-ingest
"""

from __future__ import annotations

import os
import socket
from typing import Sequence

from redis import Redis
from rq.serializers import JSONSerializer
from rq.worker import SimpleWorker

from .queues import ALL_QUEUES, queue


def worker_name() -> str:
    return f"yuqing-{socket.gethostname()}-{os.getpid()}"


def build_worker(connection: Redis, queue_names: Sequence[str] = ALL_QUEUES,
                 name: str | None = None) -> SimpleWorker:
    return SimpleWorker([queue(n, connection) for n in queue_names], connection=connection,
                        serializer=JSONSerializer, name=name or worker_name())


def run_worker(connection: Redis, queue_names: Sequence[str] = ALL_QUEUES, burst: bool = False,
               log_level: str = "INFO") -> bool:
    """Work until stopped (SIGTERM/SIGINT finish the current job first) or, with burst, until empty.

    Models and the tokeniser dictionary are loaded here, once, before the first job."""
    import threading

    from .jobs import classifier
    from .recovery import keep_alive

    classifier()
    worker = build_worker(connection, queue_names)
    stop = threading.Event()
    beat = keep_alive(connection, worker.name, stop)
    try:
        # with_scheduler: this worker also moves jobs waiting for a retry back onto their queue.
        return worker.work(burst=burst, logging_level=log_level, with_scheduler=True)
    finally:
        stop.set()
        beat.join(5)
