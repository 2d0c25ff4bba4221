"""Item pipelines: drop half-built items, skip unchanged ones, batch the rest onto the ingest queue.

The hand-off itself (dedupe, queue, disk spool while Redis is away) is in
``crawlers.handoff``, shared with `yuqing import`.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from .handoff import Handoff


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


def _handoff(crawler) -> Handoff:
    """One Handoff per crawler, shared by the dedupe and queue pipelines."""
    if not hasattr(crawler, "_yuqing_handoff"):
        from pipeline.settings import load_settings

        crawler._yuqing_handoff = Handoff(load_settings(), crawler.settings.getint("YUQING_BATCH_SIZE", 100))
    return crawler._yuqing_handoff


class DedupePipeline:
    """An unchanged item is not queued twice; a changed one is queued as an update."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.handoff = _handoff(crawler)

    def process_item(self, item: dict[str, Any], spider=None) -> dict[str, Any]:
        if not self.handoff.is_new(item):
            self.crawler.stats.inc_value("yuqing/unchanged")
            raise DropItem(f"unchanged {item['url']}")
        if item.get("update"):
            self.crawler.stats.inc_value("yuqing/updated")
        return item


class QueuePipeline:
    """Batches onto the ingest queue (JSON); spools to disk while Redis is away."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.handoff = _handoff(crawler)
        self.batch: list[dict[str, Any]] = []

    def open_spider(self, spider=None) -> None:
        self.handoff.deliver_spool()

    def process_item(self, item: dict[str, Any], spider=None) -> dict[str, Any]:
        self.batch.append(item)
        self.crawler.stats.inc_value("yuqing/items_accepted")
        if len(self.batch) >= self.handoff.batch_size:
            self.flush()
        return item

    def close_spider(self, spider=None) -> None:
        self.flush()
        delivered = self.handoff.counts["spool_delivered"]
        if delivered:
            self.crawler.stats.set_value("yuqing/spool_delivered", delivered)

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if batch:
            outcome = self.handoff.send(batch)
            self.crawler.stats.inc_value(f"yuqing/items_{outcome}", len(batch))
