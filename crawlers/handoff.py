"""Hand-off of normalised items to the ingest queue, shared by the crawl pipelines and `yuqing import`.

Unchanged items (same content hash as last time for this source) are
skipped; changed ones go as updates. Items are marked seen only once they are
queued. While Redis is unreachable, batches wait in the disk spool under
<var>/spool and go first when it answers again: nothing accepted is lost.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from pipeline import keys
from pipeline.connection import connect, resolve_url
from pipeline.errors import StartupError
from pipeline.queues import enqueue_items
from pipeline.settings import Settings

from .middlewares import remember_validators
from .spool import Spool

log = logging.getLogger(__name__)


def seen_key(source: str) -> str:
    return f"{keys.PREFIX}:seen:{source}"


class Handoff:
    def __init__(self, settings: Settings, batch_size: int = 100) -> None:
        self.settings = settings
        self.batch_size = batch_size
        self.spool = Spool(settings.var_dir / "spool")
        self._redis: redis.Redis | None = None
        self.counts = {"queued": 0, "spooled": 0, "unchanged": 0, "updated": 0, "spool_delivered": 0}

    def conn(self) -> redis.Redis | None:
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

    def is_new(self, item: dict[str, Any]) -> bool:
        """False for an unchanged item; marks a changed one as an update. True when Redis cannot tell."""
        conn = self.conn()
        if conn is None:
            return True
        try:
            previous = conn.hget(seen_key(item["source"]), item["id"])
        except redis.RedisError:
            return True
        if previous is None:
            return True
        if previous.decode() == item["content_hash"]:
            self.counts["unchanged"] += 1
            return False
        item["update"] = True
        self.counts["updated"] += 1
        return True

    def deliver_spool(self) -> None:
        conn = self.conn()
        if conn is None or not self.spool.pending():
            return
        try:
            delivered = self.spool.deliver(lambda items: self._send(conn, items))
        except redis.RedisError as exc:
            log.warning("spool delivery stopped: %s", exc)
            return
        self.counts["spool_delivered"] += delivered
        if delivered:
            log.info("delivered %d spooled items", delivered)

    def _send(self, conn: redis.Redis, items: list[dict[str, Any]]) -> None:
        clean = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
        enqueue_items(conn, clean, batch_size=self.batch_size)
        with conn.pipeline(transaction=False) as pipe:
            for item in items:
                pipe.hset(seen_key(item["source"]), item["id"], item["content_hash"])
                remember_validators(pipe, item.get("_validators"))
            pipe.execute()

    def send(self, batch: list[dict[str, Any]]) -> str:
        """Queue a batch (spooled items first); returns 'queued' or 'spooled'."""
        if not batch:
            return "queued"
        conn = self.conn()
        if conn is not None:
            self.deliver_spool()
            try:
                self._send(conn, batch)
                self.counts["queued"] += len(batch)
                return "queued"
            except redis.RedisError as exc:
                log.warning("Redis error while queueing %d items (%s); spooling them", len(batch), exc)
        path = self.spool.put(batch)
        self.counts["spooled"] += len(batch)
        log.warning("Redis unreachable: %d items spooled to %s", len(batch), path)
        return "spooled"
