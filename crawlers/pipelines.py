"""Item pipelines: drop half-built items, skip unchanged ones, batch the rest onto the ingest queue.

If Redis is unreachable, batches go to the disk spool under <var>/spool and
are delivered first thing when it answers again: nothing accepted is lost.
An item is marked seen only after it is queued (or spooled).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy.exceptions import DropItem

from pipeline import keys
from pipeline.queues import enqueue_items

from .middlewares import remember_validators
from .spool import Spool

log = logging.getLogger(__name__)


def seen_key(source: str) -> str:
    return f"{keys.PREFIX}:seen:{source}"


class _RedisUser:
    """Lazy Redis connection from the yuqing settings; None while Redis is unreachable."""

    def __init__(self, crawler) -> None:
        from pipeline.settings import load_settings

        self.crawler = crawler
        self.settings = load_settings()
        self._redis: redis.Redis | None = None

    def conn(self) -> redis.Redis | None:
        from pipeline.connection import connect, resolve_url
        from pipeline.errors import StartupError

        if self._redis is not None:
            try:
                self._redis.ping()
                return self._redis
            except redis.RedisError:
                self._redis = None
        try:
            self._redis = connect(self.settings, resolve_url(self.settings))
        except StartupError as exc:
            log.warning("Redis unavailable: %s", exc)
            self._redis = None
        return self._redis


class ValidatePipeline:
    """Nothing half-built enters the queue."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    def process_item(self, item: dict[str, Any], spider=None) -> dict[str, Any]:
        missing = [k for k in ("id", "source", "url", "fetched_at", "content_hash") if not item.get(k)]
        if missing:
            self.crawler.stats.inc_value("yuqing/dropped_incomplete")
            raise DropItem(f"incomplete item from {item.get('url')}: missing {', '.join(missing)}")
        if not (item.get("title") or "").strip() and not (item.get("text") or "").strip():
            self.crawler.stats.inc_value("yuqing/dropped_empty")
            raise DropItem(f"empty page {item['url']}: no title and no text")
        return item


class DedupePipeline(_RedisUser):
    """An unchanged item is not queued twice; a changed one is queued as an update."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: dict[str, Any], spider=None) -> dict[str, Any]:
        conn = self.conn()
        if conn is None:
            return item  # cannot tell: queue it; the ingest job is idempotent by content hash
        try:
            previous = conn.hget(seen_key(item["source"]), item["id"])
        except redis.RedisError:
            return item
        if previous is not None:
            if previous.decode() == item["content_hash"]:
                self.crawler.stats.inc_value("yuqing/unchanged")
                raise DropItem(f"unchanged {item['url']}")
            item["update"] = True
            self.crawler.stats.inc_value("yuqing/updated")
        return item


class QueuePipeline(_RedisUser):
    """Batches onto the ingest queue (JSON); spools to disk while Redis is away."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.batch: list[dict[str, Any]] = []
        self.batch_size = crawler.settings.getint("YUQING_BATCH_SIZE", 100)
        self.spool = Spool(self.settings.var_dir / "spool")

    def open_spider(self, spider=None) -> None:
        conn = self.conn()
        if conn is not None and self.spool.pending():
            self._deliver_spool(conn)

    def process_item(self, item: dict[str, Any], spider=None) -> dict[str, Any]:
        self.batch.append(item)
        self.crawler.stats.inc_value("yuqing/items_accepted")
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self, spider=None) -> None:
        self.flush()

    def _deliver_spool(self, conn: redis.Redis) -> None:
        try:
            delivered = self.spool.deliver(lambda items: self._send(conn, items))
        except redis.RedisError as exc:
            log.warning("spool delivery stopped: %s", exc)
            return
        if delivered:
            self.crawler.stats.inc_value("yuqing/spool_delivered", delivered)
            log.info("delivered %d spooled items", delivered)

    def _send(self, conn: redis.Redis, items: list[dict[str, Any]]) -> None:
        """Queue items, then mark them seen and store their pages' validators."""
        clean = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
        enqueue_items(conn, clean, batch_size=self.batch_size)
        with conn.pipeline(transaction=False) as pipe:
            for item in items:
                pipe.hset(seen_key(item["source"]), item["id"], item["content_hash"])
                remember_validators(pipe, item.get("_validators"))
            pipe.execute()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        conn = self.conn()
        if conn is not None:
            if self.spool.pending():
                self._deliver_spool(conn)
            try:
                self._send(conn, batch)
                self.crawler.stats.inc_value("yuqing/items_queued", len(batch))
                return
            except redis.RedisError as exc:
                log.warning("Redis error while queueing %d items (%s); spooling them", len(batch), exc)
        path = self.spool.put([{k: v for k, v in item.items()} for item in batch])
        self.crawler.stats.inc_value("yuqing/items_spooled", len(batch))
        log.warning("Redis unreachable: %d items spooled to %s", len(batch), path)
