"""Scale-out: one crawl of a source split across processes or hosts that share Redis.

Every process started with the same run id (`yuqing crawl NAME --distributed
RUN_ID`) uses this scheduler: requests go to one Redis list per source and
run, and a shared set of request fingerprints makes sure each page is fetched
once across all of them. Requests are stored as JSON (bytes as base64),
never pickle. A process whose queue runs dry waits a few seconds for the
others' discoveries before it closes.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy.utils.request import request_from_dict

from pipeline import keys

log = logging.getLogger(__name__)
RUN_TTL = 24 * 3600


def to_json(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return {"__b64__": base64.b64encode(obj).decode("ascii")}
    if isinstance(obj, dict):
        return {("__bkey__" + base64.b64encode(k).decode("ascii") if isinstance(k, bytes) else str(k)): to_json(v)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return obj


def from_json(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__b64__"}:
            return base64.b64decode(obj["__b64__"])
        return {(base64.b64decode(k[8:]) if k.startswith("__bkey__") else k): from_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_json(v) for v in obj]
    return obj


def queue_key(source: str, run: str) -> str:
    return f"{keys.PREFIX}:crawl:{source}:{run}:queue"


def seen_key(source: str, run: str) -> str:
    return f"{keys.PREFIX}:crawl:{source}:{run}:fingerprints"


class RedisScheduler:
    @classmethod
    def from_crawler(cls, crawler):
        run = crawler.settings.get("YUQING_RUN_ID")
        if not run:
            raise NotConfigured("YUQING_RUN_ID is not set")
        scheduler = cls(crawler, run, crawler.settings.getfloat("YUQING_DISTRIBUTED_IDLE", 10.0))
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def __init__(self, crawler, run: str, idle_wait: float) -> None:
        self.crawler = crawler
        self.run = run
        self.idle_wait = idle_wait
        self.spider = None
        self.redis = None
        self.idle_since: float | None = None

    def open(self, spider) -> None:
        from pipeline.connection import connect, resolve_url
        from pipeline.settings import load_settings

        settings = load_settings()
        self.redis = connect(settings, resolve_url(settings))  # distributed crawls need Redis: fail loudly
        self.spider = spider
        self.source = getattr(getattr(spider, "source", None), "name", spider.name)
        self.queue = queue_key(self.source, self.run)
        self.seen = seen_key(self.source, self.run)

    def close(self, reason: str) -> None:
        return None

    def has_pending_requests(self) -> bool:
        return bool(self.redis.llen(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter:
            fingerprint = self.crawler.request_fingerprinter.fingerprint(request).hex()
            if not self.redis.sadd(self.seen, fingerprint):
                self.crawler.stats.inc_value("scheduler/filtered")
                return False
        data = json.dumps(to_json(request.to_dict(spider=self.spider)), ensure_ascii=False)
        with self.redis.pipeline() as pipe:
            pipe.lpush(self.queue, data)
            pipe.expire(self.queue, RUN_TTL)
            pipe.expire(self.seen, RUN_TTL)
            pipe.execute()
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        raw = self.redis.rpop(self.queue)
        if raw is None:
            return None
        self.idle_since = None
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request_from_dict(from_json(json.loads(raw)), spider=self.spider)

    def spider_idle(self, spider) -> None:
        """Other processes may still be finding pages: wait a little before closing."""
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_wait:
            raise DontCloseSpider("waiting for requests from the other crawl processes")
