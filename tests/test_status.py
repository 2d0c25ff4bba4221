import time

import redis

from pipeline import keys
from pipeline.items import normalise
from pipeline.queues import enqueue_items
from pipeline.redis_server import free_port
from pipeline.status import format_text, gather
from pipeline.worker import build_worker


def test_reports_queue_depth_lag_and_workers(redis_conn, redis_url):
    enqueue_items(redis_conn, [normalise({"id": str(i), "title": "t"}) for i in range(3)], batch_size=1)
    w = build_worker(redis_conn, name="yuqing-test-w1")
    w.register_birth()
    try:
        time.sleep(1.1)
        report = gather(redis_conn, redis_url, embedded=True)
    finally:
        w.register_death()
    assert report["redis"]["ok"] and report["redis"]["aof_enabled"] is True
    assert "********" in report["redis"]["url"] and redis_url.split("@")[0].split(":")[-1] not in report["redis"]["url"]
    q, ops = report["queues"]
    assert q["name"] == "yuqing-ingest" and q["depth"] == 3 and q["lag_s"] >= 1.0
    assert ops["name"] == "yuqing-ops" and ops["depth"] == 0
    assert [w["name"] for w in report["workers"]] == ["yuqing-test-w1"]
    text = format_text(report)
    assert "depth 3" in text and "Workers    1" in text and "Scheduler  未运行" in text


def test_reports_source_health_and_scheduler(redis_conn, redis_url):
    redis_conn.sadd(keys.SOURCES, "portal")
    redis_conn.hset(keys.source_health("portal"), mapping={"last_success": "2024-05-01T08:00:00+08:00",
                                                           "consecutive_failures": "2"})
    redis_conn.set(keys.SCHEDULER_HEARTBEAT, repr(time.time()))
    report = gather(redis_conn, redis_url)
    assert report["sources"] == [{"name": "portal", "last_success": "2024-05-01T08:00:00+08:00",
                                  "consecutive_failures": "2"}]
    assert report["scheduler"]["heartbeat_age_s"] < 60
    assert "portal" in format_text(report)


def test_unreachable_redis_is_reported_not_raised():
    client = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
    report = gather(client, "redis://127.0.0.1:1/0")
    assert report["redis"]["ok"] is False and report["redis"]["error"]
    assert "不可用" in format_text(report)


def test_reports_open_and_overdue_cases_and_waiting_notices(redis_conn, redis_url):
    from datetime import datetime, timedelta, timezone

    from pipeline.metrics import prometheus
    from responders.cases import Responder
    from responders.config import load

    t0 = datetime.now(timezone.utc) - timedelta(hours=6)
    event = {"id": "ev-st1", "title": "某县爆炸", "items": 1, "concern": "突发事件与灾害", "rumor_score": 0.0,
             "region": {"place": "某县"}, "t0": t0.isoformat(), "triggers_response": True,
             "incident": {"type": "事故灾难", "level": "重大", "deaths": 10}}
    Responder(load()).on_events(redis_conn, [(event, True)], datetime.now(timezone.utc))
    report = gather(redis_conn, redis_url, embedded=True)
    assert report["cases"] == {"open": 1, "incident": 1, "overdue": 1, "outbox": 2}     # opened + breached
    assert "Cases      1 open (1 incident), 1 overdue  超时 OVERDUE, 2 notice(s) waiting" in format_text(report)
    assert "yuqing_cases_overdue 1" in prometheus(report)
