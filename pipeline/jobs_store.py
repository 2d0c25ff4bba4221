"""Storing items and their classification, with the indexes the dashboard reads."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from redis import Redis

from . import keys


def concern_index(concern: str) -> str:
    return f"{keys.PREFIX}:timeline:concern:{concern}"


def domain_index(domain: str) -> str:
    return f"{keys.PREFIX}:timeline:domain:{domain}"


def _score(item: dict[str, Any]) -> float:
    when = item.get("published_at") or item.get("fetched_at")
    if when:
        try:
            return datetime.fromisoformat(when).timestamp()
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc).timestamp()


def store_items(conn: Redis, items: list[dict[str, Any]], results: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Store items by id (with their classification); an unchanged item is left as it is."""
    existing = conn.mget([keys.item(i["id"]) for i in items]) if items else []
    stored = unchanged = 0
    with conn.pipeline(transaction=True) as pipe:
        for n, (item, old) in enumerate(zip(items, existing)):
            if old is not None and json.loads(old).get("content_hash") == item["content_hash"]:
                unchanged += 1
                continue
            record = dict(item)
            score = _score(item)
            if results is not None:
                record["classification"] = results[n]
                pipe.zadd(concern_index(results[n]["concern"]), {item["id"]: score})
                pipe.zadd(domain_index(results[n]["domain"]), {item["id"]: score})
            pipe.set(keys.item(item["id"]), json.dumps(record, ensure_ascii=False))
            pipe.zadd(keys.ITEMS_BY_TIME, {item["id"]: score})
            if item.get("source"):
                pipe.zadd(keys.source_timeline(item["source"]), {item["id"]: score})
            stored += 1
        pipe.execute()
    return {"stored": stored, "unchanged": unchanged}
