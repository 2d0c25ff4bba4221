import gzip
import json

from pipeline import keys
from pipeline.archive import archive_old
from pipeline.items import normalise
from pipeline.jobs_store import concern_index, store_items


def test_old_items_move_to_compressed_jsonl(redis_conn, tmp_path):
    items = [normalise({"id": "old", "text": "旧留言", "source": "s", "published_at": "2020-01-02T08:00:00+08:00"}),
             normalise({"id": "new", "text": "新留言", "source": "s", "published_at": "2024-06-01T08:00:00+08:00"})]
    results = [{"concern": "公众切身利益", "domain": "城乡建设"}] * 2
    store_items(redis_conn, items, results)
    now = 1717286400.0  # 2024-06-02
    assert archive_old(redis_conn, tmp_path, retention_days=30, now=now) == 1
    assert redis_conn.get(keys.item("old")) is None and redis_conn.get(keys.item("new")) is not None
    assert redis_conn.zscore(concern_index("公众切身利益"), "old") is None
    assert redis_conn.zscore(keys.source_timeline("s"), "old") is None
    (path,) = (tmp_path / "archive").glob("*.jsonl.gz")
    assert path.name == "items-2020-01-02.jsonl.gz"
    (line,) = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert json.loads(line)["id"] == "old"
    assert archive_old(redis_conn, tmp_path, retention_days=30, now=now) == 0
