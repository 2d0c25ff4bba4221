"""A Redis crash and restart (AOF, appendfsync everysec) loses nothing that was acknowledged."""

import json
import time

import redis

from pipeline import keys
from pipeline.redis_server import EmbeddedRedis
from pipeline.worker import run_worker

from support import run_cli


def test_acknowledged_items_survive_a_redis_crash(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    try:
        lines = "\n".join(json.dumps({"id": f"d{i}", "title": f"第{i}条留言：路灯不亮", "text": "夜间出行不便，希望维修。"},
                                     ensure_ascii=False) for i in range(250))
        out = run_cli("ingest", "-", input=lines, env={"REDIS_URL": url})
        assert out.stdout.strip() == "accepted=250 rejected=0"
        time.sleep(1.5)            # everysec: what was acknowledged a second ago is on disk
        server.kill()              # crash: no chance to flush anything more
        url = server.start()       # the AOF is replayed
        conn = redis.Redis.from_url(url)
        from pipeline.settings import BY_NAME
        jobs = -(-250 // BY_NAME["batch_size"].default)
        assert conn.llen("rq:queue:yuqing-ingest") == jobs   # every acknowledged job is back
        run_worker(conn, burst=True, log_level="WARNING")
        assert conn.zcard(keys.ITEMS_BY_TIME) == 250
    finally:
        server.stop()
