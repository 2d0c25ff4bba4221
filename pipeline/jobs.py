"""Job functions run by the workers. Arguments and results are plain JSON.

Jobs are idempotent: a batch redone after a worker died changes nothing
that the first run already wrote.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from rq import get_current_job

from . import keys
from .items import normalise


def _connection():
    job = get_current_job()
    if job is None:
        raise RuntimeError("pipeline jobs run inside an RQ worker")
    return job.connection


def _score(item: dict[str, Any]) -> float:
    when = item.get("published_at") or item.get("fetched_at")
    if when:
        try:
            return datetime.fromisoformat(when).timestamp()
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc).timestamp()


def store_items(connection, items: list[dict[str, Any]]) -> dict[str, int]:
    """Store items by id; an item whose content hash is unchanged is left as it is."""
    items = [normalise(raw) for raw in items]
    existing = connection.mget([keys.item(i["id"]) for i in items]) if items else []
    stored = unchanged = 0
    with connection.pipeline(transaction=True) as pipe:
        for item, old in zip(items, existing):
            if old is not None and json.loads(old).get("content_hash") == item["content_hash"]:
                unchanged += 1
                continue
            score = _score(item)
            pipe.set(keys.item(item["id"]), json.dumps(item, ensure_ascii=False))
            pipe.zadd(keys.ITEMS_BY_TIME, {item["id"]: score})
            if item.get("source"):
                pipe.zadd(keys.source_timeline(item["source"]), {item["id"]: score})
            stored += 1
        pipe.execute()
    return {"stored": stored, "unchanged": unchanged}


def ingest_batch(items: list[dict[str, Any]]) -> dict[str, int]:
    """Entry point of the ingest queue: one batch of items."""
    return store_items(_connection(), items)
