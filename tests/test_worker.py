from rq.serializers import JSONSerializer
from rq.worker import SimpleWorker

from pipeline.items import normalise
from pipeline.queues import ALL_QUEUES, INGEST, enqueue_items, queue
from pipeline.worker import build_worker, run_worker


def test_worker_is_simple_with_json_on_all_queues(redis_conn):
    w = build_worker(redis_conn)
    assert isinstance(w, SimpleWorker)
    assert w.serializer is JSONSerializer or w.serializer == JSONSerializer
    assert w.queue_names() == list(ALL_QUEUES)
    assert w.name.startswith("yuqing-")


def test_burst_run_empties_the_queue(redis_conn):
    enqueue_items(redis_conn, [normalise({"id": "a", "title": "t"})])
    assert run_worker(redis_conn, burst=True, log_level="WARNING") is True
    assert queue(INGEST, redis_conn).count == 0
    assert run_worker(redis_conn, burst=True, log_level="WARNING") is False
