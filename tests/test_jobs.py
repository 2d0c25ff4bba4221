import json

import pytest

from pipeline import keys
from pipeline.items import normalise
from pipeline.jobs import ingest_batch
from pipeline.queues import INGEST, enqueue_items, queue
from pipeline.worker import build_worker


def _items(n, text="正文"):
    return [normalise({"id": f"i{k}", "title": f"标题{k}", "text": text, "source": "demo",
                       "published_at": "2024-05-01T08:00:00+08:00"}) for k in range(n)]


def test_worker_stores_a_batch(redis_conn):
    enqueue_items(redis_conn, _items(3), batch_size=10)
    build_worker(redis_conn).work(burst=True)
    assert redis_conn.zcard(keys.ITEMS_BY_TIME) == 3
    assert redis_conn.zcard(keys.source_timeline("demo")) == 3
    stored = json.loads(redis_conn.get(keys.item("i1")))
    assert stored["title"] == "标题1"
    assert queue(INGEST, redis_conn).failed_job_registry.count == 0


def test_job_function_needs_a_worker():
    with pytest.raises(RuntimeError, match="inside an RQ worker"):
        ingest_batch([])
