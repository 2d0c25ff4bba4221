"""The RQ queues and how work is put on them.

Everything is serialised as JSON: crawled content must never reach pickle.
A plain `rq worker` on another host runs these jobs with
``--serializer rq.serializers.JSONSerializer``.
"""

from __future__ import annotations

from typing import Any, Iterable

from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

INGEST = "yuqing-ingest"
OPS = "yuqing-ops"              # long work started from the dashboard (training, import); after ingest
ALL_QUEUES = (INGEST, OPS)
RETRY = Retry(max=5, interval=[5, 15, 60, 300, 900])


def queue(name: str, connection: Redis) -> Queue:
    return Queue(name, connection=connection, serializer=JSONSerializer)


def batches(items: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def enqueue_items(connection: Redis, items: Iterable[dict[str, Any]], batch_size: int = 100,
                  job_timeout: int = 600) -> int:
    """Put normalised items on the ingest queue in batches; returns the number of jobs.

    Each item is stamped with ``enqueued_at`` (epoch seconds) so the workers can measure latency."""
    import time

    q = queue(INGEST, connection)
    now = time.time()
    items = [item if "enqueued_at" in item else {**item, "enqueued_at": now} for item in items]
    jobs = [
        Queue.prepare_data("pipeline.jobs.ingest_batch", args=(batch,), timeout=job_timeout,
                           result_ttl=60, failure_ttl=7 * 24 * 3600, retry=RETRY,
                           description=f"ingest {len(batch)} items")
        for batch in batches(items, batch_size)
    ]
    if not jobs:
        return 0
    with connection.pipeline() as pipe:
        q.enqueue_many(jobs, pipeline=pipe)
        pipe.execute()
    return len(jobs)
