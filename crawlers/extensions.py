"""Source health: per source last success, items per run, errors, consecutive failures — and alerts.

A crawler that dies silently is the commonest failure, so every run writes
its outcome to Redis (``yq:v1:source:<name>:health``), shown by `yuqing
status` and the dashboard. An alert is raised after N consecutive failed
runs, or when a run yields nothing from a source that usually yields items.
"""

from __future__ import annotations

import json
import logging
import statistics
from datetime import datetime, timezone

import redis
from scrapy import signals

from pipeline import keys

log = logging.getLogger(__name__)

SOURCE_ALERTS = f"{keys.PREFIX}:source_alerts"
HISTORY = 10


def run_outcome(stats: dict, reason: str) -> dict:
    seen = sum(stats.get(k, 0) for k in ("yuqing/items_accepted", "yuqing/unchanged", "yuqing/not_modified"))
    errors = sum(v for k, v in stats.items()
                 if k.startswith(("downloader/exception_type_count/", "spider_exceptions/"))
                 or (k.startswith("downloader/response_status_count/5")) or k in (
                     "yuqing/binary_dropped", "yuqing/invalid_json", "retry/max_reached"))
    failed = reason != "finished" or (seen == 0 and errors > 0)
    return {"items": stats.get("yuqing/items_accepted", 0), "seen": seen, "errors": errors, "failed": failed,
            "reason": reason}


def record(conn: redis.Redis, source: str, outcome: dict, alert_after: int, now: datetime | None = None) -> dict:
    """Update the source's health hash; returns it (with 'alert' set when one was raised)."""
    now = now or datetime.now(timezone.utc)
    key = keys.source_health(source)
    old = {k.decode(): v.decode() for k, v in conn.hgetall(key).items()}
    history = json.loads(old.get("history", "[]"))
    failures = int(old.get("consecutive_failures", 0)) + 1 if outcome["failed"] else 0
    health = {
        "last_run": now.isoformat(),
        "last_items": outcome["items"],
        "last_seen": outcome["seen"],
        "last_errors": outcome["errors"],
        "last_reason": outcome["reason"],
        "consecutive_failures": failures,
        "runs": int(old.get("runs", 0)) + 1,
        "history": json.dumps((history + [outcome["seen"]])[-HISTORY:]),
        "last_success": now.isoformat() if not outcome["failed"] else old.get("last_success", ""),
        "alert": "",
    }
    reason = ""
    if failures >= alert_after:
        reason = f"{failures} consecutive failed runs (last: {outcome['errors']} errors, {outcome['reason']})"
    elif outcome["seen"] == 0 and len(history) >= 3 and statistics.median(history) > 0:
        reason = f"no items this run; usually {statistics.median(history):g}"
    if reason:
        health["alert"] = reason
        conn.lpush(SOURCE_ALERTS, json.dumps({"source": source, "at": now.isoformat(), "reason": reason},
                                             ensure_ascii=False))
        conn.ltrim(SOURCE_ALERTS, 0, 199)
        log.error("source %s: %s", source, reason)
    conn.hset(key, mapping={k: str(v) for k, v in health.items()})
    conn.sadd(keys.SOURCES, source)
    return health


class SourceHealth:
    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    def spider_closed(self, spider, reason: str) -> None:
        from pipeline.connection import connect, resolve_url
        from pipeline.errors import StartupError
        from pipeline.settings import load_settings

        source = getattr(getattr(spider, "source", None), "name", spider.name)
        outcome = run_outcome(self.crawler.stats.get_stats(), reason)
        try:
            settings = load_settings()
            conn = connect(settings, resolve_url(settings))
            record(conn, source, outcome, self.crawler.settings.getint("YUQING_FAILURE_ALERT_AFTER", 3))
        except (StartupError, redis.RedisError) as exc:
            log.warning("could not record health of %s: %s", source, exc)
