"""Recovering the work of a worker that died (SIGKILL, power loss) within seconds, not minutes.

Every worker process keeps a short-lived liveness key alive from a thread.
The scheduler's recovery pass looks at the jobs RQ marks as started: a job
whose worker's liveness key has expired is put back at the front of its
queue, and the dead worker's registration removed. The job then runs again
from the start; jobs are idempotent, so nothing is lost and nothing doubled.
(RQ alone notices an abandoned job only after its timeout plus a minute.)
"""

from __future__ import annotations

import logging
import threading

from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer

from . import keys
from .queues import ALL_QUEUES, queue

log = logging.getLogger(__name__)
ALIVE_TTL = 10
BEAT_EVERY = 2.0


def alive_key(worker_name: str) -> str:
    return f"{keys.PREFIX}:alive:{worker_name}"


def keep_alive(connection: Redis, worker_name: str, stop: threading.Event) -> threading.Thread:
    """Start the liveness thread of a worker process."""
    def beat() -> None:
        while not stop.is_set():
            try:
                connection.set(alive_key(worker_name), "1", ex=ALIVE_TTL)
            except Exception:  # noqa: BLE001 - Redis away: the worker itself will notice
                pass
            stop.wait(BEAT_EVERY)
        try:
            connection.delete(alive_key(worker_name))  # a clean stop: no need to wait for the TTL
        except Exception:  # noqa: BLE001 - the connection may already be closed
            pass
    thread = threading.Thread(target=beat, name="yuqing-alive", daemon=True)
    thread.start()
    return thread


def recover(connection: Redis) -> list[str]:
    """Requeue the started jobs of workers that are no longer alive; returns their ids."""
    requeued = []
    for name in ALL_QUEUES:
        q = queue(name, connection)
        registry = q.started_job_registry
        for job_id in registry.get_job_ids():
            try:
                job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
            except Exception:  # noqa: BLE001 - vanished meanwhile
                continue
            worker = job.worker_name
            if not worker or connection.exists(alive_key(worker)):
                continue
            with connection.pipeline() as pipe:
                registry.remove_executions(job, pipeline=pipe)
                pipe.srem("rq:workers", f"rq:worker:{worker}")
                pipe.srem(f"rq:workers:{name}", f"rq:worker:{worker}")
                pipe.delete(f"rq:worker:{worker}")
                pipe.execute()
            q.enqueue_job(job, at_front=True)
            requeued.append(job_id)
            log.warning("worker %s is gone: job %s requeued", worker, job_id)
    return requeued
