import json
import zlib

from pipeline.items import normalise
from pipeline.queues import INGEST, batches, enqueue_items, queue


def test_batches_split_and_keep_order():
    assert [len(b) for b in batches(range(250), 100)] == [100, 100, 50]
    assert list(batches([], 10)) == []


def test_items_are_enqueued_in_batches_as_json(redis_conn):
    items = [normalise({"id": str(i), "title": f"标题{i}", "text": "<script>alert(1)</script>"}) for i in range(250)]
    assert enqueue_items(redis_conn, items, batch_size=100) == 3
    q = queue(INGEST, redis_conn)
    assert q.count == 3
    job = q.jobs[0]
    assert job.func_name == "pipeline.jobs.ingest_batch"
    assert [i["id"] for i in job.args[0]] == [str(i) for i in range(100)]
    raw = redis_conn.hget(f"rq:job:{job.id}", "data")
    payload = json.loads(zlib.decompress(raw))  # the stored job is JSON, never pickle
    assert payload[0] == "pipeline.jobs.ingest_batch"
    assert job.retries_left == 5


def test_nothing_to_enqueue(redis_conn):
    assert enqueue_items(redis_conn, [], batch_size=10) == 0
    assert queue(INGEST, redis_conn).count == 0
