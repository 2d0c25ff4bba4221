"""A worker killed with SIGKILL mid-batch: the batch is redone, no item lost, no alert doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from pipeline import keys
from pipeline.queues import INGEST, enqueue_items, queue
from pipeline.recovery import recover

from support import ROOT, YUQING, wait_for

ACCIDENT = "6月3日14时许，某县一化工厂发生爆炸，已造成11人死亡、8人受伤。应急管理局负责同志赶赴现场，伤者已送医救治。"


def _items(n):
    base = [{"id": f"x{i}", "title": f"某区第{i}号小区物业乱收停车费", "text": f"业主反映第{i}号小区停车费上涨，希望核查。",
             "source": "board"} for i in range(n)]
    base.append({"id": "acc", "title": "某县化工厂爆炸致11人死亡", "text": ACCIDENT, "source": "news"})
    base.append({"id": "acc-copy", "title": "某县化工厂爆炸致11人死亡", "text": ACCIDENT, "source": "weibo"})
    return base


def _worker(env):
    return subprocess.Popen(YUQING + ["worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_sigkilled_worker_loses_nothing_and_doubles_nothing(redis_url, redis_conn, tmp_path):
    from pipeline.items import normalise
    items = [normalise(i) for i in _items(4000)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
    env.update(REDIS_URL=redis_url, YUQING_VAR=str(tmp_path), YUQING_LOG_LEVEL="WARNING")
    # One big batch so that the kill lands inside it.
    enqueue_items(redis_conn, items, batch_size=len(items))
    victim = _worker(env)
    q = queue(INGEST, redis_conn)
    wait_for(lambda: q.started_job_registry.count == 1, timeout=60, what="the batch started")
    time.sleep(0.3)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert recover(redis_conn) == []  # its liveness key has not expired yet: not taken for dead
    wait_for(lambda: recover(redis_conn), timeout=30, what="the dead worker's job requeued")
    assert q.count == 1 and q.started_job_registry.count == 0
    rescuer = _worker(env)
    try:
        wait_for(lambda: redis_conn.zcard(keys.ITEMS_BY_TIME) == len(items) and q.count == 0
                 and q.started_job_registry.count == 0, timeout=120, what="the batch redone")
    finally:
        rescuer.terminate()
        rescuer.wait(30)
    alerts = [json.loads(redis_conn.get(keys.alert(a.decode()))) for a in redis_conn.zrange(keys.ALERTS_OPEN, 0, -1)]
    accident = [a for a in alerts if a["event_id"] == "ev-acc"]
    assert len(accident) == 1 and accident[0]["items"] == 2
    assert q.failed_job_registry.count == 0
