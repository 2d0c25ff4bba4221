import json

from pipeline import keys
from pipeline.items import normalise
from pipeline.jobs_store import store_items


def _items(n, text="正文"):
    return [normalise({"id": f"i{k}", "title": f"标题{k}", "text": text, "source": "demo",
                       "published_at": "2024-05-01T08:00:00+08:00"}) for k in range(n)]


def test_running_a_batch_twice_changes_nothing(redis_conn):
    items = _items(2)
    assert store_items(redis_conn, items) == {"stored": 2, "unchanged": 0}
    before = {k: redis_conn.dump(k) for k in redis_conn.keys(f"{keys.PREFIX}:*")}
    assert store_items(redis_conn, items) == {"stored": 0, "unchanged": 2}
    after = {k: redis_conn.dump(k) for k in redis_conn.keys(f"{keys.PREFIX}:*")}
    assert before == after


def test_changed_item_is_stored_again(redis_conn):
    store_items(redis_conn, _items(1, text="旧"))
    assert store_items(redis_conn, _items(1, text="新")) == {"stored": 1, "unchanged": 0}
    assert json.loads(redis_conn.get(keys.item("i0")))["text"] == "新"
