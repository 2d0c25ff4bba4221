import json
from datetime import datetime, timezone

from crawlers.extensions import SOURCE_ALERTS, record, run_outcome
from pipeline import keys


def test_outcome_counts_seen_items_and_errors():
    ok = run_outcome({"yuqing/items_accepted": 3, "yuqing/unchanged": 2}, "finished")
    assert ok == {"items": 3, "seen": 5, "errors": 0, "failed": False, "reason": "finished"}
    bad = run_outcome({"downloader/response_status_count/500": 2, "retry/max_reached": 1}, "finished")
    assert bad["failed"] and bad["errors"] == 3
    assert run_outcome({"yuqing/items_accepted": 1}, "shutdown")["failed"]


def test_zero_items_from_a_usually_busy_source_alerts(redis_conn):
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for n in (5, 6, 4):
        health = record(redis_conn, "portal", {"items": n, "seen": n, "errors": 0, "failed": False,
                                               "reason": "finished"}, 3, now)
        assert health["alert"] == ""
    health = record(redis_conn, "portal", {"items": 0, "seen": 0, "errors": 0, "failed": False,
                                           "reason": "finished"}, 3, now)
    assert health["alert"] == "no items this run; usually 5"
    assert json.loads(redis_conn.lindex(SOURCE_ALERTS, 0))["reason"] == "no items this run; usually 5"
    assert redis_conn.sismember(keys.SOURCES, "portal")


def test_success_resets_failures(redis_conn):
    failed = {"items": 0, "seen": 0, "errors": 2, "failed": True, "reason": "finished"}
    record(redis_conn, "s", failed, 3)
    assert record(redis_conn, "s", failed, 3)["consecutive_failures"] == 2
    assert record(redis_conn, "s", {**failed, "failed": False, "seen": 1, "items": 1}, 3)["consecutive_failures"] == 0
